#include "common/token_bucket.h"

#include "gtest/gtest.h"

namespace natscope {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST(TokenBucketTest, StartsFullAndEmptiesByTheBurst) {
  const TokenBucketRate rate{2, 3};
  TokenBucket bucket(rate, kT0);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(bucket.TryTake(rate, kT0));
  EXPECT_FALSE(bucket.TryTake(rate, kT0));
}

TEST(TokenBucketTest, RefillsAtTheRateUpToTheBurst) {
  const TokenBucketRate rate{2, 3};
  TokenBucket bucket(rate, kT0);
  for (int i = 0; i < 3; ++i) bucket.TryTake(rate, kT0);
  EXPECT_EQ(bucket.WaitForToken(rate, kT0), absl::Milliseconds(500));
  EXPECT_TRUE(bucket.TryTake(rate, kT0 + absl::Milliseconds(500)));
  EXPECT_FALSE(bucket.FullAt(rate, kT0 + absl::Seconds(1)));
  EXPECT_TRUE(bucket.FullAt(rate, kT0 + absl::Seconds(10)));
  // Ten idle seconds give the burst, not twenty tokens.
  int taken = 0;
  while (bucket.TryTake(rate, kT0 + absl::Seconds(10))) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(TokenBucketTest, TimeGoingBackwardsCountsAsNone) {
  const TokenBucketRate rate{1, 1};
  TokenBucket bucket(rate, kT0);
  EXPECT_TRUE(bucket.TryTake(rate, kT0));
  EXPECT_FALSE(bucket.TryTake(rate, kT0 - absl::Hours(1)));
  EXPECT_TRUE(bucket.TryTake(rate, kT0 + absl::Seconds(1)));
}

TEST(TokenBucketTest, ABurstBelowOneIsOne) {
  const TokenBucketRate rate{1, 0};
  TokenBucket bucket(rate, kT0);
  EXPECT_TRUE(bucket.TryTake(rate, kT0));
  EXPECT_FALSE(bucket.TryTake(rate, kT0));
}

}  // namespace
}  // namespace natscope
