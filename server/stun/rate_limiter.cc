#include "server/stun/rate_limiter.h"

#include <algorithm>
#include <array>
#include <iterator>

namespace natscope::server {
namespace {

bool IsIpv4Mapped(absl::Span<const uint8_t> b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

}  // namespace

net::SocketAddress RateLimitKey(const net::SocketAddress& address) {
  if (address.is_ipv4()) return address.WithPort(0);
  const absl::Span<const uint8_t> b = address.address_bytes();
  // Without this every IPv4 peer of a dual-stack socket would land in the
  // one /64 ::/64 and share a single bucket.
  if (IsIpv4Mapped(b))
    return net::SocketAddress::IPv4({b[12], b[13], b[14], b[15]}, 0);
  std::array<uint8_t, 16> prefix{};
  std::copy(b.begin(), b.begin() + 8, prefix.begin());
  return net::SocketAddress::IPv6(prefix, 0);
}

TokenBucketRate RateLimiter::Rate() const {
  return {options_.rate_per_second, options_.burst};
}

RateLimiter::RateLimiter(RateLimiterOptions options) : options_(options) {
  options_.burst = std::max(options_.burst, 1.0);
  options_.max_sources = std::max<size_t>(options_.max_sources, 1);
}

RateLimiter::Bucket& RateLimiter::Find(const net::SocketAddress& key,
                                       absl::Time now) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return lru_.front();
  }
  if (index_.size() >= options_.max_sources) {
    // Recycle the least recently seen bucket's node: no allocation once
    // the table is full.
    index_.erase(lru_.back().key);
    lru_.splice(lru_.begin(), lru_, std::prev(lru_.end()));
    lru_.front() = Bucket{key, TokenBucket(Rate(), now)};
    ++evicted_;
  } else {
    lru_.push_front(Bucket{key, TokenBucket(Rate(), now)});
  }
  index_.emplace(key, lru_.begin());
  return lru_.front();
}

bool RateLimiter::Allow(const net::SocketAddress& source, absl::Time now) {
  if (options_.rate_per_second <= 0) return true;
  Bucket& bucket = Find(RateLimitKey(source), now);
  if (!bucket.tokens.TryTake(Rate(), now)) {
    ++dropped_;
    return false;
  }
  return true;
}

}  // namespace natscope::server
