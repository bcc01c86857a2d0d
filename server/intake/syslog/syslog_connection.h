// One syslog connection's loop (read, frame, parse, submit in batches,
// back off), and what the listener shares with its connections. Part of
// syslog_listener (see syslog_listener.h for the behaviour); not for
// other callers.
#ifndef NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_CONNECTION_H_
#define NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_CONNECTION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/log.h"
#include "server/intake/intake.h"
#include "server/intake/syslog/syslog_stream.h"

namespace natscope::server::intake {

// A listener's counters, for metrics.
struct SyslogCounters {
  int64_t connections_total = 0;  // Accepted and served.
  int64_t connections_open = 0;
  int64_t connections_refused = 0;  // Over max_connections: reset at once.
  int64_t messages_total = 0;       // Frames received.
  // Frames that did not parse, messages the sink rejected, and batches
  // dropped on a final (not retryable) Submit error.
  int64_t messages_refused = 0;
  int64_t messages_truncated = 0;  // Lines cut to max_message_bytes.
  int64_t bytes_total = 0;         // Read from the sockets (after TLS).
  int64_t submit_retries_total = 0;
};

struct AtomicSyslogCounters {
  std::atomic<int64_t> connections_total{0};
  std::atomic<int64_t> connections_open{0};
  std::atomic<int64_t> connections_refused{0};
  std::atomic<int64_t> messages_total{0};
  std::atomic<int64_t> messages_refused{0};
  std::atomic<int64_t> messages_truncated{0};
  std::atomic<int64_t> bytes_total{0};
  std::atomic<int64_t> submit_retries_total{0};
  SyslogCounters Snapshot() const;
};

// At most one warning line per interval, whatever its kind, so that a
// shipper sending garbage cannot flood the log; the lines held back are
// counted in the next one ("suppressed=N"). Thread-safe.
class RateLimitedLog {
 public:
  RateLimitedLog(const Clock* clock, absl::Duration interval)
      : clock_(clock), interval_(interval) {}
  void Warn(absl::string_view message, LogFields fields);

 private:
  const Clock* const clock_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

struct ConnectionLimits {
  size_t max_message_bytes = 0;
  size_t max_batch = 1;
  absl::Duration idle_timeout;
  absl::TimeZone zone;
};

// Shared by a listener and its connections; outlives them.
struct ConnectionState {
  ConnectionState(const Clock* clock, IntakeSink* sink, ConnectionLimits l)
      : clock(clock), sink(sink), limits(l), log(clock, absl::Seconds(10)) {}
  const Clock* const clock;
  IntakeSink* const sink;
  const ConnectionLimits limits;
  AtomicSyslogCounters counters;
  RateLimitedLog log;
  std::atomic<bool> stopping{false};  // Stop() called: drain.
  std::atomic<bool> abandon{false};   // drain_timeout passed: reset.
  // Set by the last connection to end once stopping.
  std::atomic<bool> all_closed{false};
};

// Serves one connection, accepted at `accepted` (its idle time counts
// from then), until it ends; counts it in connections_open until then.
// Runs on the connection's own thread.
void ServeSyslogConnection(std::unique_ptr<SyslogStream> stream,
                           ConnectionState* state, absl::Time accepted);

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_CONNECTION_H_
