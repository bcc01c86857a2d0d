#include "common/sim_clock.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace natscope {
namespace {

TEST(SimClockTest, MovesOnlyWhenTold) {
  SimClock clock(absl::FromUnixSeconds(1000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1000));
  clock.Advance(absl::Seconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1005));
  clock.Set(absl::FromUnixSeconds(10));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(10));
}

TEST(SimClockTest, PastDeadlineReturnsAtOnce) {
  SimClock clock;
  EXPECT_TRUE(clock.SleepUntil(clock.Now()));
  EXPECT_TRUE(clock.SleepFor(absl::ZeroDuration()));
}

TEST(SimClockTest, SleeperWakesWhenTimeReachesItsDeadline) {
  SimClock clock;
  const absl::Time start = clock.Now();
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    EXPECT_TRUE(clock.SleepFor(absl::Hours(1)));
    woke = true;
  });
  ASSERT_TRUE(clock.AdvanceToNextWake(1, absl::InfiniteFuture()));
  sleeper.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(clock.Now(), start + absl::Hours(1));
}

TEST(SimClockTest, StopWakesASleeperEarly) {
  SimClock clock;
  std::atomic<bool> stop{false};
  std::thread sleeper(
      [&] { EXPECT_FALSE(clock.SleepFor(absl::Hours(1), &stop)); });
  while (clock.Sleepers() < 1) absl::SleepFor(absl::Milliseconds(1));
  stop = true;
  sleeper.join();
  EXPECT_EQ(clock.Sleepers(), 0);
}

TEST(SimClockTest, AdvanceStopsAtTheLimit) {
  SimClock clock;
  const absl::Time start = clock.Now();
  std::atomic<bool> stop{false};
  std::thread sleeper([&] { clock.SleepFor(absl::Hours(5), &stop); });
  ASSERT_TRUE(clock.AdvanceToNextWake(1, start + absl::Hours(2)));
  EXPECT_EQ(clock.Now(), start + absl::Hours(2));
  stop = true;
  sleeper.join();
}

// A limit before every deadline moves the time there and wakes nobody, so
// a test can act at a moment of its choosing while every thread sleeps.
TEST(SimClockTest, LimitBeforeEveryDeadlineWakesNobody) {
  SimClock clock;
  const absl::Time start = clock.Now();
  std::atomic<bool> stop{false};
  std::atomic<int> wakes{0};
  std::thread sleeper([&] {
    while (clock.SleepFor(absl::Hours(1), &stop)) ++wakes;
  });
  ASSERT_TRUE(clock.AdvanceToNextWake(1, start + absl::Minutes(10)));
  EXPECT_EQ(clock.Now(), start + absl::Minutes(10));
  // The sleeper never left its sleep: the next step finds it at once.
  ASSERT_TRUE(clock.AdvanceToNextWake(1, absl::InfiniteFuture()));
  EXPECT_EQ(clock.Now(), start + absl::Hours(1));
  while (clock.Sleepers() < 1) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(wakes, 1);
  stop = true;
  clock.Advance(absl::ZeroDuration());
  sleeper.join();
}

// Two sleepers with the same deadline wake in the same step; one with a
// later deadline sleeps on.
TEST(SimClockTest, EqualDeadlinesWakeInOneStep) {
  SimClock clock;
  const absl::Time start = clock.Now();
  std::atomic<bool> stop{false};
  std::atomic<int> woke{0};
  auto sleep = [&](absl::Duration d) {
    if (clock.SleepFor(d, &stop)) ++woke;
  };
  std::thread a(sleep, absl::Minutes(1));
  std::thread b(sleep, absl::Minutes(1));
  std::thread c(sleep, absl::Minutes(2));
  ASSERT_TRUE(clock.AdvanceToNextWake(3, absl::InfiniteFuture()));
  a.join();
  b.join();
  EXPECT_EQ(woke, 2);
  EXPECT_EQ(clock.Now(), start + absl::Minutes(1));
  EXPECT_EQ(clock.Sleepers(), 1);
  stop = true;
  clock.Advance(absl::ZeroDuration());
  c.join();
  EXPECT_EQ(woke, 2);
}

TEST(SimClockTest, TimesOutWhenTooFewThreadsSleep) {
  SimClock clock;
  const absl::Time start = clock.Now();
  EXPECT_FALSE(clock.AdvanceToNextWake(1, absl::InfiniteFuture(),
                                       absl::Milliseconds(20)));
  EXPECT_EQ(clock.Now(), start);
}

// Two threads on different periods: the driver always jumps to the next
// deadline, so each thread sees every one of its ticks, in order.
TEST(SimClockTest, DrivesSeveralThreadsThroughADayOfTicks) {
  SimClock clock;
  const absl::Time end = clock.Now() + absl::Hours(24);
  std::atomic<bool> stop{false};
  std::vector<int> ticks(2, 0);
  auto loop = [&](int index, absl::Duration period) {
    absl::Time next = clock.Now() + period;
    while (clock.SleepUntil(next, &stop)) {
      ++ticks[index];
      next += period;
    }
  };
  std::thread a(loop, 0, absl::Minutes(15));
  std::thread b(loop, 1, absl::Hours(1));
  while (clock.Now() < end) {
    ASSERT_TRUE(clock.AdvanceToNextWake(2, end));
  }
  // Let both threads take the tick at `end` before stopping them.
  while (clock.Sleepers() < 2) absl::SleepFor(absl::Milliseconds(1));
  stop = true;
  a.join();
  b.join();
  EXPECT_EQ(ticks[0], 24 * 4);
  EXPECT_EQ(ticks[1], 24);
}

}  // namespace
}  // namespace natscope
