// The protocol logic of natscope-server's QUIC port: it answers every
// long-header packet of a version it does not speak with a Version
// Negotiation packet (RFC 9000 §6), which is all an agent's QUIC
// reachability probe needs. It never completes a handshake.
//
// Pure: the current time is an argument. Thread-compatible.
#ifndef NATSCOPE_SERVER_STUN_QUIC_RESPONDER_CORE_H_
#define NATSCOPE_SERVER_STUN_QUIC_RESPONDER_CORE_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/net/socket_address.h"
#include "server/stun/rate_limiter.h"

namespace natscope::server {

struct QuicResponderCounters {
  int64_t requests = 0;      // Datagrams that deserve a VN packet.
  int64_t responses = 0;     // VN packets handed out.
  int64_t rate_limited = 0;  // VN packets withheld by the rate limiter.
  int64_t ignored = 0;       // Everything else (short, short header, VN, v1).
};

class QuicResponderCore {
 public:
  // `limiter` must outlive the core and may be shared with StunServerCore.
  // `seed` feeds the VN packet's arbitrary unused bits.
  explicit QuicResponderCore(RateLimiter* limiter, uint64_t seed = 0)
      : limiter_(limiter), gen_(seed) {}

  // The VN packet to send back to `source` for `datagram` at `now`, or
  // nullopt. Answers as quic::VersionNegotiationFor does, listing QUIC v1
  // only (so it never answers datagrams under 1200 bytes, VN packets or
  // v1 packets, and the answer is smaller than the datagram), and only
  // when the rate limiter has a token for `source` (RateLimitKey).
  std::optional<std::string> Handle(absl::string_view datagram,
                                    const net::SocketAddress& source,
                                    absl::Time now);

  const QuicResponderCounters& counters() const { return counters_; }

 private:
  RateLimiter* limiter_;
  std::mt19937_64 gen_;
  QuicResponderCounters counters_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_QUIC_RESPONDER_CORE_H_
