// STUN Binding transactions over one UDP socket (real or simulated, see
// probe_network.h).
//
// RunBindings sends several requests from one socket at once, retransmits
// each per `policy` until it is answered, and matches responses to requests
// by transaction id. A response is trusted only when it decodes, carries a
// valid FINGERPRINT if it has one, and comes from the source the request
// expects; anything else is ignored and counted. Blocks the calling thread
// for at most policy.timeout.
#ifndef NATSCOPE_INGEST_PROBE_BINDING_H_
#define NATSCOPE_INGEST_PROBE_BINDING_H_

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/net/socket_address.h"
#include "common/stun/message.h"
#include "ingest/probe/probe_network.h"
#include "ingest/probe/retransmit.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

struct BindingSpec {
  // Where the request goes.
  net::SocketAddress server;
  // The request, with its own transaction id (see NewBindingRequest).
  stun::Message request;
  // Names the exchange in the observation, e.g. "mapping-II".
  std::string test;
  // Only a response from this address is trusted (RFC 5780 responses to
  // CHANGE-REQUEST come from the server's other address); nullopt trusts
  // any source.
  std::optional<net::SocketAddress> expected_source;
};

struct BindingResult {
  // What was asked and seen, for the report's evidence.
  v1::StunObservation observation;
  // The decoded response and where it came from, when one was trusted.
  std::optional<stun::Message> response;
  std::optional<net::SocketAddress> source;
};

// Runs every spec concurrently on `socket`; results are in spec order.
// `local_address` is reported as each request's source (the socket may be
// bound to a wildcard address). Untrusted responses are added to
// `*ignored` when it is non-null.
std::vector<BindingResult> RunBindings(DatagramSocket& socket,
                                       const std::vector<BindingSpec>& specs,
                                       const net::SocketAddress& local_address,
                                       const RetransmitPolicy& policy,
                                       const Clock& clock, int* ignored);

// Whether a success `response` comes from an RFC 3489 ("classic") server
// such as Vovida's stund: it names its alternate in CHANGED-ADDRESS rather
// than OTHER-ADDRESS, or has MAPPED-ADDRESS without XOR-MAPPED-ADDRESS.
// Such a server honours CHANGE-REQUEST but drops requests carrying
// RFC 5780's RESPONSE-PORT or PADDING.
bool IsClassicServer(const stun::Message& response);

// A Binding request with a fresh random transaction id and, when given, a
// CHANGE-REQUEST. Thread-safe.
stun::Message NewBindingRequest(std::optional<stun::ChangeRequest> change = std::nullopt);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_BINDING_H_
