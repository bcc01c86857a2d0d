#include "ingest/upload/backoff.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

TEST(BackoffTest, GrowsExponentiallyUpToTheCap) {
  double u = 0.0;  // no jitter: the ceiling itself
  Backoff backoff(BackoffOptions(), [&] { return u; });
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(500));
  EXPECT_EQ(backoff.Next(), absl::Seconds(1));
  EXPECT_EQ(backoff.Next(), absl::Seconds(2));
  EXPECT_EQ(backoff.Next(), absl::Seconds(4));
  for (int i = 0; i < 100; ++i) backoff.Next();
  EXPECT_EQ(backoff.Next(), absl::Seconds(30));
  EXPECT_EQ(backoff.failures(), 105);
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(500));
}

TEST(BackoffTest, JitterStaysWithinBounds) {
  double u = 0.999999;
  Backoff backoff(BackoffOptions(), [&] { return u; });
  // jitter 0.5: between half the ceiling and the ceiling.
  EXPECT_NEAR(absl::ToDoubleMilliseconds(backoff.Next()), 250, 0.01);
  u = 0.5;
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(750));
  for (double v : {0.0, 0.25, 0.75, 0.999}) {
    u = v;
    Backoff b(BackoffOptions(), [&] { return u; });
    for (int i = 0; i < 20; ++i) {
      const absl::Duration ceiling = std::min(
          absl::Seconds(30), absl::Milliseconds(500) * (1 << std::min(i, 10)));
      const absl::Duration d = b.Next();
      EXPECT_GE(d, ceiling / 2) << i;
      EXPECT_LE(d, ceiling) << i;
    }
  }
}

TEST(BackoffTest, HonoursTheServerDelay) {
  double u = 0.0;
  Backoff backoff(BackoffOptions(), [&] { return u; });
  // Never earlier than the server asked, even early in the backoff.
  EXPECT_EQ(backoff.Next(absl::Seconds(7)), absl::Seconds(7));
  u = 0.5;  // spread up to 20% later: 7 s * 1.1
  EXPECT_EQ(backoff.Next(absl::Seconds(7)), absl::Milliseconds(7700));
  // A short server delay does not shorten our own backoff.
  u = 0.0;
  EXPECT_EQ(backoff.Next(absl::Milliseconds(10)), absl::Seconds(2));
  // An absurd delay is cut to max_server_delay.
  EXPECT_EQ(backoff.Next(absl::Hours(10)), absl::Minutes(5));
}

}  // namespace
}  // namespace natscope::ingest
