// natscope-server's syslog intake listener: RFC 6587 framing over TCP, or
// over TLS (RFC 5425), from rsyslog, syslog-ng and other standard log
// shippers. Decodes what arrives (syslog_framer.h, syslog_message.h) into
// IntakeMessages for an IntakeSink (server/intake/intake.h).
//
//   SyslogListenerOptions options;
//   options.listen = "0.0.0.0:6514";
//   options.tls = {cert_file, key_file};
//   options.clock = &RealClock::Get();
//   auto listener = SyslogListener::Start(options, &sink);
//   ...
//   (*listener)->Stop();
//
// One accept thread, and one thread per connection (at most
// max_connections; more are accepted and reset at once). Each connection
// reads, frames and parses what is available, then submits it to the sink
// in batches of up to max_batch messages: when the batch is full, or when
// nothing more can be read without waiting.
//
// Backpressure: a connection reads nothing more while its batch is not
// committed. When Submit fails with Unavailable or ResourceExhausted (or
// Aborted, DeadlineExceeded) the same batch is submitted again after the
// retry-after delay the status carries (common/retry_after.h, capped at
// 30 s) or else after 1 s, doubling up to 30 s. Meanwhile TCP flow control
// fills the shipper's window and its own queue (rsyslog's action queue,
// syslog-ng's disk buffer) holds the rest: nothing is dropped here. Any
// other error is taken as final: the batch is dropped, logged and counted
// in messages_refused.
//
// What is refused: a message that does not parse (malformed RFC 5424) is
// counted and dropped, with a rate-limited log line; the connection goes
// on. Only a framing error (an octet count that is not one, or over
// max_message_bytes) closes it: the stream cannot be resynchronised.
// Connections idle for idle_timeout are closed; a TLS client that has
// not finished its handshake after 30 s is reset.
//
// Stop(): stops accepting (connections still in the kernel's backlog are
// reset when the port closes). Then each connection is told to send no
// more (a FIN: TCP half-close, without a TLS close_notify, see
// SyslogStream::ShutdownWrite) and keeps reading and committing what is
// on its way until the shipper closes its side (rsyslog and syslog-ng see
// the FIN before their next write and send that write to the next
// server instead) or it has been quiet for 200 ms with no partial frame.
// At drain_timeout, what was read is still committed (one attempt), and
// a connection whose batch could not be committed or that holds a partial
// frame is reset (SO_LINGER 0): the shipper sees its connection fail
// rather than close. Plain TCP syslog has no acknowledgements: a message
// a shipper writes after the FIN reached it but before it looked is lost
// unless the shipper resends it; shippers that check before each write
// (rsyslog, syslog-ng) do not lose it. What was committed before is
// recognised by the sink as a duplicate if it comes again.
//
// Thread-safe. The sink and the clock must outlive the listener.
#ifndef NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_LISTENER_H_
#define NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_LISTENER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/io/tcp_socket.h"
#include "common/tls/tls.h"
#include "server/intake/intake.h"
#include "server/intake/syslog/syslog_connection.h"
#include "server/intake/syslog/syslog_stream.h"

namespace natscope::server::intake {

struct SyslogListenerOptions {
  // HOST:PORT (--syslog_listen): "0.0.0.0:6514", "[::1]:0",
  // "localhost:514"; port 0 picks a free one.
  std::string listen;
  // TLS (RFC 5425) with cert_file and key_file (--tls_cert, --tls_key).
  // Without them plaintext, only on a loopback address or with
  // tls.plaintext (--syslog_plaintext).
  tls::ServerTlsOptions tls;
  // Longest message; a longer octet-counted frame closes the connection,
  // a longer line is truncated (syslog_framer.h).
  size_t max_message_bytes = 64 * 1024;
  int max_connections = 256;
  absl::Duration idle_timeout = absl::Minutes(10);
  // Messages per IntakeSink::Submit (a batch is also submitted once it
  // holds 1 MiB of frames, which bounds a connection's memory).
  size_t max_batch = 512;
  // How long Stop() lets connections finish.
  absl::Duration drain_timeout = absl::Seconds(5);
  // The zone of RFC 3164 timestamps, which carry none (syslog_message.h).
  absl::TimeZone bsd_time_zone = absl::UTCTimeZone();
  // Required. Deadlines, retry delays and message times come from it; the
  // 200 ms quiet period of Stop() and poll ticks are socket waits.
  const Clock* clock = nullptr;
};

// The checks Start makes before binding: the address's form, the TLS
// flags' consistency and the plaintext rule. InvalidArgument, one line,
// naming the flags to change.
absl::Status CheckSyslogListenerOptions(const SyslogListenerOptions& options);

class SyslogListener {
 public:
  // Checks the options, loads the certificate (NotFound, PermissionDenied,
  // InvalidArgument naming the flag), binds (FailedPrecondition or
  // Unavailable when it cannot) and starts accepting. `sink` must outlive
  // the listener.
  static absl::StatusOr<std::unique_ptr<SyslogListener>> Start(
      SyslogListenerOptions options, IntakeSink* sink);
  ~SyslogListener();  // Stop().
  SyslogListener(const SyslogListener&) = delete;
  SyslogListener& operator=(const SyslogListener&) = delete;

  // The bound port.
  int port() const { return port_; }
  // True when serving TLS.
  bool tls() const { return tls_ != nullptr; }
  // Drains and closes every connection as described above, then returns.
  // Idempotent.
  void Stop();

  SyslogCounters counters() const { return state_.counters.Snapshot(); }

 private:
  SyslogListener(SyslogListenerOptions options, IntakeSink* sink,
                 io::TcpListener listener,
                 std::shared_ptr<SyslogTlsContext> tls);
  void AcceptLoop();
  void Admit(io::TcpConnection connection);
  // Joins the threads of connections that have ended.
  void Reap();

  struct Worker {
    std::thread thread;
    std::atomic<bool> done{false};
  };

  const SyslogListenerOptions options_;
  io::TcpListener listener_;
  const std::shared_ptr<SyslogTlsContext> tls_;
  const int port_;
  ConnectionState state_;
  std::thread accept_thread_;
  std::list<Worker> workers_;  // Only the accept thread, then Stop().
  std::atomic<bool> stopped_{false};
};

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_LISTENER_H_
