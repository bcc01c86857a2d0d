// One STUN Binding transaction over a real UDP socket.
//
// Sends `request` to `server`, retransmitting per `policy`, and waits for
// the response with the same transaction id (from any source address: RFC
// 5780 responses to CHANGE-REQUEST come from another address). Blocks the
// calling thread for at most policy.timeout.
#ifndef NATSCOPE_INGEST_PROBE_BINDING_H_
#define NATSCOPE_INGEST_PROBE_BINDING_H_

#include <optional>
#include <string>

#include "common/clock.h"
#include "common/io/udp_socket.h"
#include "common/net/socket_address.h"
#include "common/stun/message.h"
#include "ingest/probe/retransmit.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

struct BindingResult {
  // What was asked and seen, for the report's evidence.
  v1::StunObservation observation;
  // The decoded response, when one arrived.
  std::optional<stun::Message> response;
};

// `local_address` is the address to report as the request's source (the
// socket may be bound to a wildcard address). `test` names the exchange in
// the observation.
BindingResult RunBinding(io::UdpSocket& socket, const net::SocketAddress& server,
                         const stun::Message& request,
                         const net::SocketAddress& local_address,
                         const RetransmitPolicy& policy, const Clock& clock,
                         const std::string& test);

// A Binding request with a fresh random transaction id. Thread-safe.
stun::Message NewBindingRequest();

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_BINDING_H_
