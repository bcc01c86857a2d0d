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

TEST(RateLimiterTest, FullTableForgetsRefilledSourcesAndRefusesNewOnes) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/1, /*max_sources=*/2});
  EXPECT_TRUE(limiter.Allow(Addr("192.0.2.1:1"), kT0));
  EXPECT_TRUE(limiter.Allow(Addr("192.0.2.2:1"), kT0));
  // Both buckets are empty: a third source cannot be tracked.
  EXPECT_FALSE(limiter.Allow(Addr("192.0.2.3:1"), kT0));
  EXPECT_EQ(limiter.tracked_sources(), 2u);
  // Once they refilled they are forgotten and the newcomer fits.
  EXPECT_TRUE(limiter.Allow(Addr("192.0.2.3:1"), kT0 + absl::Seconds(2)));
  EXPECT_LE(limiter.tracked_sources(), 2u);
}

}  // namespace
}  // namespace natscope::server
