#include "common/io/tcp_socket.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/io/udp_socket.h"

namespace natscope::io {

TcpConnection::TcpConnection(TcpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), peer_(other.peer_) {}

TcpConnection& TcpConnection::operator=(TcpConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    peer_ = other.peer_;
  }
  return *this;
}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<std::string> TcpConnection::Read(size_t max) {
  std::string buffer(max, '\0');
  const ssize_t n = recv(fd_, buffer.data(), max, MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      return std::string();
    }
    return SocketError(absl::StrCat("cannot read from ", peer_.ToString()));
  }
  if (n == 0 && max > 0) {
    return absl::OutOfRangeError(
        absl::StrCat(peer_.ToString(), " closed the connection"));
  }
  buffer.resize(static_cast<size_t>(n));
  return buffer;
}

absl::StatusOr<size_t> TcpConnection::Write(absl::string_view bytes) {
  const ssize_t n =
      send(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    return SocketError(absl::StrCat("cannot write to ", peer_.ToString()));
  }
  return static_cast<size_t>(n);
}

void TcpConnection::Abort() {
  if (fd_ < 0) return;
  const linger reset{1, 0};
  (void)setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
  close(std::exchange(fd_, -1));
}

absl::StatusOr<TcpListener> TcpListener::Listen(const net::SocketAddress& local,
                                                int backlog) {
  const int fd = socket(local.is_ipv4() ? AF_INET : AF_INET6,
                        SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return SocketError("cannot create a TCP socket");
  const int on = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  socklen_t len = 0;
  sockaddr_storage addr = local.ToSockaddr(&len);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(fd, backlog) != 0) {
    absl::Status status = SocketError(
        absl::StrCat("cannot listen on TCP ", local.ToString(),
                     " (is another process using the port? pick another)"));
    close(fd);
    return status;
  }
  auto bound = LocalAddressOf(fd);
  if (!bound.ok()) {
    close(fd);
    return bound.status();
  }
  return TcpListener(fd, *bound);
}

TcpListener::TcpListener(TcpListener&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), local_(other.local_) {}

TcpListener& TcpListener::operator=(TcpListener&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = other.local_;
  }
  return *this;
}

TcpListener::~TcpListener() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<std::optional<TcpConnection>> TcpListener::Accept() {
  sockaddr_storage from{};
  socklen_t len = sizeof(from);
  const int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&from), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    switch (errno) {
      case EAGAIN:
#if EWOULDBLOCK != EAGAIN
      case EWOULDBLOCK:
#endif
      case EINTR:
      case ECONNABORTED:
      case EPROTO:
        return std::optional<TcpConnection>();
      case EMFILE:
      case ENFILE:
      case ENOBUFS:
      case ENOMEM:
        return absl::ResourceExhaustedError(absl::StrCat(
            "cannot accept on TCP ", local_.ToString(),
            ": out of file descriptors or memory (raise ulimit -n, or "
            "lower the connection limits)"));
      default:
        return SocketError(
            absl::StrCat("cannot accept on TCP ", local_.ToString()));
    }
  }
  auto peer =
      net::SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&from), len);
  if (!peer.ok()) {
    close(fd);
    return std::optional<TcpConnection>();
  }
  return std::optional<TcpConnection>(TcpConnection(fd, *peer));
}

}  // namespace natscope::io
