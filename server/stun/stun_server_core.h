// The protocol logic of natscope-server's STUN service: RFC 8489 Binding
// plus the RFC 5780 NAT behaviour discovery usage, without sockets.
//
// An RFC 5780 server has four sockets: primary and alternate IP (A1, A2)
// times primary and alternate port (P1, P2). Given a datagram, the socket
// it arrived on and its source, StunServerCore::Handle says what to send,
// from which of the four sockets and to where. A server without an
// alternate address has only the primary socket (this is also how each
// extra plain STUN port is served).
//
// RFC 3489 ("classic") clients, whose requests carry no magic cookie, are
// answered too (RFC 8489 §11): a Binding request gets a classic response
// that echoes its 16-byte transaction id and carries only attributes such
// clients know (see Handle). Only CHANGE-REQUEST is honoured;
// RESPONSE-ADDRESS would send the reply to any third party, so, like every
// other comprehension-required attribute, it gets a 420.
//
//   RateLimiter limiter(options);
//   auto core = StunServerCore::Create(config, &limiter);
//   auto reply = core->Handle(datagram, StunSocket::kPrimary, source, now);
//   if (reply) sockets[reply->from].SendTo(reply->bytes, reply->to);
//
// Pure: the current time is an argument. Thread-compatible: use one core
// (and its limiter) from one thread at a time.
#ifndef NATSCOPE_SERVER_STUN_STUN_SERVER_CORE_H_
#define NATSCOPE_SERVER_STUN_STUN_SERVER_CORE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/net/socket_address.h"
#include "common/stun/classic.h"
#include "common/stun/message.h"
#include "server/stun/rate_limiter.h"

namespace natscope::server {

// The SOFTWARE attribute of every response.
inline constexpr char kStunSoftware[] = "natscope-server 0.1.0";

// No response is more than this many bytes larger than the request that
// caused it, whatever the address families, alternate address, advertised
// ports and STUN dialect; a request with PADDING gets a PADDING sized so
// that the response is not larger than the request. An IPv6 Binding
// success with every RFC 5780 attribute answering a bare 20-byte request
// takes 132 of these bytes; NATSCOPE-PORTS gets what is left (see
// set_advertised_ports). A classic reply takes at most 100 (an IPv6
// success with CHANGED-ADDRESS).
inline constexpr size_t kMaxResponseGrowth = 160;
// The largest PADDING value a response carries (RFC 5780 §6.1 suggests
// the MTU of the outgoing interface).
inline constexpr size_t kMaxResponsePadding = 1500;

// One of the four sockets: which IP and which port.
enum class StunSocket : uint8_t {
  kPrimary = 0,       // A1:P1
  kAltPort = 1,       // A1:P2
  kAltIp = 2,         // A2:P1
  kAltIpAltPort = 3,  // A2:P2
};

inline bool HasAltIp(StunSocket s) { return static_cast<uint8_t>(s) & 2; }
inline bool HasAltPort(StunSocket s) { return static_cast<uint8_t>(s) & 1; }
inline StunSocket MakeStunSocket(bool alt_ip, bool alt_port) {
  return static_cast<StunSocket>((alt_ip ? 2 : 0) | (alt_port ? 1 : 0));
}

struct StunServerConfig {
  // A1:P1. A wildcard IP (0.0.0.0, ::) is allowed only without an
  // alternate address; responses then carry no RESPONSE-ORIGIN.
  net::SocketAddress primary;
  // A2:P2: the alternate IP and port. When set, the server is RFC 5780
  // capable: it answers on all four sockets, honours CHANGE-REQUEST and
  // sends OTHER-ADDRESS. Must have the primary's family and differ from it
  // in both IP and port.
  std::optional<net::SocketAddress> alternate;
};

struct StunReply {
  std::string bytes;
  StunSocket from = StunSocket::kPrimary;
  net::SocketAddress to;
};

struct StunServerCounters {
  int64_t requests = 0;      // Well-formed STUN requests, any method.
  int64_t responses = 0;     // Replies handed out (successes and errors).
  int64_t rate_limited = 0;  // Replies withheld by the rate limiter.
  int64_t malformed = 0;     // Not STUN, undecodable, or bad FINGERPRINT.
  int64_t ignored = 0;       // Well-formed but not requests; never answered.
  int64_t classic = 0;       // Of `requests`, RFC 3489 ones (no cookie).
};

// Adds `b`'s counts to `a`'s: a responder sums its cores' counters.
inline StunServerCounters& operator+=(StunServerCounters& a,
                                      const StunServerCounters& b) {
  a.requests += b.requests;
  a.responses += b.responses;
  a.rate_limited += b.rate_limited;
  a.malformed += b.malformed;
  a.ignored += b.ignored;
  a.classic += b.classic;
  return a;
}

class StunServerCore {
 public:
  // InvalidArgument (saying which flag to fix) for a config that breaks
  // the rules above. `limiter` must outlive the core; several cores may
  // share one (one source then has one budget across them).
  static absl::StatusOr<StunServerCore> Create(StunServerConfig config,
                                               RateLimiter* limiter);

