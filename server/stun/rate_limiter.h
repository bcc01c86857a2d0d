// A per-source token bucket, so that natscope-server's UDP responders
// cannot be used to reflect or amplify traffic towards a spoofed address.
//
// A "source" is an IPv4 address, or the /64 prefix of an IPv6 address (a
// subscriber is usually given a whole /64 and may send from any address in
// it); an IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack
// socket reports for IPv4 peers) counts as its IPv4 address. Ports are
// ignored.
//
// The table of sources is bounded: when it is full, the least recently
// seen source is forgotten to make room (O(1) per call). A flood from many
// spoofed addresses therefore costs bounded memory and cannot lock real
// agents out; at worst it makes the limiter forget a source, which then
// starts again with a full bucket. Each reply is still bounded in size
// (see kMaxResponseGrowth), so forgetting cannot turn into amplification.
//
// Pure: the caller passes the current time; nothing here reads a clock or
// does I/O. Thread-compatible: guard shared use with a mutex.
#ifndef NATSCOPE_SERVER_STUN_RATE_LIMITER_H_
#define NATSCOPE_SERVER_STUN_RATE_LIMITER_H_

#include <cstddef>
#include <cstdint>
#include <list>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/net/socket_address.h"
#include "common/token_bucket.h"

namespace natscope::server {

struct RateLimiterOptions {
  // Sustained replies per second to one source; 0 turns limiting off.
  double rate_per_second = 50;
  // Replies one source may get in a burst (the bucket's size); at least 1.
  double burst = 200;
  // Sources tracked at once (at least 1). When the table is full the least
  // recently seen source is evicted; new sources are never refused.
  size_t max_sources = 100000;
};

// The bucket `address` is counted in: port 0 and either an IPv4 address
// (also for IPv4-mapped IPv6) or an IPv6 address with its low 64 bits
// zeroed. Two addresses share a bucket exactly when their keys are equal.
net::SocketAddress RateLimitKey(const net::SocketAddress& address);

class RateLimiter {
 public:
  explicit RateLimiter(RateLimiterOptions options = {});

  // Takes one token for a reply to `source`'s bucket at `now`; false when
  // the bucket is empty, which counts as a drop. Times that go backwards
  // are treated as no time passing. A source not in the table (new, or
  // evicted) starts with a full bucket.
  bool Allow(const net::SocketAddress& source, absl::Time now);

  int64_t dropped() const { return dropped_; }
  // Sources forgotten to make room for new ones.
  int64_t evicted() const { return evicted_; }
  // Never more than max_sources.
  size_t tracked_sources() const { return index_.size(); }

 private:
  struct Bucket {
    net::SocketAddress key;
    TokenBucket tokens;
  };
  using Lru = std::list<Bucket>;  // Most recently seen first.

  TokenBucketRate Rate() const;
  // The bucket for `key`, moved to the front; a full new one (reusing the
  // least recently seen one's node when the table is full) if absent.
  Bucket& Find(const net::SocketAddress& key, absl::Time now);

  RateLimiterOptions options_;
  Lru lru_;
  absl::flat_hash_map<net::SocketAddress, Lru::iterator> index_;
  int64_t dropped_ = 0;
  int64_t evicted_ = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_RATE_LIMITER_H_
