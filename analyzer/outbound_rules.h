// Outbound UDP rules from a probe's evidence: which destination ports and
// which destination addresses the host's firewall lets UDP through to,
// measured two ways (docs/probe.md, "Outbound rules"):
//   - the STUN port check (PortCheck): a binding to another port of the
//     server; silence proves a drop only on a port natscope-server says it
//     serves;
//   - firewalking (FirewalkCheck): TTL-limited datagrams read through ICMP,
//     against any server and any address.
// Pure and thread-compatible.
#ifndef NATSCOPE_ANALYZER_OUTBOUND_RULES_H_
#define NATSCOPE_ANALYZER_OUTBOUND_RULES_H_

#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

// Appends FINDING_OUTBOUND_PORTS_RESTRICTED when some destination ports
// pass and others are dropped or refused (by either method; the summary
// says which), and FINDING_OUTBOUND_IPS_RESTRICTED when firewalking found
// a destination address dropped or refused while the primary server
// answered; each with one evidence line per port or destination.
// Unknown and inconclusive checks decide nothing.
void AddOutboundFindings(v1::ProbeReport* report);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_OUTBOUND_RULES_H_
