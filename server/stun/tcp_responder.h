// natscope-server's STUN over TCP (RFC 8489 §6.2.2): the socket adapter
// around StunStreamFramer and StunTcpCore. TCP listeners stand on the same
// IP:port as the UDP STUN sockets; each request is answered on its own
// connection.
//
// One thread polls every listener and connection. It has its own cores and
// its own RateLimiter (StunServerCore is thread-compatible only), built
// from the UDP responder's options, so a source's TCP and UDP replies are
// limited separately. Limits:
//  - at most max_connections open, at most max_connections_per_source from
//    one source (an IPv4 address or IPv6 /64, as RateLimitKey); past
//    either a connection is accepted and reset at once, so the listen
//    backlog never fills with connections no one will serve;
//  - a connection with no complete request for idle_timeout is closed
//    (a partial message does not count: a byte a minute keeps nothing
//    open);
//  - a stream that is not STUN, or declares a message over max_body_bytes,
//    is closed (StunStreamFramer); so is one with an undecodable message,
//    or a source over its rate limit (StunTcpCore);
//  - a peer that does not read its replies is closed once more than
//    max_output_bytes wait for it.
// counters() may be read from any thread.
#ifndef NATSCOPE_SERVER_STUN_TCP_RESPONDER_H_
#define NATSCOPE_SERVER_STUN_TCP_RESPONDER_H_

#include <poll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/io/tcp_socket.h"
#include "common/io/udp_socket.h"
#include "common/metrics/metrics.h"
#include "common/net/socket_address.h"
#include "server/stun/rate_limiter.h"
#include "server/stun/stun_server_core.h"
#include "server/stun/stun_stream_framer.h"
#include "server/stun/stun_tcp_core.h"

namespace natscope::server {

struct StunTcpOptions {
  // STUN over TCP beside every UDP STUN socket (--stun_tcp).
  bool enabled = true;
  size_t max_connections = 256;            // --stun_tcp_max_connections
  size_t max_connections_per_source = 16;  // ..._per_source
  absl::Duration idle_timeout = absl::Seconds(10);  // --stun_tcp_idle_timeout
  size_t max_body_bytes = kDefaultMaxStunBodyBytes;
  // Replies waiting for a peer that does not read. Far above what a client
  // that reads can leave behind: the kernel's send buffer takes those.
  size_t max_output_bytes = 16 * 1024;
  int backlog = 128;
};

struct StunTcpCounters {
  int64_t accepted = 0;            // Connections served.
  int64_t refused_total = 0;       // Reset at once: max_connections open.
  int64_t refused_per_source = 0;  // Reset at once: the source's limit.
  int64_t open = 0;                // Open now.
  int64_t idle_closed = 0;         // No complete request for idle_timeout.
  int64_t framing_errors = 0;      // Not STUN, too long, or undecodable.
  int64_t slow_readers = 0;        // Closed: max_output_bytes waited.
  int64_t rate_limited = 0;        // Closed: the source was over its limit.
  StunServerCounters stun;         // Messages, summed over the listeners.
};

// A TCP listener and the STUN server it stands for.
struct StunTcpListener {
  io::TcpListener socket;
  StunServerConfig config;  // The UDP server's, whose addresses it shares.
  StunSocket on = StunSocket::kPrimary;  // Which of them it is.
};

class StunTcpResponder {
 public:
  // Serves `listeners` on a thread of its own until destroyed. `clock`
  // (for idle timeouts and the rate limiter) must outlive the responder.
  // InvalidArgument for a config StunServerCore refuses.
  static absl::StatusOr<std::unique_ptr<StunTcpResponder>> Start(
      std::vector<StunTcpListener> listeners, const StunTcpOptions& options,
      const RateLimiterOptions& rate_limit, const Clock& clock);
  // Stops the thread, closes every socket, logs the counters.
  ~StunTcpResponder();

  // "STUN over TCP on the same ports (at most 256 connections, 16 per
  // source, idle 10s)", for the startup log.
  std::string Describe() const;
  // The listeners' addresses, in the order given to Start.
  std::vector<net::SocketAddress> addresses() const;
  StunTcpCounters counters() const;

 private:
  struct Connection {
    io::TcpConnection socket;
    size_t listener;            // Index in listeners_ and cores_.
    net::SocketAddress source;  // RateLimitKey(peer).
    StunStreamFramer framer;
    std::string out;          // Replies the kernel has not taken yet.
    absl::Time last_request;  // Or when accepted.
    bool eof = false;         // The peer closed its side.
    bool done = false;        // To be closed at the end of the round.
  };

  StunTcpResponder(const StunTcpOptions& options,
                   const RateLimiterOptions& rate_limit, const Clock& clock)
      : options_(options), clock_(clock), limiter_(rate_limit) {}
  void Loop();
  // One round after poll(): `fds` as polled, listeners first.
  void Round(const std::vector<pollfd>& fds, bool* pause_accept);
  // False when accepting failed for lack of resources: pause a round.
  bool AcceptAll(size_t listener, absl::Time now);
  void Serve(Connection& c, short revents, absl::Time now);
  void ReadFrom(Connection& c, absl::Time now);
  void Answer(Connection& c, const std::string& message, absl::Time now);
  void Flush(Connection& c);
  void CloseIdle(absl::Time now);
  void RemoveDone();

  const StunTcpOptions options_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  RateLimiter limiter_;
  std::vector<StunTcpListener> listeners_;
  std::vector<StunTcpCore> cores_;
  std::vector<std::unique_ptr<Connection>> connections_;
  absl::flat_hash_map<net::SocketAddress, size_t> per_source_;
  StunTcpCounters counters_;
  int64_t accept_errors_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<metrics::CallbackHandle> metrics_;
};

// UDP sockets and the TCP listeners on their addresses (none when TCP is
// off), in the same order.
struct UdpAndTcpSockets {
  std::vector<io::UdpSocket> udp;
  std::vector<io::TcpListener> tcp;
};

// Binds UDP sockets with `bind_udp`, then, when `tcp`, a TCP listener on
// each one's address. `kernel_chosen` says the UDP ports came from port 0:
// then a TCP port already taken makes it bind the whole set again (see
// the .cc). Errors: bind_udp's, or the TCP listener's naming the address
// and --nostun_tcp; nothing stays bound on failure.
absl::StatusOr<UdpAndTcpSockets> BindUdpAndTcp(
    const std::function<absl::StatusOr<std::vector<io::UdpSocket>>()>& bind_udp,
    bool tcp, bool kernel_chosen, int backlog);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_TCP_RESPONDER_H_
