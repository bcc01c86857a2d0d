#include "ingest/probe/real_probe_network.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/io/udp_socket.h"

namespace natscope::ingest {
namespace {

// poll()'s timeout until `deadline`, rounded up to whole milliseconds so
// that a wait never ends before its deadline.
int PollMillis(const Clock& clock, absl::Time deadline) {
  const absl::Duration left = deadline - clock.Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(
      absl::ToInt64Milliseconds(left + absl::Microseconds(999)), 1 << 30));
}

// What WaitAny needs of the sockets it polls.
class RealSocket : public DatagramSocket {
 public:
  virtual int fd() const = 0;
};

class BoundSocket final : public RealSocket {
 public:
  BoundSocket(io::UdpSocket socket, const Clock& clock)
      : socket_(std::move(socket)), clock_(clock) {}

  net::SocketAddress local_address() const override {
    return socket_.local_address();
  }
  absl::Status SendTo(absl::string_view payload,
                      const net::SocketAddress& to) override {
    return socket_.SendTo(payload, to);
  }
  absl::StatusOr<Receipt> ReceiveUntil(absl::Time deadline) override {
    auto datagram = socket_.Receive(
        std::max(absl::ZeroDuration(), deadline - clock_.Now()));
    if (!datagram.ok()) return datagram.status();
    Receipt receipt;
    if (datagram->has_value()) {
      receipt.kind = Receipt::Kind::kDatagram;
      receipt.datagram = std::move(**datagram);
    }
    return receipt;
  }
  int fd() const override { return socket_.fd(); }

 private:
  io::UdpSocket socket_;
  const Clock& clock_;
};

// A non-blocking socket connect()ed to one remote, so that the kernel
// reports that remote's ICMP "port unreachable" as ECONNREFUSED.
class ConnectedSocket final : public RealSocket {
 public:
  ConnectedSocket(int fd, net::SocketAddress local, net::SocketAddress remote,
                  const Clock& clock)
      : fd_(fd), local_(local), remote_(remote), clock_(clock) {}
  ConnectedSocket(const ConnectedSocket&) = delete;
  ConnectedSocket& operator=(const ConnectedSocket&) = delete;
  ~ConnectedSocket() override { close(fd_); }

  net::SocketAddress local_address() const override { return local_; }
  absl::Status SendTo(absl::string_view payload,
                      const net::SocketAddress& /*to*/) override {
    if (send(fd_, payload.data(), payload.size(), 0) < 0) {
      return io::SocketError(absl::StrCat("cannot send to ", remote_.ToString()));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<Receipt> ReceiveUntil(absl::Time deadline) override;
  int fd() const override { return fd_; }

 private:
  int fd_;
  net::SocketAddress local_;
  net::SocketAddress remote_;
  const Clock& clock_;
};

absl::StatusOr<Receipt> ConnectedSocket::ReceiveUntil(absl::Time deadline) {
  Receipt receipt;
  pollfd pfd{fd_, POLLIN | POLLERR, 0};
  const int ready = poll(&pfd, 1, PollMillis(clock_, deadline));
  if (ready < 0 && errno != EINTR) return io::SocketError("poll on UDP socket failed");
  if (ready <= 0) return receipt;
  char buffer[65536];
  const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
  if (n < 0) {
    if (errno == ECONNREFUSED) receipt.kind = Receipt::Kind::kRefused;
    if (errno == ECONNREFUSED || errno == EAGAIN || errno == EWOULDBLOCK ||
        errno == EINTR) {
      return receipt;
    }
    return io::SocketError(absl::StrCat("cannot receive from ", remote_.ToString()));
  }
  receipt.kind = Receipt::Kind::kDatagram;
  receipt.datagram = {std::string(buffer, static_cast<size_t>(n)), remote_};
  return receipt;
}

}  // namespace

absl::StatusOr<net::SocketAddress> RealProbeNetwork::Resolve(
    absl::string_view host_port) {
  return io::Resolve(host_port);
}

absl::StatusOr<std::vector<net::SocketAddress>> RealProbeNetwork::ResolveAll(
    absl::string_view host_port) {
  return io::ResolveAll(host_port);
}

absl::StatusOr<net::SocketAddress> RealProbeNetwork::RouteSourceFor(
    const net::SocketAddress& destination) {
  return io::RouteSourceFor(destination);
}

absl::StatusOr<std::unique_ptr<DatagramSocket>> RealProbeNetwork::Bind(
    const net::SocketAddress& local) {
  auto socket = io::UdpSocket::Bind(local);
  if (!socket.ok()) return socket.status();
  return std::make_unique<BoundSocket>(std::move(socket).value(), clock_);
}

absl::StatusOr<std::unique_ptr<DatagramSocket>> RealProbeNetwork::Connect(
    const net::SocketAddress& remote) {
  socklen_t len = 0;
  sockaddr_storage addr = remote.ToSockaddr(&len);
  const int fd =
      socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return io::SocketError("cannot create a UDP socket");
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    absl::Status status = io::SocketError(
        absl::StrCat("cannot connect a UDP socket to ", remote.ToString()));
    close(fd);
    return status;
  }
  auto local_address = io::LocalAddressOf(fd);
  if (!local_address.ok()) {
    close(fd);
    return local_address.status();
  }
  return std::make_unique<ConnectedSocket>(fd, *local_address, remote, clock_);
}

absl::StatusOr<int> RealProbeNetwork::WaitAny(
    absl::Span<DatagramSocket* const> sockets, absl::Time deadline) {
  std::vector<pollfd> fds;
  for (DatagramSocket* socket : sockets) {
    const auto* real = dynamic_cast<const RealSocket*>(socket);
    if (real == nullptr) {
      return absl::InvalidArgumentError(
          "WaitAny was given a socket that RealProbeNetwork did not open");
    }
    fds.push_back({real->fd(), POLLIN | POLLERR, 0});
  }
  const int ready = poll(fds.data(), fds.size(), PollMillis(clock_, deadline));
  if (ready < 0 && errno != EINTR) return io::SocketError("poll on UDP sockets failed");
  for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
    if (fds[i].revents != 0) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace natscope::ingest
