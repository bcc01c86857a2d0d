// natscope-server's STUN responder: answers Binding requests over UDP.
//
// The protocol step (StunResponse) is pure; StunResponder runs it on a
// socket in a thread of its own.
#ifndef NATSCOPE_SERVER_STUN_RESPONDER_H_
#define NATSCOPE_SERVER_STUN_RESPONDER_H_

#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/io/udp_socket.h"
#include "common/net/socket_address.h"

namespace natscope::server {

// The bytes to send back to `source` for the datagram `request`, or nullopt
// when it deserves no answer (not STUN, not a request, malformed). A
// Binding request gets a success response with XOR-MAPPED-ADDRESS,
// MAPPED-ADDRESS, RESPONSE-ORIGIN (when `local` is not a wildcard),
// SOFTWARE and FINGERPRINT; one with unknown comprehension-required
// attributes gets error 420 listing them; any other method gets error 400.
std::optional<std::string> StunResponse(absl::string_view request,
                                        const net::SocketAddress& source,
                                        const net::SocketAddress& local);

class StunResponder {
 public:
  // Binds `listen` (port 0 picks one). Errors say which address and why.
  static absl::StatusOr<std::unique_ptr<StunResponder>> Start(
      const net::SocketAddress& listen);
  // Stops the thread and closes the socket.
  ~StunResponder();

  const net::SocketAddress& local_address() const { return socket_.local_address(); }

 private:
  explicit StunResponder(io::UdpSocket socket);
  void Loop();

  io::UdpSocket socket_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_RESPONDER_H_
