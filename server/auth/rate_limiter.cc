#include "server/auth/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace natscope::server::auth {

KeyedRateLimiter::KeyedRateLimiter(KeyedRateLimiterOptions options)
    : options_(options) {}

absl::Duration KeyedRateLimiter::Take(absl::string_view key, absl::Time now) {
  if (options_.rate_per_second <= 0) return absl::ZeroDuration();
  const double burst = std::max(1.0, options_.burst);
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_keys) SweepLocked(now);
    it = buckets_.emplace(std::string(key), Bucket{burst, now}).first;
  }
  Bucket& bucket = it->second;
  RefillLocked(bucket, now);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::ZeroDuration();
  }
  return WaitFor(bucket);
}

absl::Duration KeyedRateLimiter::Peek(absl::string_view key, absl::Time now) {
  if (options_.rate_per_second <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return absl::ZeroDuration();
  RefillLocked(it->second, now);
  return it->second.tokens >= 1 ? absl::ZeroDuration() : WaitFor(it->second);
}

void KeyedRateLimiter::RefillLocked(Bucket& bucket, absl::Time now) const {
  if (now <= bucket.updated) return;
  const double burst = std::max(1.0, options_.burst);
  const double elapsed = absl::ToDoubleSeconds(now - bucket.updated);
  bucket.tokens =
      std::min(burst, bucket.tokens + elapsed * options_.rate_per_second);
  bucket.updated = now;
}

absl::Duration KeyedRateLimiter::WaitFor(const Bucket& bucket) const {
  const double wait = (1 - bucket.tokens) / options_.rate_per_second;
  // Rounded up to the millisecond so that waiting that long is enough.
  return absl::Milliseconds(std::ceil(wait * 1000));
}

void KeyedRateLimiter::SweepLocked(absl::Time now) {
  const double burst = std::max(1.0, options_.burst);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    const double refilled = b.tokens + absl::ToDoubleSeconds(now - b.updated) *
                                           options_.rate_per_second;
    if (refilled >= burst) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace natscope::server::auth
