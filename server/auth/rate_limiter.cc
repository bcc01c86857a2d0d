#include "server/auth/rate_limiter.h"

#include <string>

namespace natscope::server::auth {

KeyedRateLimiter::KeyedRateLimiter(KeyedRateLimiterOptions options)
    : options_(options) {}

TokenBucketRate KeyedRateLimiter::Rate() const {
  return {options_.rate_per_second, options_.burst};
}

absl::Duration KeyedRateLimiter::Take(absl::string_view key, absl::Time now) {
  if (options_.rate_per_second <= 0) return absl::ZeroDuration();
  const TokenBucketRate rate = Rate();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_keys) SweepLocked(now);
    it = buckets_.emplace(std::string(key), TokenBucket(rate, now)).first;
  }
  if (it->second.TryTake(rate, now)) return absl::ZeroDuration();
  return it->second.WaitForToken(rate, now);
}

absl::Duration KeyedRateLimiter::Peek(absl::string_view key, absl::Time now) {
  if (options_.rate_per_second <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return absl::ZeroDuration();
  return it->second.WaitForToken(Rate(), now);
}

void KeyedRateLimiter::SweepLocked(absl::Time now) {
  const TokenBucketRate rate = Rate();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (it->second.FullAt(rate, now)) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

}  // namespace natscope::server::auth
