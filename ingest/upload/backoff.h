// When to try again after a failed upload: jittered exponential backoff
// that never retries earlier than the server asked. Pure: the random source
// is injected, and no clock is read. Not thread-safe.
#ifndef NATSCOPE_INGEST_UPLOAD_BACKOFF_H_
#define NATSCOPE_INGEST_UPLOAD_BACKOFF_H_

#include <functional>
#include <optional>

#include "absl/time/time.h"

namespace natscope::ingest {

struct BackoffOptions {
  // The n-th consecutive failure (from 0) waits about
  // min(max, initial * multiplier^n), drawn uniformly from
  // [(1 - jitter) * that, that] so that agents do not retry in lockstep.
  absl::Duration initial = absl::Milliseconds(500);
  absl::Duration max = absl::Seconds(30);
  double multiplier = 2.0;
  double jitter = 0.5;
  // A retry delay sent by the server is honoured up to this long...
  absl::Duration max_server_delay = absl::Minutes(5);
  // ...and spread up to this fraction later, so that every agent told
  // "come back in 5 s" does not come back at the same instant.
  double server_delay_spread = 0.2;
};

class Backoff {
 public:
  // `uniform` returns a value in [0, 1) each call, e.g.
  // [gen] { return absl::Uniform(gen, 0.0, 1.0); }.
  Backoff(BackoffOptions options, std::function<double()> uniform);

  // The wait before the next attempt after one more failure. With
  // `server_delay`, the wait is at least min(server_delay,
  // max_server_delay).
  absl::Duration Next(
      std::optional<absl::Duration> server_delay = std::nullopt);
  // After a success: the next failure starts again from `initial`.
  void Reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  BackoffOptions options_;
  std::function<double()> uniform_;
  int failures_ = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_UPLOAD_BACKOFF_H_
