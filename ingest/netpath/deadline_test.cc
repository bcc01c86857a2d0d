#include "ingest/netpath/deadline.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

using absl::Milliseconds;

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

TEST(DeadlineTest, IsBroughtForwardButNeverExtended) {
  Deadline deadline(kStart + Milliseconds(500));
  deadline.BringForward(kStart + Milliseconds(600), "later");
  EXPECT_EQ(deadline.at(), kStart + Milliseconds(500));
  EXPECT_EQ(deadline.reason(), "");
  deadline.BringForward(kStart + Milliseconds(100), "sooner");
  EXPECT_EQ(deadline.at(), kStart + Milliseconds(100));
  EXPECT_EQ(deadline.reason(), "sooner");
  deadline.BringForward(kStart + Milliseconds(100), "the same");
  EXPECT_EQ(deadline.reason(), "sooner");
}

TEST(DeadlineTest, ADefaultDeadlineNeverComesUntilBroughtForward) {
  Deadline deadline;
  EXPECT_EQ(deadline.at(), absl::InfiniteFuture());
  deadline.BringForward(kStart);
  EXPECT_EQ(deadline.at(), kStart);
}

TEST(DeadlineTest, SleepsAreCutToTheDeadlineAndToTheRecheckInterval) {
  Deadline deadline(kStart + Milliseconds(12));
  // Waking anyway sooner than both.
  EXPECT_EQ(deadline.SleepFrom(kStart, kStart + Milliseconds(2)),
            Milliseconds(2));
  // The recheck interval bounds a long wait, so a deadline brought forward
  // meanwhile is noticed.
  EXPECT_EQ(deadline.SleepFrom(kStart), Deadline::kRecheck);
  EXPECT_EQ(deadline.SleepFrom(kStart + Milliseconds(10)), Milliseconds(2));
  EXPECT_EQ(deadline.SleepFrom(kStart + Milliseconds(20)),
            absl::ZeroDuration());
  // poll() milliseconds round up, so a poll never ends before the deadline.
  EXPECT_EQ(deadline.PollMillis(kStart + absl::Microseconds(10500)), 2);
  EXPECT_EQ(deadline.PollMillis(kStart + Milliseconds(13)), 0);
}

TEST(DeadlineTest, WithinSaysHowLongAndWhy) {
  Deadline deadline(kStart + Milliseconds(400));
  EXPECT_EQ(deadline.Within(kStart), "within 400ms");
  deadline.BringForward(kStart + absl::Microseconds(100600),
                        "waits follow the 227us STUN round trip");
  EXPECT_EQ(deadline.Within(kStart),
            "within 101ms (waits follow the 227us STUN round trip)");
}

// A waiter polling as the queries do notices a deadline another thread
// brought forward, well before the first one. (Run under TSan too.)
TEST(DeadlineTest, AWaiterNoticesADeadlineBroughtForwardByAnotherThread) {
  const absl::Time start = absl::Now();
  Deadline deadline(start + absl::Seconds(30));
  std::atomic<bool> waiting{false};
  absl::Time ended;
  std::thread waiter([&] {
    waiting.store(true);
    for (absl::Time now = absl::Now(); now < deadline.at(); now = absl::Now()) {
      absl::SleepFor(deadline.SleepFrom(now));
    }
    ended = absl::Now();
  });
  while (!waiting.load()) absl::SleepFor(Milliseconds(1));
  deadline.BringForward(absl::Now() + Milliseconds(20), "test");
  waiter.join();
  EXPECT_GE(ended - start, Milliseconds(20));
  EXPECT_LT(ended - start, absl::Seconds(10));
  EXPECT_EQ(deadline.reason(), "test");
}

}  // namespace
}  // namespace natscope::ingest
