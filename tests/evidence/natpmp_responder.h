// A scripted NAT-PMP server (RFC 6886) for tests: answers the external
// address request (opcode 0) with a configured address and result code,
// answers any other version (e.g. PCP) with "unsupported version" and any
// other opcode with "unsupported opcode", exactly as the RFC's wire format
// says. It stands in for a router whose external address is private or
// CGNAT, which stock miniupnpd refuses to announce (see DESIGN.md).
//
// Serves on its own thread from Start() until destroyed. Thread-safe.
#ifndef NATSCOPE_TESTS_EVIDENCE_NATPMP_RESPONDER_H_
#define NATSCOPE_TESTS_EVIDENCE_NATPMP_RESPONDER_H_

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "common/io/udp_socket.h"
#include "common/net/socket_address.h"

namespace natscope::tests {

class NatPmpResponder {
 public:
  struct Options {
    // Where to listen; port 0 picks one (a real gateway uses 5351).
    net::SocketAddress listen;
    // The IPv4 address announced as external.
    net::SocketAddress external;
    // 0 success; 3 "network failure" is what miniupnpd answers when its
    // external address is private.
    uint16_t result_code = 0;
  };

  // Binds and starts serving. Errors as io::UdpSocket::Bind.
  static absl::StatusOr<std::unique_ptr<NatPmpResponder>> Start(
      const Options& options);
  ~NatPmpResponder();

  // The bound address.
  net::SocketAddress address() const { return socket_.local_address(); }
  // Requests answered so far.
  int requests() const { return requests_.load(); }

 private:
  NatPmpResponder(const Options& options, io::UdpSocket socket);
  void Serve();

  const Options options_;
  io::UdpSocket socket_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// The answer to one request datagram; empty when it deserves none (a
// response, or fewer than 2 bytes). Pure; exposed for tests.
std::string NatPmpAnswer(absl::string_view request,
                         const NatPmpResponder::Options& options,
                         uint32_t epoch_seconds);

}  // namespace natscope::tests

#endif  // NATSCOPE_TESTS_EVIDENCE_NATPMP_RESPONDER_H_
