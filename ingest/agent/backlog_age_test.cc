#include "ingest/agent/backlog_age.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

TEST(BacklogAgeTest, NothingWaitingIsZero) {
  BacklogAge backlog(0, kStart);
  EXPECT_EQ(backlog.OldestAge(0, kStart + absl::Hours(1)),
            absl::ZeroDuration());
}

TEST(BacklogAgeTest, TheOldestUnacknowledgedRecordCounts) {
  BacklogAge backlog(0, kStart);
  backlog.Appended(kStart);                      // record 1
  backlog.Appended(kStart + absl::Seconds(10));  // record 2
  backlog.Appended(kStart + absl::Seconds(20));  // record 3
  const absl::Time now = kStart + absl::Seconds(30);
  EXPECT_EQ(backlog.OldestAge(0, now), absl::Seconds(30));
  EXPECT_EQ(backlog.OldestAge(1, now), absl::Seconds(20));
  EXPECT_EQ(backlog.OldestAge(2, now), absl::Seconds(10));
  EXPECT_EQ(backlog.OldestAge(3, now), absl::ZeroDuration());
}

TEST(BacklogAgeTest, RecordsWaitingAtStartCountFromStart) {
  BacklogAge backlog(5, kStart);
  backlog.Appended(kStart + absl::Seconds(50));  // record 6
  const absl::Time now = kStart + absl::Seconds(60);
  EXPECT_EQ(backlog.OldestAge(4, now), absl::Seconds(60));
  EXPECT_EQ(backlog.OldestAge(5, now), absl::Seconds(10));
}

TEST(BacklogAgeTest, AppendsWithinASecondShareABucket) {
  BacklogAge backlog(0, kStart);
  for (int i = 0; i < 1000; ++i) {
    backlog.Appended(kStart + absl::Milliseconds(i % 900));
  }
  backlog.Appended(kStart + absl::Seconds(5));
  const absl::Time now = kStart + absl::Seconds(10);
  EXPECT_EQ(backlog.OldestAge(999, now), absl::Seconds(10));
  EXPECT_EQ(backlog.OldestAge(1000, now), absl::Seconds(5));
}

TEST(BacklogAgeTest, MemoryIsBounded) {
  BacklogAge backlog(0, kStart);
  const int n = static_cast<int>(BacklogAge::kMaxBuckets) + 10;
  for (int i = 0; i < n; ++i) backlog.Appended(kStart + absl::Seconds(i));
  const absl::Time now = kStart + absl::Seconds(n);
  EXPECT_EQ(backlog.OldestAge(0, now), absl::Seconds(n));
  // The last records share the last bucket's time: they read older.
  EXPECT_EQ(backlog.OldestAge(n - 1, now),
            absl::Seconds(n - (BacklogAge::kMaxBuckets - 1)));
}

}  // namespace
}  // namespace natscope::ingest
