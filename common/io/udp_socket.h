// A UDP socket: the thin OS adapter under the prober and the responder.
//
// Owns one file descriptor; movable, not copyable. Not thread-safe, except
// that Send and Receive may run concurrently from two threads.
#ifndef NATSCOPE_COMMON_IO_UDP_SOCKET_H_
#define NATSCOPE_COMMON_IO_UDP_SOCKET_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/net/socket_address.h"

namespace natscope::io {

struct Datagram {
  std::string payload;
  net::SocketAddress source;
};

class UdpSocket {
 public:
  // Binds to `local` (port 0 picks one). Errors name the address and say
  // what to do (e.g. the port is in use).
  static absl::StatusOr<UdpSocket> Bind(const net::SocketAddress& local);

  UdpSocket(UdpSocket&& other) noexcept;
  UdpSocket& operator=(UdpSocket&& other) noexcept;
  ~UdpSocket();

  // The bound address, with the port the kernel chose.
  const net::SocketAddress& local_address() const { return local_; }

  absl::Status SendTo(absl::string_view payload, const net::SocketAddress& to);

  // Waits up to `timeout` for one datagram; nullopt on timeout.
  absl::StatusOr<std::optional<Datagram>> Receive(absl::Duration timeout);

  int fd() const { return fd_; }

 private:
  UdpSocket(int fd, net::SocketAddress local) : fd_(fd), local_(local) {}

  int fd_ = -1;
  net::SocketAddress local_;
};

// The local IP address the kernel would use to reach `destination`, with
// port 0. Sends nothing (a UDP connect only consults the routing table).
absl::StatusOr<net::SocketAddress> RouteSourceFor(
    const net::SocketAddress& destination);

// `what`: strerror(errno), as the status socket calls fail with:
// FailedPrecondition for EADDRINUSE and EACCES (pick another address),
// Unavailable otherwise. Reads errno: call right after the failing call.
absl::Status SocketError(absl::string_view what);

// The address socket `fd` is bound to (getsockname).
absl::StatusOr<net::SocketAddress> LocalAddressOf(int fd);

// Resolves "HOST:PORT" (or "[v6]:PORT") to one address, preferring IPv4.
// InvalidArgument for bad syntax, NotFound when the name does not resolve.
absl::StatusOr<net::SocketAddress> Resolve(absl::string_view host_port);

// Every address of "HOST:PORT", once each, in the resolver's order (a
// literal: itself). Errors as Resolve's.
absl::StatusOr<std::vector<net::SocketAddress>> ResolveAll(
    absl::string_view host_port);

}  // namespace natscope::io

#endif  // NATSCOPE_COMMON_IO_UDP_SOCKET_H_
