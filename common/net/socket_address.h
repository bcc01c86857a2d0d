// SocketAddress: an IPv4 or IPv6 address plus a UDP/TCP port, as a value.
//
// A SocketAddress is immutable after construction, cheap to copy (20 bytes
// of payload) and safe to share between threads. It carries no scope id, so
// link-local IPv6 addresses lose their interface when converted. Nothing
// here performs I/O; the sockaddr conversions only copy bytes.
#ifndef NATSCOPE_COMMON_NET_SOCKET_ADDRESS_H_
#define NATSCOPE_COMMON_NET_SOCKET_ADDRESS_H_

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace natscope::net {

enum class AddressFamily : uint8_t { kIPv4, kIPv6 };

class SocketAddress {
 public:
  // 0.0.0.0:0.
  SocketAddress();

  static SocketAddress IPv4(const std::array<uint8_t, 4>& bytes, uint16_t port);
  static SocketAddress IPv6(const std::array<uint8_t, 16>& bytes,
                            uint16_t port);

  // Parses "1.2.3.4:5" or "[2001:db8::1]:5". The port is decimal, 0-65535.
  // Returns InvalidArgument naming the offending text otherwise (including a
  // missing port, an unbracketed IPv6 address and an IPv6 zone "%eth0").
  static absl::StatusOr<SocketAddress> Parse(absl::string_view text);

  // Parses a bare IP ("1.2.3.4" or "2001:db8::1", no brackets) and pairs it
  // with `port`. Returns InvalidArgument naming the text on failure.
  static absl::StatusOr<SocketAddress> FromIp(absl::string_view ip,
                                              uint16_t port);

  // Converts an AF_INET or AF_INET6 sockaddr. IPv4-mapped IPv6 addresses
  // stay IPv6. Returns InvalidArgument for any other family or when `len`
  // is too small for the family.
  static absl::StatusOr<SocketAddress> FromSockaddr(const sockaddr* addr,
                                                    socklen_t len);
  static absl::StatusOr<SocketAddress> FromSockaddr(
      const sockaddr_storage& storage);

  // Fills a zeroed sockaddr_in or sockaddr_in6 and returns its length in
  // `*len` when `len` is non-null.
  sockaddr_storage ToSockaddr(socklen_t* len = nullptr) const;

  AddressFamily family() const { return family_; }
  bool is_ipv4() const { return family_ == AddressFamily::kIPv4; }
  bool is_ipv6() const { return family_ == AddressFamily::kIPv6; }
  uint16_t port() const { return port_; }

  // The 4 or 16 address bytes in network order. Valid while *this lives.
  absl::Span<const uint8_t> address_bytes() const;

  // Same address with another port.
  SocketAddress WithPort(uint16_t port) const;

  // "1.2.3.4" or "2001:db8::1" (RFC 5952 form, via inet_ntop).
  std::string IpString() const;
  // "1.2.3.4:5" or "[2001:db8::1]:5"; Parse() accepts it back.
  std::string ToString() const;

  // Orders by family (IPv4 first), then address bytes, then port.
  friend bool operator==(const SocketAddress& a, const SocketAddress& b);
  friend bool operator<(const SocketAddress& a, const SocketAddress& b);
  friend bool operator!=(const SocketAddress& a, const SocketAddress& b) {
    return !(a == b);
  }

  template <typename H>
  friend H AbslHashValue(H h, const SocketAddress& a) {
    return H::combine(std::move(h), a.family_, a.bytes_, a.port_);
  }

 private:
  AddressFamily family_;
  std::array<uint8_t, 16> bytes_;  // IPv4 uses the first 4; the rest are 0.
  uint16_t port_;
};

}  // namespace natscope::net

#endif  // NATSCOPE_COMMON_NET_SOCKET_ADDRESS_H_
