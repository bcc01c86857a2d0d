// Per-key token buckets (common/token_bucket.h): natscope-server's
// per-agent ingest rate and per-source authentication failure limits.
//
// The caller passes the current time; nothing here reads a clock.
// Thread-safe (one mutex).
#ifndef NATSCOPE_SERVER_AUTH_RATE_LIMITER_H_
#define NATSCOPE_SERVER_AUTH_RATE_LIMITER_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/token_bucket.h"

namespace natscope::server::auth {

struct KeyedRateLimiterOptions {
  // Sustained calls per second per key; 0 or less turns limiting off.
  double rate_per_second = 10;
  // Calls one key may make in a burst (the bucket size); at least 1.
  double burst = 50;
  // Keys tracked at once; past that, buckets that have refilled completely
  // are forgotten (they are equivalent to new ones).
  size_t max_keys = 1000000;
};

class KeyedRateLimiter {
 public:
  explicit KeyedRateLimiter(KeyedRateLimiterOptions options = {});

  // Takes one token from `key`'s bucket at `now`. Returns zero when the
  // call may go ahead, else how long until a token is there (the call is
  // refused and takes nothing). Time going backwards counts as none.
  absl::Duration Take(absl::string_view key, absl::Time now);

  // How long until `key` has a token at `now` (zero: it has one), taking
  // nothing: for limits on failures, checked before the work and taken
  // only when the work fails.
  absl::Duration Peek(absl::string_view key, absl::Time now);

 private:
  TokenBucketRate Rate() const;
  // Forgets the buckets that are full again (no different from new ones).
  void SweepLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const KeyedRateLimiterOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, TokenBucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_RATE_LIMITER_H_
