// One token bucket: `burst` tokens at most, refilled at `rate` tokens a
// second. The arithmetic every rate limit of natscope shares (the
// server's per-agent and per-source limits, the STUN responder's
// per-source replies); the limiters add keying and eviction.
//
// Pure: the caller passes the time; time going backwards counts as none.
// Thread-compatible.
#ifndef NATSCOPE_COMMON_TOKEN_BUCKET_H_
#define NATSCOPE_COMMON_TOKEN_BUCKET_H_

#include <algorithm>
#include <cmath>

#include "absl/time/time.h"

namespace natscope {

struct TokenBucketRate {
  double per_second = 10;  // Sustained rate; more than 0.
  double burst = 50;       // Bucket size; less than 1 counts as 1.
  double size() const { return std::max(1.0, burst); }
};

class TokenBucket {
 public:
  // A full bucket at `now`.
  TokenBucket(const TokenBucketRate& rate, absl::Time now)
      : tokens_(rate.size()), updated_(now) {}

  // Refills up to `now`, then takes one token; false (taking nothing) when
  // there is none.
  bool TryTake(const TokenBucketRate& rate, absl::Time now) {
    Refill(rate, now);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }
  // Refills up to `now`; how long until one token is there (zero: now),
  // rounded up to the millisecond so that waiting that long is enough.
  absl::Duration WaitForToken(const TokenBucketRate& rate, absl::Time now) {
    Refill(rate, now);
    if (tokens_ >= 1) return absl::ZeroDuration();
    return absl::Milliseconds(std::ceil((1 - tokens_) / rate.per_second * 1000));
  }
  // Whether the bucket would be full at `now`: then it is no different
  // from a new one, and may be forgotten.
  bool FullAt(const TokenBucketRate& rate, absl::Time now) const {
    return Refilled(rate, now) >= rate.size();
  }

 private:
  double Refilled(const TokenBucketRate& rate, absl::Time now) const {
    if (now <= updated_) return tokens_;
    return std::min(rate.size(), tokens_ + absl::ToDoubleSeconds(now - updated_) *
                                               rate.per_second);
  }
  void Refill(const TokenBucketRate& rate, absl::Time now) {
    tokens_ = Refilled(rate, now);
    updated_ = std::max(updated_, now);
  }

  double tokens_;
  absl::Time updated_;
};

}  // namespace natscope

#endif  // NATSCOPE_COMMON_TOKEN_BUCKET_H_
