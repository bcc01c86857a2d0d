#include "common/net/socket_address.h"

#include <arpa/inet.h>

#include <cstring>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace natscope::net {
namespace {

absl::Status BadAddress(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("cannot parse socket address \"", text, "\": ", why,
                   "; expected \"1.2.3.4:5\" or \"[2001:db8::1]:5\""));
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text,
                                   absl::string_view port) {
  uint32_t value = 0;
  // SimpleAtoi accepts a sign and surrounding spaces; a port is digits only.
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && c >= '0' && c <= '9';
  if (!digits || !absl::SimpleAtoi(port, &value) || value > 65535) {
    return BadAddress(text, absl::StrCat("bad port \"", port, "\""));
  }
  return static_cast<uint16_t>(value);
}

}  // namespace

SocketAddress::SocketAddress()
    : family_(AddressFamily::kIPv4), bytes_{}, port_(0) {}

SocketAddress SocketAddress::IPv4(const std::array<uint8_t, 4>& bytes,
                                  uint16_t port) {
  SocketAddress a;
  std::memcpy(a.bytes_.data(), bytes.data(), 4);
  a.port_ = port;
  return a;
}

SocketAddress SocketAddress::IPv6(const std::array<uint8_t, 16>& bytes,
                                  uint16_t port) {
  SocketAddress a;
  a.family_ = AddressFamily::kIPv6;
  a.bytes_ = bytes;
  a.port_ = port;
  return a;
}

absl::StatusOr<SocketAddress> SocketAddress::FromIp(absl::string_view ip,
                                                    uint16_t port) {
  // inet_pton needs a NUL-terminated string, so an embedded NUL would
  // silently cut the text short.
  const std::string copy(ip);
  if (copy.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("IP address text contains a NUL byte");
  }
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) {
    return IPv4({bytes[0], bytes[1], bytes[2], bytes[3]}, port);
  }
  if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) {
    return IPv6(bytes, port);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", ip, "\" is neither an IPv4 nor an IPv6 address"));
}

absl::StatusOr<SocketAddress> SocketAddress::Parse(absl::string_view text) {
  absl::string_view host;
  absl::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) {
      return BadAddress(text, "missing ']'");
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return BadAddress(text, "missing \":port\" after ']'");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (host.find(':') == absl::string_view::npos) {
      return BadAddress(text, "brackets are only for IPv6 addresses");
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) {
      return BadAddress(text, "missing \":port\"");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) {
      return BadAddress(text, "an IPv6 address must be in brackets");
    }
  }
  auto port_or = ParsePort(text, port);
  if (!port_or.ok()) return port_or.status();
  auto address = FromIp(host, *port_or);
  if (!address.ok()) return BadAddress(text, address.status().message());
  return address;
}

absl::StatusOr<SocketAddress> SocketAddress::FromSockaddr(const sockaddr* addr,
                                                          socklen_t len) {
  if (addr == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t))) {
    return absl::InvalidArgumentError("sockaddr is null or too short");
  }
  if (addr->sa_family == AF_INET) {
    if (len < static_cast<socklen_t>(sizeof(sockaddr_in))) {
      return absl::InvalidArgumentError(
          absl::StrCat("AF_INET sockaddr has length ", len, ", expected ",
                       sizeof(sockaddr_in)));
    }
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof(in));
    std::array<uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &in.sin_addr, 4);
    return IPv4(bytes, ntohs(in.sin_port));
  }
  if (addr->sa_family == AF_INET6) {
    if (len < static_cast<socklen_t>(sizeof(sockaddr_in6))) {
      return absl::InvalidArgumentError(
          absl::StrCat("AF_INET6 sockaddr has length ", len, ", expected ",
                       sizeof(sockaddr_in6)));
    }
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof(in6));
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &in6.sin6_addr, 16);
    return IPv6(bytes, ntohs(in6.sin6_port));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported address family ", addr->sa_family,
                   "; only AF_INET and AF_INET6 are handled"));
}

absl::StatusOr<SocketAddress> SocketAddress::FromSockaddr(
    const sockaddr_storage& storage) {
  return FromSockaddr(reinterpret_cast<const sockaddr*>(&storage),
                      sizeof(storage));
}

sockaddr_storage SocketAddress::ToSockaddr(socklen_t* len) const {
  sockaddr_storage storage;
  std::memset(&storage, 0, sizeof(storage));
  if (is_ipv4()) {
    sockaddr_in in;
    std::memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons(port_);
    std::memcpy(&in.sin_addr, bytes_.data(), 4);
    std::memcpy(&storage, &in, sizeof(in));
    if (len != nullptr) *len = sizeof(in);
  } else {
    sockaddr_in6 in6;
    std::memset(&in6, 0, sizeof(in6));
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port_);
    std::memcpy(&in6.sin6_addr, bytes_.data(), 16);
    std::memcpy(&storage, &in6, sizeof(in6));
    if (len != nullptr) *len = sizeof(in6);
  }
  return storage;
}

absl::Span<const uint8_t> SocketAddress::address_bytes() const {
  return absl::MakeConstSpan(bytes_.data(), is_ipv4() ? 4 : 16);
}

SocketAddress SocketAddress::WithPort(uint16_t port) const {
  SocketAddress copy = *this;
  copy.port_ = port;
  return copy;
}

std::string SocketAddress::IpString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(is_ipv4() ? AF_INET : AF_INET6, bytes_.data(), buffer,
            sizeof(buffer));
  return buffer;
}

std::string SocketAddress::ToString() const {
  if (is_ipv4()) return absl::StrCat(IpString(), ":", port_);
  return absl::StrCat("[", IpString(), "]:", port_);
}

bool operator==(const SocketAddress& a, const SocketAddress& b) {
  return a.family_ == b.family_ && a.bytes_ == b.bytes_ && a.port_ == b.port_;
}

bool operator<(const SocketAddress& a, const SocketAddress& b) {
  return std::tie(a.family_, a.bytes_, a.port_) <
         std::tie(b.family_, b.bytes_, b.port_);
}

}  // namespace natscope::net
