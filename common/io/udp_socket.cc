#include "common/io/udp_socket.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace natscope::io {
absl::Status SocketError(absl::string_view what) {
  const int err = errno;
  return absl::Status(err == EADDRINUSE || err == EACCES
                          ? absl::StatusCode::kFailedPrecondition
                          : absl::StatusCode::kUnavailable,
                      absl::StrCat(what, ": ", strerror(err)));
}

absl::StatusOr<UdpSocket> UdpSocket::Bind(const net::SocketAddress& local) {
  const int family = local.is_ipv4() ? AF_INET : AF_INET6;
  const int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SocketError("cannot create a UDP socket");
  socklen_t len = 0;
  sockaddr_storage addr = local.ToSockaddr(&len);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    absl::Status status = SocketError(absl::StrCat(
        "cannot bind UDP ", local.ToString(),
        " (is another process using the port? pick another)"));
    close(fd);
    return status;
  }
  auto bound_address = LocalAddressOf(fd);
  if (!bound_address.ok()) {
    close(fd);
    return bound_address.status();
  }
  return UdpSocket(fd, *bound_address);
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), local_(other.local_) {}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
  }
  return *this;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) close(fd_);
}

absl::Status UdpSocket::SendTo(absl::string_view payload,
                               const net::SocketAddress& to) {
  socklen_t len = 0;
  sockaddr_storage addr = to.ToSockaddr(&len);
  const ssize_t sent = sendto(fd_, payload.data(), payload.size(), 0,
                              reinterpret_cast<sockaddr*>(&addr), len);
  if (sent < 0) return SocketError(absl::StrCat("cannot send to ", to.ToString()));
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Datagram>> UdpSocket::Receive(
    absl::Duration timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  const int64_t ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(
                                              timeout + absl::Microseconds(999)));
  const int ready = poll(&pfd, 1, static_cast<int>(std::min<int64_t>(ms, 1 << 30)));
  if (ready < 0) {
    if (errno == EINTR) return std::optional<Datagram>();
    return SocketError("poll on UDP socket failed");
  }
  if (ready == 0) return std::optional<Datagram>();
  char buffer[65536];
  sockaddr_storage from{};
  socklen_t len = sizeof(from);
  const ssize_t n = recvfrom(fd_, buffer, sizeof(buffer), 0,
                             reinterpret_cast<sockaddr*>(&from), &len);
  if (n < 0) {
    // ICMP port unreachable from an earlier send surfaces here on Linux.
    if (errno == ECONNREFUSED || errno == EAGAIN || errno == EINTR) {
      return std::optional<Datagram>();
    }
    return SocketError("cannot receive from UDP socket");
  }
  auto source = net::SocketAddress::FromSockaddr(
      reinterpret_cast<sockaddr*>(&from), len);
  if (!source.ok()) return source.status();
  return std::optional<Datagram>(
      Datagram{std::string(buffer, static_cast<size_t>(n)), *source});
}

absl::StatusOr<net::SocketAddress> LocalAddressOf(int fd) {
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) {
    return SocketError("cannot read a UDP socket's local address");
  }
  return net::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&bound),
                                          len);
}

absl::StatusOr<net::SocketAddress> RouteSourceFor(
    const net::SocketAddress& destination) {
  const int fd = socket(destination.is_ipv4() ? AF_INET : AF_INET6,
                        SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SocketError("cannot create a UDP socket");
  socklen_t len = 0;
  sockaddr_storage addr = destination.ToSockaddr(&len);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    absl::Status status = SocketError(
        absl::StrCat("no route to ", destination.ToString(),
                     " (check the host's default route)"));
    close(fd);
    return status;
  }
  sockaddr_storage local{};
  len = sizeof(local);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
  close(fd);
  auto address =
      net::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&local), len);
  if (!address.ok()) return address.status();
  return address->WithPort(0);
}

absl::StatusOr<std::vector<net::SocketAddress>> ResolveAll(
    absl::string_view host_port) {
  auto literal = net::SocketAddress::Parse(host_port);
  if (literal.ok()) return std::vector<net::SocketAddress>{*literal};
  const size_t colon = host_port.rfind(':');
  uint32_t port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(host_port.substr(colon + 1), &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", host_port, "\" is not HOST:PORT (e.g. stun.example.net:3478)"));
  }
  const std::string host(host_port.substr(0, colon));
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* result = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0) {
    return absl::NotFoundError(absl::StrCat("cannot resolve \"", host,
                                            "\": ", gai_strerror(rc)));
  }
  std::vector<net::SocketAddress> all;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    auto address = net::SocketAddress::FromSockaddr(ai->ai_addr, ai->ai_addrlen);
    if (!address.ok()) continue;
    const net::SocketAddress with_port =
        address->WithPort(static_cast<uint16_t>(port));
    if (std::find(all.begin(), all.end(), with_port) == all.end()) {
      all.push_back(with_port);
    }
  }
  freeaddrinfo(result);
  if (all.empty()) {
    return absl::NotFoundError(absl::StrCat("\"", host, "\" has no IP address"));
  }
  return all;
}

absl::StatusOr<net::SocketAddress> Resolve(absl::string_view host_port) {
  auto all = ResolveAll(host_port);
  if (!all.ok()) return all.status();
  for (const net::SocketAddress& a : *all) {
    if (a.is_ipv4()) return a;
  }
  return all->front();
}

}  // namespace natscope::io
