// natscope-server's UDP probe responder: the thin socket adapter around
// StunServerCore (RFC 5780 STUN on up to four sockets, plus extra plain
// STUN ports) and QuicResponderCore (Version Negotiation on a QUIC port).
//
// One thread polls every socket; the cores, and the rate limiter they
// share, run on it. STUN over TCP (tcp_responder.h) listens on the same
// IP:port as every STUN socket, on a thread, cores and rate limiter of its
// own. counters() may be read from any thread.
#ifndef NATSCOPE_SERVER_STUN_RESPONDER_H_
#define NATSCOPE_SERVER_STUN_RESPONDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/io/udp_socket.h"
#include "common/metrics/metrics.h"
#include "common/net/socket_address.h"
#include "server/stun/quic_responder_core.h"
#include "server/stun/rate_limiter.h"
#include "server/stun/stun_server_core.h"
#include "server/stun/tcp_responder.h"

namespace natscope::server {

struct StunResponderOptions {
  // A1:P1, the primary STUN socket; nullopt turns STUN off. Port 0 picks
  // a free port (and, with an alternate IP, a free pair P1, P1+1), free
  // for TCP too when tcp.enabled.
  std::optional<net::SocketAddress> stun_listen;
  // A2 (its port is ignored): with it the server is RFC 5780 capable.
  std::optional<net::SocketAddress> stun_alt_ip;
  // P2; 0 means P1 + 1.
  uint16_t stun_alt_port = 0;
  // Extra single-address STUN ports on A1 (0 picks a free one).
  std::vector<uint16_t> stun_ports;
  // The QUIC Version Negotiation socket; nullopt turns it off.
  std::optional<net::SocketAddress> quic_listen;
  RateLimiterOptions rate_limit;
  // STUN over TCP on every STUN socket's address (not the QUIC port's);
  // its own rate limiter takes rate_limit's options.
  StunTcpOptions tcp;
};

struct StunResponderCounters {
  StunServerCounters stun;  // Summed over the RFC 5780 set and extra ports.
  QuicResponderCounters quic;
  StunTcpCounters tcp;  // Zero when STUN over TCP is off.
};

class StunResponder {
 public:
  // Binds every socket and starts the thread. Errors name the address and
  // the flag to change; nothing stays bound on failure. `clock` must
  // outlive the responder.
  static absl::StatusOr<std::unique_ptr<StunResponder>> Start(
      const StunResponderOptions& options,
      const Clock& clock = RealClock::Get());
  // Stops the thread, closes the sockets, logs the counters.
  ~StunResponder();

  // Bound addresses, with the ports the kernel chose; nullopt when off.
  std::optional<net::SocketAddress> stun_address() const;
  std::optional<net::SocketAddress> stun_alt_address() const;  // A2:P2.
  std::vector<net::SocketAddress> extra_stun_addresses() const;
  std::optional<net::SocketAddress> quic_address() const;

  // "stun=P1\n", then "stun_alt=P2\n", "stun_ports=P,P\n" and "quic=Q\n"
  // for what is on ("stun=0\n" when STUN is off), for --port_file.
  std::string PortFileLines() const;
  // One line for the startup log, e.g. "STUN on 127.0.0.1:3478 (RFC 5780
  // alternate 127.0.0.2:3479), QUIC VN on 127.0.0.1:4433".
  std::string Describe() const;

  StunResponderCounters counters() const;

 private:
  // One bound socket and which core answers on it.
  struct Endpoint {
    io::UdpSocket socket;
    enum class Kind { kRfc5780, kPlain, kQuic } kind;
    StunSocket which = StunSocket::kPrimary;  // kRfc5780 only.
    size_t plain_index = 0;                   // kPlain and kQuic.
  };

  StunResponder(const Clock& clock, RateLimiterOptions rate_limit);
  absl::Status BindAll(const StunResponderOptions& options);
  // Tells every core which ports to list in NATSCOPE-PORTS.
  void Advertise();
  // One extra single-address STUN socket, and its TCP twin when TCP is on.
  absl::Status BindPlain(const net::SocketAddress& address,
                         const StunTcpOptions& tcp);
  void Loop();
  void Serve(Endpoint& endpoint, const io::Datagram& datagram);
  Endpoint* Rfc5780Endpoint(StunSocket which);

  const Clock& clock_;
  mutable absl::Mutex mu_;
  RateLimiter limiter_;
  std::optional<StunServerCore> rfc5780_;
  std::vector<StunServerCore> plain_;
  std::optional<QuicResponderCore> quic_;
  std::vector<Endpoint> endpoints_;
  // Bound by BindAll, then handed to tcp_, which serves them.
  std::vector<StunTcpListener> tcp_listeners_;
  std::unique_ptr<StunTcpResponder> tcp_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  // counters() as natscope_stun_* metrics; last, so unregistered first.
  std::vector<metrics::CallbackHandle> metrics_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_RESPONDER_H_
