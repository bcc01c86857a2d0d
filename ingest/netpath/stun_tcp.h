// One STUN Binding over TCP (RFC 8489 §6.2.2): a connection to the
// server's STUN port, one Binding request (with FINGERPRINT), and exactly
// one response read back, framed by the length in its 20-byte header. The
// probe tries it only when no STUN server answered over UDP: an answer, or
// a refusal from the server's host, shows that the path to the server
// exists and only UDP is dropped; silence shows nothing gets there.
//
//   Deadline deadline(absl::Now() + absl::Milliseconds(1500));
//   v1::TcpStunObservation o =
//       StunBindingOverTcp({server, &deadline}, RealClock::Get());
//   if (o.outcome() == v1::TCP_STUN_ANSWERED) ... o.mapped_address() ...
//
// Thin adapter: Linux sockets, non-blocking with poll() against a deadline
// that another thread may bring forward (deadline.h). Blocking for the
// caller; thread-safe (no shared state).
#ifndef NATSCOPE_INGEST_NETPATH_STUN_TCP_H_
#define NATSCOPE_INGEST_NETPATH_STUN_TCP_H_

#include <cstddef>

#include "common/clock.h"
#include "common/net/socket_address.h"
#include "ingest/netpath/deadline.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

struct StunTcpOptions {
  // The server's STUN address (the port it serves over UDP).
  net::SocketAddress server;
  // By when the connection and the answer must be done, in the times of
  // the clock passed along; re-read while waiting. Not owned; must
  // outlive the call. Required.
  const Deadline* deadline = nullptr;
};

// The longest answer read: a Binding response is about 100 bytes, so a
// longer message is a bad answer rather than a reason to buffer more.
inline constexpr size_t kMaxStunTcpResponse = 2048;

// Never fails as a whole: the observation's outcome and error say what
// happened. TCP_STUN_ANSWERED with mapped_address and rtt_micros;
// TCP_STUN_REFUSED (reset or port unreachable) with the refusal's round
// trip; TCP_STUN_UNREACHABLE when the connection got nothing by the
// deadline or there is no route; TCP_STUN_BAD_ANSWER when connected but no
// valid response for the request came (silence, an early close, an error
// response, another transaction, not STUN, longer than
// kMaxStunTcpResponse); TCP_STUN_LOCAL_ERROR when no socket could be
// opened or no deadline was given.
v1::TcpStunObservation StunBindingOverTcp(const StunTcpOptions& options,
                                          const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_STUN_TCP_H_
