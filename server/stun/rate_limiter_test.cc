#include "server/stun/rate_limiter.h"

#include "gtest/gtest.h"

namespace natscope::server {
namespace {

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
const net::SocketAddress kA = Addr("192.0.2.1:1000");

TEST(RateLimiterTest, AllowsTheBurstThenTheRate) {
  RateLimiter limiter({/*rate_per_second=*/10, /*burst=*/5});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.Allow(kA, kT0)) << i;
  EXPECT_FALSE(limiter.Allow(kA, kT0));
  EXPECT_FALSE(limiter.Allow(kA, kT0 + absl::Milliseconds(99)));
  EXPECT_TRUE(limiter.Allow(kA, kT0 + absl::Milliseconds(101)));
  EXPECT_FALSE(limiter.Allow(kA, kT0 + absl::Milliseconds(101)));
  EXPECT_EQ(limiter.dropped(), 3);
}

TEST(RateLimiterTest, RefillStopsAtTheBurst) {
  RateLimiter limiter({/*rate_per_second=*/10, /*burst=*/2});
  EXPECT_TRUE(limiter.Allow(kA, kT0));
  const absl::Time later = kT0 + absl::Hours(1);
  EXPECT_TRUE(limiter.Allow(kA, later));
  EXPECT_TRUE(limiter.Allow(kA, later));
  EXPECT_FALSE(limiter.Allow(kA, later));
}

TEST(RateLimiterTest, PortsShareTheirIpsBucketAndIpsDoNot) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/1});
  EXPECT_TRUE(limiter.Allow(kA, kT0));
  EXPECT_FALSE(limiter.Allow(kA.WithPort(2000), kT0));
  EXPECT_TRUE(limiter.Allow(Addr("192.0.2.2:1000"), kT0));
  EXPECT_TRUE(limiter.Allow(Addr("[2001:db8::1]:1000"), kT0));
}

TEST(RateLimiterTest, ClockGoingBackwardsRefillsNothing) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/1});
  EXPECT_TRUE(limiter.Allow(kA, kT0));
  EXPECT_FALSE(limiter.Allow(kA, kT0 - absl::Hours(1)));
  EXPECT_FALSE(limiter.Allow(kA, kT0 + absl::Milliseconds(500)));
  EXPECT_TRUE(limiter.Allow(kA, kT0 + absl::Seconds(1)));
}

TEST(RateLimiterTest, ZeroRateTurnsLimitingOff) {
  RateLimiter limiter({/*rate_per_second=*/0, /*burst=*/1});
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.Allow(kA, kT0));
  EXPECT_EQ(limiter.dropped(), 0);
}

TEST(RateLimiterTest, AddressesInOneIpv6Slash64ShareABucket) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/1});
  EXPECT_TRUE(limiter.Allow(Addr("[2001:db8:1:2::1]:1000"), kT0));
  EXPECT_FALSE(limiter.Allow(Addr("[2001:db8:1:2::2]:1000"), kT0));
  EXPECT_FALSE(
      limiter.Allow(Addr("[2001:db8:1:2:ffff:ffff:ffff:ffff]:9"), kT0));
  EXPECT_EQ(limiter.tracked_sources(), 1u);
}

TEST(RateLimiterTest, DifferentIpv6Slash64sHaveTheirOwnBuckets) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/1});
  EXPECT_TRUE(limiter.Allow(Addr("[2001:db8:1:2::1]:1000"), kT0));
  EXPECT_TRUE(limiter.Allow(Addr("[2001:db8:1:3::1]:1000"), kT0));
  EXPECT_TRUE(limiter.Allow(Addr("[2001:db8:2:2::1]:1000"), kT0));
  EXPECT_EQ(limiter.tracked_sources(), 3u);
}

TEST(RateLimiterTest, Ipv4MappedIpv6CountsAsIpv4) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/1});
  EXPECT_TRUE(limiter.Allow(Addr("192.0.2.1:1000"), kT0));
  EXPECT_FALSE(limiter.Allow(Addr("[::ffff:192.0.2.1]:1000"), kT0));
  // Mapped addresses all lie in ::/64, yet each IPv4 peer has its own.
  EXPECT_TRUE(limiter.Allow(Addr("[::ffff:192.0.2.2]:1000"), kT0));
  EXPECT_TRUE(limiter.Allow(Addr("[::ffff:198.51.100.9]:1000"), kT0));
}

