// A UDP socket that carries a chosen TTL and hears the ICMP errors its
// datagrams cause, without root: Linux's IP_RECVERR / IPV6_RECVERR error
// queue. The building block of the hop trace (ttl_probe.h) and of
// firewalking (firewalk_round.h).
//
// Thin adapter: Linux only. An IcmpSocket is used by one thread at a time.
#ifndef NATSCOPE_INGEST_NETPATH_ICMP_SOCKET_H_
#define NATSCOPE_INGEST_NETPATH_ICMP_SOCKET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/net/socket_address.h"

namespace natscope::ingest {

// One ICMP (or ICMPv6) error about a datagram this socket sent.
struct IcmpError {
  enum class Kind {
    kTimeExceeded,     // a router on the way: the TTL ran out there
    kPortUnreachable,  // nothing listens on the destination port
    kUnreachable,      // any other "unreachable": prohibited, no route, ...
    kOther,
  };
  Kind kind = Kind::kOther;
  // Who sent it, port 0.
  net::SocketAddress offender;
  // The ICMP code, for the words ("administratively prohibited").
  int code = 0;
};

class IcmpSocket {
 public:
  // A non-blocking UDP socket connected to `destination` whose datagrams
  // carry `ttl` (hop limit for IPv6). Unavailable, naming the cause, when
  // the socket cannot be opened or there is no route.
  static absl::StatusOr<IcmpSocket> Open(const net::SocketAddress& destination,
                                         int ttl);
  IcmpSocket(IcmpSocket&& other) noexcept;
  IcmpSocket& operator=(IcmpSocket&& other) noexcept;
  IcmpSocket(const IcmpSocket&) = delete;
  IcmpSocket& operator=(const IcmpSocket&) = delete;
  ~IcmpSocket();

  int fd() const { return fd_; }
  int ttl() const { return ttl_; }
  const net::SocketAddress& destination() const { return destination_; }

  // Sends one datagram; false when the kernel refused it at once.
  bool Send(const std::string& payload) const;
  // Drains the error queue.
  std::vector<IcmpError> ReadErrors() const;
  // Drains ordinary datagrams; true when at least one arrived (the
  // destination answered).
  bool ReadData() const;

 private:
  IcmpSocket(int fd, int ttl, net::SocketAddress destination)
      : fd_(fd), ttl_(ttl), destination_(destination) {}
  int fd_ = -1;
  int ttl_ = 0;
  net::SocketAddress destination_;
};

// A 20-byte STUN Binding request with a random transaction id: what a STUN
// server answers once a probe reaches it.
std::string StunProbePayload();

// "administratively prohibited", "host unreachable", ... for a kUnreachable
// error's code in its family.
std::string UnreachableWords(const IcmpError& error);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_ICMP_SOCKET_H_
