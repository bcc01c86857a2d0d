#include "server/stun/rate_limiter.h"

#include <algorithm>

namespace natscope::server {

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(options) {
  options_.burst = std::max(options_.burst, 1.0);
}

void RateLimiter::Refill(Bucket* bucket, absl::Time now) const {
  if (now <= bucket->updated) return;
  const double seconds = absl::ToDoubleSeconds(now - bucket->updated);
  bucket->tokens = std::min(
      options_.burst, bucket->tokens + seconds * options_.rate_per_second);
  bucket->updated = now;
}

void RateLimiter::Sweep(absl::Time now) {
  if (now - last_sweep_ < absl::Seconds(1)) return;
  last_sweep_ = now;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(&it->second, now);
    if (it->second.tokens >= options_.burst) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

bool RateLimiter::Allow(const net::SocketAddress& source, absl::Time now) {
  if (options_.rate_per_second <= 0) return true;
  const net::SocketAddress key = source.WithPort(0);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_sources) Sweep(now);
    if (buckets_.size() >= options_.max_sources) {
      ++dropped_;
      return false;
    }
    it = buckets_.emplace(key, Bucket{options_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  Refill(&bucket, now);
  if (bucket.tokens < 1) {
    ++dropped_;
    return false;
  }
  bucket.tokens -= 1;
  return true;
}

}  // namespace natscope::server
