// Outbound UDP port rules: a STUN binding to one server IP on several
// destination ports at once, each from its own connected socket.
//
// A connected UDP socket learns of an ICMP "port unreachable" from the
// server's host (Receipt::kRefused): nothing listens there, which says
// nothing about the firewall, so that port is "not served" rather than
// blocked. Silence counts as blocked only on a port the server says it
// serves (`served`, from its NATSCOPE-PORTS attribute); elsewhere it is
// inconclusive, because hosts rate-limit ICMP and the "port unreachable"
// may never come. Blocks the calling thread for at most the plan's `wait`
// on `clock`.
#ifndef NATSCOPE_INGEST_PROBE_PORT_CHECK_H_
#define NATSCOPE_INGEST_PROBE_PORT_CHECK_H_

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/net/socket_address.h"
#include "ingest/probe/probe_network.h"
#include "ingest/probe/probe_plan.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// One PortCheck per plan.ports, in order, to plan.server's IP over sockets
// `network` opens (a port whose socket cannot be opened ends unanswered).
// Retransmits every plan.interval until plan.wait has passed, or
// plan.unlisted_wait once only ports outside plan.served are unanswered.
std::vector<v1::PortCheck> CheckPorts(ProbeNetwork& network,
                                      const PortCheckPlan& plan,
                                      const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_PORT_CHECK_H_
