// A connector's STUN discovery ("STUN Discovery: Available" in the admin
// console) from its probe and its own log lines, and what it rests on.
// Pure; thread-safe.
#ifndef NATSCOPE_ANALYZER_SITE_STUN_DISCOVERY_H_
#define NATSCOPE_ANALYZER_SITE_STUN_DISCOVERY_H_

#include "analyzer/site/nat_evidence.h"
#include "natscope/v1/analysis.pb.h"

namespace natscope::analyzer {

// The probe says AVAILABLE when a STUN server answered over UDP, else
// UNAVAILABLE. The log says UNAVAILABLE when, within the tunnel window,
// the connector could not preconnect its relay listener
// (relay_listener_failed) or found relays not available
// (relay_unavailable), or when its usable stun_nat_type line is
// "unknown..."; AVAILABLE when that line names a NAT type and no such
// error was logged; nothing otherwise. A fresh probe decides (source
// PROBE, or BOTH_AGREE / BOTH_DISAGREE when the log says something), else
// the log (LOG), else a stale probe (PROBE), else UNKNOWN. Evidence: one
// line per source consulted. Meant for connectors; callers skip clients.
v1::StunDiscovery JudgeStunDiscovery(const AgentEvidence& evidence);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_STUN_DISCOVERY_H_
