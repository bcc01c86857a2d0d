#include "ingest/netwatch/fake_network_changes.h"

#include <atomic>
#include <thread>

#include "common/sim_clock.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

TEST(FakeNetworkChangesTest, WaitEndsAtTheDeadlineWithoutAChange) {
  SimClock clock;
  const absl::Time start = clock.Now();
  FakeNetworkChanges network;
  network.ChangeAt(start + absl::Hours(2));
  bool changed = true;
  std::thread waiter([&] {
    changed = network.WaitForChange(clock, start + absl::Hours(1), nullptr);
  });
  ASSERT_TRUE(clock.AdvanceToNextWake(1, absl::InfiniteFuture()));
  waiter.join();
  EXPECT_FALSE(changed);
  EXPECT_EQ(clock.Now(), start + absl::Hours(1));
}

TEST(FakeNetworkChangesTest, ABurstIsReportedOnceAtItsFirstChange) {
  SimClock clock;
  const absl::Time start = clock.Now();
  FakeNetworkChanges network;
  network.ChangeAt(start + absl::Minutes(10));
  network.ChangeAt(start + absl::Minutes(10));
  bool changed = false;
  std::thread waiter([&] {
    changed = network.WaitForChange(clock, start + absl::Hours(1), nullptr);
  });
  ASSERT_TRUE(clock.AdvanceToNextWake(1, absl::InfiniteFuture()));
  waiter.join();
  EXPECT_TRUE(changed);
  EXPECT_EQ(clock.Now(), start + absl::Minutes(10));
  EXPECT_EQ(network.reported(), 1);
}

TEST(FakeNetworkChangesTest, AChangeWhileBusyIsSeenAtOnceEvenPastTheDeadline) {
  SimClock clock;
  FakeNetworkChanges network;
  network.ChangeAt(clock.Now() + absl::Seconds(1));
  clock.Advance(absl::Seconds(5));
  EXPECT_TRUE(
      network.WaitForChange(clock, clock.Now() - absl::Seconds(1), nullptr));
  EXPECT_FALSE(network.WaitForChange(clock, clock.Now(), nullptr));
}

TEST(FakeNetworkChangesTest, StopEndsTheWait) {
  SimClock clock;
  FakeNetworkChanges network;
  std::atomic<bool> stop{false};
  bool changed = true;
  std::thread waiter([&] {
    changed = network.WaitForChange(clock, absl::InfiniteFuture(), &stop);
  });
  while (clock.Sleepers() < 1) absl::SleepFor(absl::Milliseconds(1));
  stop = true;
  clock.Advance(absl::ZeroDuration());
  waiter.join();
  EXPECT_FALSE(changed);
}

}  // namespace
}  // namespace natscope::ingest