  // What to send for `datagram`, received on socket `on` from `source` at
  // `now`, or nullopt when nothing is sent. For a Binding request:
  //  - success with XOR-MAPPED-ADDRESS and MAPPED-ADDRESS (the source),
  //    RESPONSE-ORIGIN (the sending socket), OTHER-ADDRESS (the socket
  //    differing from `on` in IP and port, when there is an alternate),
  //    SOFTWARE and FINGERPRINT;
  //  - CHANGE-REQUEST picks the sending socket (RFC 5780 table 1);
  //    RESPONSE-PORT sends to the source IP at that port; PADDING is
  //    answered with a non-amplifying PADDING (see kMaxResponseGrowth);
  //  - error 420 listing unknown comprehension-required attributes, and
  //    CHANGE-REQUEST on a server without an alternate (RFC 5780 §6);
  //  - error 400 for PADDING with RESPONSE-PORT (RFC 5780 §6.1) and for
  //    RESPONSE-PORT 0.
  // Other methods get 400. Errors go from `on` back to `source`.
  // A classic Binding request (cookie field not the magic cookie) gets a
  // classic response to `source` with its 16-byte id: success with
  // MAPPED-ADDRESS, SOURCE-ADDRESS (the sending socket, unless wildcard),
  // CHANGED-ADDRESS (as OTHER-ADDRESS) and SOFTWARE, CHANGE-REQUEST
  // honoured as above; 420 for RESPONSE-ADDRESS and any comprehension-
  // required attribute but CHANGE-REQUEST, and for a CHANGE-REQUEST with a
  // flag set on a server without an alternate (one with no flag set is
  // answered: classic clients send it with every request); 400 for other
  // methods. Classic responses carry no NATSCOPE-PORTS nor FINGERPRINT.
  // Indications, responses, garbage, requests with a bad FINGERPRINT and
  // datagrams on a socket this server does not have get nothing. Every
  // reply takes a token from the rate limiter for `source` first (its
  // IPv4 address or IPv6 /64: RateLimitKey).
  std::optional<StunReply> Handle(absl::string_view datagram, StunSocket on,
                                  const net::SocketAddress& source,
                                  absl::Time now);

  // The address of socket `s`; only kPrimary without an alternate.
  net::SocketAddress AddressOf(StunSocket s) const;
  bool has_alternate() const { return config_.alternate.has_value(); }
  const StunServerCounters& counters() const { return counters_; }

  // UDP ports this server answers STUN on, listed in every success response
  // (NATSCOPE-PORTS, common/stun/natscope_ports.h) so that agents can tell
  // a blocked port from one nothing listens on. Empty: not listed. Only
  // the first ports that fit within kMaxResponseGrowth (and at most
  // stun::kMaxAdvertisedPorts) are listed: all of them for a request of 28
  // bytes or more without PADDING (natscope's agent sends FINGERPRINT), at
  // least 12 for any request. An agent reads an unlisted port as
  // "inconclusive", never as "blocked".
  void set_advertised_ports(std::vector<uint16_t> ports) {
    advertised_ports_ = std::move(ports);
  }

 private:
  StunServerCore(StunServerConfig config, RateLimiter* limiter)
      : config_(std::move(config)), limiter_(limiter) {}
  std::optional<StunReply> Answer(const stun::Message& request,
                                  size_t request_size, StunSocket on,
                                  const net::SocketAddress& source) const;
  // Adds as many advertised ports to `response` (a success without
  // PADDING) as the growth bound allows; false if it cannot be encoded.
  bool AddPorts(const stun::Message& request, size_t request_size,
                stun::Message* response) const;
  std::optional<StunReply> Success(const stun::Message& request,
                                   size_t request_size, StunSocket on,
                                   const net::SocketAddress& source) const;
  std::optional<StunReply> HandleClassic(absl::Span<const uint8_t> bytes,
                                         StunSocket on,
                                         const net::SocketAddress& source,
                                         absl::Time now);
  std::optional<StunReply> AnswerClassic(
      const stun::ClassicMessage& request, StunSocket on,
      const net::SocketAddress& source) const;
  // The socket a success answering `change` on `on` is sent from.
  StunSocket SendingSocket(StunSocket on,
                           const stun::ChangeRequest& change) const;
  // Counts `reply` and hands it out if the rate limiter lets `source` have
  // it; the last step of every answer.
  std::optional<StunReply> Release(std::optional<StunReply> reply,
                                   const net::SocketAddress& source,
                                   absl::Time now);

  StunServerConfig config_;
  RateLimiter* limiter_;
  std::vector<uint16_t> advertised_ports_;
  StunServerCounters counters_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_STUN_SERVER_CORE_H_
