// A per-source-IP token bucket, so that natscope-server's UDP responders
// cannot be used to reflect or amplify traffic towards a spoofed address.
//
// Pure: the caller passes the current time; nothing here reads a clock or
// does I/O. Thread-compatible: guard shared use with a mutex.
#ifndef NATSCOPE_SERVER_STUN_RATE_LIMITER_H_
#define NATSCOPE_SERVER_STUN_RATE_LIMITER_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/net/socket_address.h"

namespace natscope::server {

struct RateLimiterOptions {
  // Sustained replies per second to one source IP; 0 turns limiting off.
  double rate_per_second = 50;
  // Replies one source IP may get in a burst (the bucket's size); at least 1.
  double burst = 200;
  // Sources tracked at once. When the table is full, buckets that have
  // refilled completely are forgotten (they are equivalent to new ones);
  // if none has, new sources are refused until one does, so a flood from
  // many spoofed addresses costs bounded memory.
  size_t max_sources = 100000;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options = {});

  // Takes one token for a reply to `source`'s IP (its port is ignored) at
  // `now`; false when that IP has none left, which counts as a drop. Times
  // that go backwards are treated as no time passing.
  bool Allow(const net::SocketAddress& source, absl::Time now);

  int64_t dropped() const { return dropped_; }
  size_t tracked_sources() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  void Refill(Bucket* bucket, absl::Time now) const;
  // Forgets full buckets, at most once a second of `now`.
  void Sweep(absl::Time now);

  RateLimiterOptions options_;
  absl::flat_hash_map<net::SocketAddress, Bucket> buckets_;
  absl::Time last_sweep_ = absl::InfinitePast();
  int64_t dropped_ = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_RATE_LIMITER_H_
