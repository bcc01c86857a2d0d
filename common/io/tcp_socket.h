// Non-blocking TCP sockets for servers that poll(): a listener and the
// connections it accepts. The thin OS adapter under natscope-server's
// STUN over TCP.
//
// Each object owns one file descriptor; movable, not copyable, not
// thread-safe. Nothing here blocks.
#ifndef NATSCOPE_COMMON_IO_TCP_SOCKET_H_
#define NATSCOPE_COMMON_IO_TCP_SOCKET_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/net/socket_address.h"

namespace natscope::io {

class TcpConnection {
 public:
  TcpConnection(TcpConnection&& other) noexcept;
  TcpConnection& operator=(TcpConnection&& other) noexcept;
  ~TcpConnection();  // Closes gracefully (FIN).

  const net::SocketAddress& peer() const { return peer_; }
  int fd() const { return fd_; }

  // Up to `max` bytes: empty when none are waiting. OutOfRange when the
  // peer has closed its side (end of stream); Unavailable when the
  // connection failed (e.g. reset).
  absl::StatusOr<std::string> Read(size_t max);
  // Hands what the kernel takes of `bytes` to it and says how many: 0 when
  // its send buffer is full. Unavailable when the peer is gone. Never
  // raises SIGPIPE.
  absl::StatusOr<size_t> Write(absl::string_view bytes);
  // Closes at once with a reset (RST) instead of a FIN, so the server
  // keeps no TIME_WAIT state for the connection. Idempotent.
  void Abort();

 private:
  friend class TcpListener;
  TcpConnection(int fd, net::SocketAddress peer) : fd_(fd), peer_(peer) {}

  int fd_ = -1;
  net::SocketAddress peer_;
};

class TcpListener {
 public:
  // Listens on `local` (port 0 picks one) with SO_REUSEADDR, so that a
  // restarted server can listen again while its old connections are in
  // TIME_WAIT (on Linux it still refuses a port another socket listens
  // on). FailedPrecondition (port in use) or Unavailable, naming the
  // address.
  static absl::StatusOr<TcpListener> Listen(const net::SocketAddress& local,
                                            int backlog = 128);

  TcpListener(TcpListener&& other) noexcept;
  TcpListener& operator=(TcpListener&& other) noexcept;
  ~TcpListener();

  // The bound address, with the port the kernel chose.
  const net::SocketAddress& local_address() const { return local_; }
  int fd() const { return fd_; }

  // One waiting connection, non-blocking itself; nullopt when none waits
  // (or it went away before being accepted). ResourceExhausted when the
  // process or system is out of file descriptors; Unavailable otherwise.
  absl::StatusOr<std::optional<TcpConnection>> Accept();

 private:
  TcpListener(int fd, net::SocketAddress local) : fd_(fd), local_(local) {}

  int fd_ = -1;
  net::SocketAddress local_;
};

}  // namespace natscope::io

#endif  // NATSCOPE_COMMON_IO_TCP_SOCKET_H_
