// Test helpers for syslog_listener's tests: a fake IntakeSink and
// blocking loopback client sockets.
#ifndef NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_TEST_UTIL_H_
#define NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "server/intake/intake.h"
#include "server/intake/syslog/syslog_listener.h"

namespace natscope::server::intake::syslog_testing {

// How long a test waits for something that should happen at once.
inline constexpr absl::Duration kWait = absl::Seconds(20);

// Stores every message it accepts; fails the first `failures` calls with
// Unavailable, with a retry-after payload when retry_after_ms >= 0.
// Thread-safe.
class FakeSink : public IntakeSink {
 public:
  explicit FakeSink(int failures = 0, int retry_after_ms = -1)
      : failures_(failures), retry_after_ms_(retry_after_ms) {}

  absl::StatusOr<SubmitResult> Submit(std::vector<IntakeMessage> messages,
                                      absl::Time received) override;

  // Waits (up to kWait) until `n` messages have been accepted; returns
  // all accepted so far.
  std::vector<IntakeMessage> WaitFor(size_t n);
  int calls();
  size_t size();
  // The most messages one Submit carried.
  size_t largest_batch();

 private:
  absl::Mutex mu_;
  int failures_ ABSL_GUARDED_BY(mu_);
  const int retry_after_ms_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  size_t largest_batch_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<IntakeMessage> received_ ABSL_GUARDED_BY(mu_);
};

// A blocking client socket connected to 127.0.0.1:port, with a receive
// timeout of kWait.
int Connect(int port);
void SendAll(int fd, absl::string_view bytes);
// What recv() says once the server ends the connection: 0 for a FIN,
// -1 with *error ECONNRESET for a reset.
int RecvEnd(int fd, int* error);

// Polls `done` until it is true (true) or kWait passes (false).
template <typename F>
bool WaitUntil(F done) {
  const absl::Time deadline = absl::Now() + kWait;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

// Plaintext on 127.0.0.1, a free port.
SyslogListenerOptions Loopback(const Clock* clock);
// nullptr (and a test failure) when Start fails.
std::unique_ptr<SyslogListener> StartOrDie(SyslogListenerOptions options,
                                           IntakeSink* sink);
std::string OctetCounted(absl::string_view message);

// An RFC 3164 line carrying the token element in MSG, and an RFC 5424
// message carrying it in SD.
inline constexpr char kTokenLine[] =
    "<30>Dec  6 19:10:00 laptop natscope[42]: [natscope@32473 token=\"tok\" "
    "role=\"client\"] probe ok\n";
inline constexpr char k5424[] =
    "<13>1 2026-12-06T19:14:01Z pc app - - [natscope@32473 token=\"t2\"] "
    "five four two four";

}  // namespace natscope::server::intake::syslog_testing

#endif  // NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_TEST_UTIL_H_
