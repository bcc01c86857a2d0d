// STUN over TCP (RFC 8489 §6.2.2): what to answer to one framed message
// on a connection, around StunServerCore.
//
// Over TCP a reply can only go back on the connection the request came
// in on. So requests whose answer StunServerCore would send from another
// socket or to another address are answered on the connection with an
// error instead:
//  - CHANGE-REQUEST with a flag set: 420, listing CHANGE-REQUEST in
//    UNKNOWN-ATTRIBUTES (RFC 5780 §6: what a server that cannot honour
//    it answers), with any other unknown comprehension-required types;
//  - RESPONSE-PORT: 400.
// Everything else is StunServerCore's answer, given the socket the
// connection was accepted on.
//
//   RateLimiter limiter(options);
//   auto core = StunTcpCore::Create(config, &limiter);
//   StunTcpAnswer a = core->Handle(message, StunSocket::kPrimary, peer, now);
//   if (a.action == StunTcpAction::kReply) connection.Write(a.reply);
//   else if (a.action != StunTcpAction::kNothing) connection.Close();
//
// Pure: the current time is an argument. Thread-compatible.
#ifndef NATSCOPE_SERVER_STUN_STUN_TCP_CORE_H_
#define NATSCOPE_SERVER_STUN_STUN_TCP_CORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/net/socket_address.h"
#include "server/stun/rate_limiter.h"
#include "server/stun/stun_server_core.h"

namespace natscope::server {

enum class StunTcpAction {
  kReply,    // Write `reply` on the connection.
  kNothing,  // Nothing to send (an indication, a response); keep reading.
  // Close the connection: the message does not decode or fails its
  // FINGERPRINT (a stream that sends such bytes is not a STUN client)...
  kCloseMalformed,
  // ... or the source is over its rate limit: closing tells the client
  // at once instead of leaving its transaction to time out (39.5 s).
  kCloseRateLimited,
};

struct StunTcpAnswer {
  StunTcpAction action = StunTcpAction::kNothing;
  std::string reply;  // Set for kReply only.
};

class StunTcpCore {
 public:
  // As StunServerCore::Create: `config` is the UDP server's (the TCP
  // listeners have the same addresses). `limiter` must outlive the core.
  static absl::StatusOr<StunTcpCore> Create(StunServerConfig config,
                                            RateLimiter* limiter);

  // The answer to `message` (one whole STUN message, as StunStreamFramer
  // gives it) received on a connection accepted on socket `on` from
  // `peer` at `now`. Every reply takes a token from the limiter.
  StunTcpAnswer Handle(absl::string_view message, StunSocket on,
                       const net::SocketAddress& peer, absl::Time now);

  // StunServerCore's counters plus the requests answered with a TCP
  // refusal (counted in requests, responses and rate_limited).
  StunServerCounters counters() const;

 private:
  StunTcpCore(StunServerCore core, RateLimiter* limiter)
      : core_(std::move(core)), limiter_(limiter) {}

  StunServerCore core_;
  RateLimiter* limiter_;
  StunServerCounters refusals_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_STUN_TCP_CORE_H_
