// Tests with side effects, run only when asked (RFC 5780 §4.5 and §4.6),
// over sockets `network` opens. Both block the calling thread, waiting on
// `clock`; neither fails as a whole.
#ifndef NATSCOPE_INGEST_PROBE_OPT_IN_H_
#define NATSCOPE_INGEST_PROBE_OPT_IN_H_

#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/net/socket_address.h"
#include "ingest/probe/probe_network.h"
#include "ingest/probe/retransmit.h"

namespace natscope::ingest {

// Hairpinning: sends a packet from a second socket to `public_address`
// (the mapping of a fresh socket that first talks to `server`) and reports
// whether the NAT loops it back. nullopt when the test could not run (no
// answer from the server).
std::optional<bool> TestHairpinning(ProbeNetwork& network,
                                    const net::SocketAddress& server,
                                    const RetransmitPolicy& policy,
                                    const Clock& clock);

// Binding lifetime: opens a mapping to `server`, stays idle for growing
// intervals (1 s, 2 s, 4 s, ... up to `longest`), and after each asks the
// server from another socket, with RESPONSE-PORT, to answer to the
// mapping's port. Returns the longest idle time the mapping survived, in
// whole seconds (0 when it did not survive 1 s); nullopt when the server
// does not support RESPONSE-PORT or did not answer.
std::optional<int64_t> TestBindingLifetime(ProbeNetwork& network,
                                           const net::SocketAddress& server,
                                           absl::Duration longest,
                                           const RetransmitPolicy& policy,
                                           const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_OPT_IN_H_
