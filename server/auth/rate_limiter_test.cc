#include "server/auth/rate_limiter.h"

#include "gtest/gtest.h"

namespace natscope::server::auth {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST(KeyedRateLimiterTest, BurstThenRefusedWithTheWaitUntilTheNextToken) {
  KeyedRateLimiter limiter({/*rate_per_second=*/2, /*burst=*/3});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.Take("a", kT0), absl::ZeroDuration()) << i;
  }
  EXPECT_EQ(limiter.Take("a", kT0), absl::Milliseconds(500));
  EXPECT_EQ(limiter.Take("a", kT0 + absl::Milliseconds(250)),
            absl::Milliseconds(250));
  EXPECT_EQ(limiter.Take("a", kT0 + absl::Milliseconds(500)),
            absl::ZeroDuration());
}

TEST(KeyedRateLimiterTest, KeysHaveBucketsOfTheirOwn) {
  KeyedRateLimiter limiter({1, 1});
  EXPECT_EQ(limiter.Take("a", kT0), absl::ZeroDuration());
  EXPECT_GT(limiter.Take("a", kT0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("b", kT0), absl::ZeroDuration());
}

TEST(KeyedRateLimiterTest, ZeroRateTurnsLimitingOff) {
  KeyedRateLimiter limiter({0, 1});
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(limiter.Take("a", kT0), absl::ZeroDuration());
  }
}

TEST(KeyedRateLimiterTest, TimeGoingBackwardsAddsNoTokens) {
  KeyedRateLimiter limiter({1, 1});
  EXPECT_EQ(limiter.Take("a", kT0), absl::ZeroDuration());
  EXPECT_GT(limiter.Take("a", kT0 - absl::Hours(1)), absl::ZeroDuration());
}

TEST(KeyedRateLimiterTest, FullTableForgetsRefilledBuckets) {
  KeyedRateLimiter limiter({1, 1, /*max_keys=*/2});
  EXPECT_EQ(limiter.Take("a", kT0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("b", kT0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("c", kT0 + absl::Seconds(5)), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("a", kT0 + absl::Seconds(5)), absl::ZeroDuration());
}

}  // namespace
}  // namespace natscope::server::auth

namespace natscope::server::auth {
namespace {

TEST(KeyedRateLimiterPeekTest, PeekTakesNothingAndSeesAnEmptyBucket) {
  KeyedRateLimiter limiter({/*rate_per_second=*/1, /*burst=*/2});
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_EQ(limiter.Peek("a", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Peek("a", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("a", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Take("a", t0), absl::ZeroDuration());
  EXPECT_EQ(limiter.Peek("a", t0), absl::Seconds(1));
  EXPECT_EQ(limiter.Peek("a", t0 + absl::Seconds(1)), absl::ZeroDuration());
  EXPECT_EQ(limiter.Peek("b", t0), absl::ZeroDuration());
}

}  // namespace
}  // namespace natscope::server::auth