TEST(RateLimiterTest, KeyIsTheIpv4AddressOrTheIpv6Slash64) {
  EXPECT_EQ(RateLimitKey(Addr("192.0.2.1:1000")), Addr("192.0.2.1:0"));
  EXPECT_EQ(RateLimitKey(Addr("[::ffff:192.0.2.1]:1000")), Addr("192.0.2.1:0"));
  EXPECT_EQ(RateLimitKey(Addr("[2001:db8:a:b:c:d:e:f]:1000")),
            Addr("[2001:db8:a:b::]:0"));
  // Only ::ffff:0:0/96 is mapped; the rest of ::/64 is one IPv6 source.
  EXPECT_EQ(RateLimitKey(Addr("[::1]:1")), Addr("[::]:0"));
  EXPECT_EQ(RateLimitKey(Addr("[::fffe:192.0.2.1]:1")), Addr("[::]:0"));
}

TEST(RateLimiterTest, FullTableEvictsTheLeastRecentlySeenSource) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/1, /*max_sources=*/2});
  const net::SocketAddress a = Addr("192.0.2.1:1"), b = Addr("192.0.2.2:1"),
                           c = Addr("192.0.2.3:1");
  EXPECT_TRUE(limiter.Allow(a, kT0));
  EXPECT_TRUE(limiter.Allow(b, kT0));
  EXPECT_FALSE(limiter.Allow(a, kT0));  // Empty, but now seen after b.
  // Both buckets are empty; the newcomer still gets one, b's.
  EXPECT_TRUE(limiter.Allow(c, kT0));
  EXPECT_EQ(limiter.tracked_sources(), 2u);
  EXPECT_EQ(limiter.evicted(), 1);
  EXPECT_FALSE(limiter.Allow(a, kT0));  // a was kept, still empty.
  EXPECT_TRUE(limiter.Allow(b, kT0));   // b was forgotten: a full bucket.
  EXPECT_EQ(limiter.evicted(), 2);      // ... which evicted c.
  EXPECT_TRUE(limiter.Allow(c, kT0));
}

TEST(RateLimiterTest, SpoofedFloodCannotLockOutARealSource) {
  const size_t kTable = 1000;
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/3, kTable});
  const net::SocketAddress agent = Addr("203.0.113.50:40000");
  EXPECT_TRUE(limiter.Allow(agent, kT0));
  // 50 spoofed sources per table slot, IPv4 and IPv6, each draining its
  // bucket, all within the same instant (no refill helps).
  for (uint32_t i = 0; i < 50 * kTable; ++i) {
    const uint8_t b1 = i >> 16, b2 = i >> 8, b3 = i;
    const net::SocketAddress spoofed =
        i % 2 ? net::SocketAddress::IPv4({10, b1, b2, b3}, 1)
              : net::SocketAddress::IPv6({0x20, 0x01, 0x0d, 0xb8, b1, b2, b3, 0,
                                          0, 0, 0, 0, 0, 0, 0, 1},
                                         1);
    for (int k = 0; k < 4; ++k) limiter.Allow(spoofed, kT0);
    ASSERT_LE(limiter.tracked_sources(), kTable);
  }
  // The agent (evicted long ago) and a brand-new source are both answered.
  EXPECT_TRUE(limiter.Allow(agent, kT0));
  EXPECT_TRUE(limiter.Allow(Addr("[2001:db8:ffff:1::7]:5"), kT0));
  EXPECT_EQ(limiter.tracked_sources(), kTable);
  // Each distinct source beyond the first kTable evicted one: the agent,
  // the spoofed ones, the agent again and the newcomer.
  const size_t distinct = 1 + 50 * kTable + 2;
  EXPECT_EQ(limiter.evicted(), static_cast<int64_t>(distinct - kTable));
}

}  // namespace
}  // namespace natscope::server
