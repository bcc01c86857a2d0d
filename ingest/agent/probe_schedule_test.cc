#include "ingest/agent/probe_schedule.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'000'000);

TEST(ProbeScheduleTest, FirstProbeIsDueAtOnceThenEveryIntervalWithJitter) {
  ProbeSchedule s({absl::Minutes(5), 0.1}, kT0);
  EXPECT_TRUE(s.Due(kT0));
  s.Probed(kT0, 0.0);  // Earliest jitter: -10 %.
  EXPECT_EQ(s.next(), kT0 + absl::Seconds(270));
  s.Probed(kT0, 0.999999);  // Latest: almost +10 %.
  EXPECT_GT(s.next(), kT0 + absl::Seconds(329));
  EXPECT_FALSE(s.Due(kT0 + absl::Seconds(100)));
}

TEST(ProbeScheduleTest, NetworkChangeBringsTheProbeForwardAfterItSettles) {
  ProbeSchedule s({absl::Minutes(5), 0.0, absl::Seconds(5), absl::Seconds(30)}, kT0);
  s.Probed(kT0, 0.5);
  s.NetworkChanged(kT0 + absl::Seconds(60));
  EXPECT_EQ(s.next(), kT0 + absl::Seconds(65));
  s.NetworkChanged(kT0 + absl::Seconds(62));  // A burst: never later than before.
  EXPECT_EQ(s.next(), kT0 + absl::Seconds(65));
}

TEST(ProbeScheduleTest, ChangesRightAfterAProbeWaitForTheMinimumGap) {
  ProbeSchedule s({absl::Minutes(5), 0.0, absl::Seconds(5), absl::Seconds(30)}, kT0);
  s.Probed(kT0, 0.5);
  s.NetworkChanged(kT0 + absl::Seconds(1));
  EXPECT_EQ(s.next(), kT0 + absl::Seconds(30));
}

TEST(ProbeScheduleTest, RequestedProbeRunsAtOnceButAtMostOnceAMinute) {
  ProbeScheduleOptions options;
  options.interval = absl::Hours(1);
  options.jitter = 0.0;
  ProbeSchedule s(options, kT0);
  s.Requested(kT0 - absl::Seconds(1));  // Before the first: at once.
  EXPECT_TRUE(s.Due(kT0 - absl::Seconds(1)));
  s.Probed(kT0, 0.5);
  s.Requested(kT0 + absl::Minutes(10));
  EXPECT_EQ(s.next(), kT0 + absl::Minutes(10));
  s.Probed(kT0 + absl::Minutes(10), 0.5);
  s.Requested(kT0 + absl::Minutes(10) + absl::Seconds(5));
  EXPECT_EQ(s.next(), kT0 + absl::Minutes(11)) << "a minute after the last";
  s.Requested(kT0 + absl::Minutes(10) + absl::Seconds(50));
  EXPECT_EQ(s.next(), kT0 + absl::Minutes(11)) << "never later than asked";
}

}  // namespace
}  // namespace natscope::ingest
