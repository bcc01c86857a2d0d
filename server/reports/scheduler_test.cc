// ReportScheduler::RunDue over the in-memory store on a simulated clock:
// when it looks again, and the second-granularity schedules of
// SetReportSecondsForTesting (natscope-server --testonly_report_seconds).
#include "server/reports/scheduler.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "natscope/v1/reports.pb.h"
#include "server/reports/producer.h"
#include "server/reports/scheduler_core.h"
#include "server/store/memory_store.h"

namespace natscope::server {
namespace {

// 2026-12-06T10:00:00Z
const absl::Time kStart = absl::FromUnixSeconds(1796551200);

class ReportSchedulerTest : public testing::Test {
 protected:
  ~ReportSchedulerTest() override { SetReportSecondsForTesting(false); }

  // A fleet-wide Markdown schedule created now.
  void Create(const std::string& id, const std::string& cron) {
    v1::ReportSchedule s;
    s.set_id(id);
    s.set_name(id);
    s.set_cron(cron);
    s.set_time_zone("UTC");
    s.mutable_scope()->set_fleet(true);
    s.set_format(v1::REPORT_FORMAT_MARKDOWN);
    s.set_output_directory(absl::StrCat(testing::TempDir(), "/reports-", id));
    s.mutable_created_at()->set_seconds(absl::ToUnixSeconds(clock_.Now()));
    s.set_enabled(true);
    ASSERT_TRUE(store_.CreateSchedule(s).ok());
  }

  // RunDue at `at`: how many runs it produced; *next when to look again.
  int RunDueAt(ReportScheduler& scheduler, absl::Time at, absl::Time* next) {
    clock_.Set(at);
    absl::StatusOr<int> produced = scheduler.RunDue(next);
    EXPECT_TRUE(produced.ok()) << produced.status();
    return produced.value_or(-1);
  }

  // scheduled_for of every run of `id`, oldest first, each checked OK.
  std::vector<absl::Time> Firings(const std::string& id) {
    std::vector<absl::Time> firings;
    absl::StatusOr<std::vector<StoredReportRun>> runs =
        store_.ListRuns(id, 100);
    EXPECT_TRUE(runs.ok()) << runs.status();
    for (const StoredReportRun& r :
         runs.value_or(std::vector<StoredReportRun>{})) {
      EXPECT_EQ(r.run.status(), v1::REPORT_RUN_STATUS_SUCCEEDED)
          << r.run.error();
      firings.insert(firings.begin(),
                     absl::FromUnixSeconds(r.run.scheduled_for().seconds()));
    }
    return firings;
  }

  SimClock clock_{kStart};
  MemoryStore store_;
  ReportProducer producer_{&store_, &store_, &clock_, "test"};
};

TEST_F(ReportSchedulerTest, LooksAgainWithinItsPoll) {
  absl::Time next;
  ReportScheduler usual(&store_, &clock_, &producer_);
  EXPECT_EQ(RunDueAt(usual, kStart, &next), 0);
  EXPECT_EQ(next, kStart + ReportScheduler::kPoll);
  ReportScheduler fast(&store_, &clock_, &producer_, absl::Seconds(1));
  EXPECT_EQ(RunDueAt(fast, kStart, &next), 0);
  EXPECT_EQ(next, kStart + absl::Seconds(1));
}

TEST_F(ReportSchedulerTest, TheTestingSwitchShortensTheDefaultPoll) {
  EXPECT_EQ(ReportScheduler::DefaultPoll(), absl::Seconds(30));
  SetReportSecondsForTesting(true);
  EXPECT_EQ(ReportScheduler::DefaultPoll(), absl::Seconds(1));
  SetReportSecondsForTesting(false);
  EXPECT_EQ(ReportScheduler::DefaultPoll(), absl::Seconds(30));
}

TEST_F(ReportSchedulerTest, SecondsScheduleRunsEachFiringOnce) {
  SetReportSecondsForTesting(true);
  Create("fast", "*/5 * * * * *");
  ReportScheduler scheduler(&store_, &clock_, &producer_);
  absl::Time next;
  // Created at a firing: not due until the next one (no back-fill).
  EXPECT_EQ(RunDueAt(scheduler, kStart, &next), 0);
  EXPECT_EQ(next, kStart + absl::Seconds(1));
  EXPECT_EQ(RunDueAt(scheduler, kStart + absl::Seconds(5), &next), 1);
  // Claimed: a second look at the same instant produces nothing.
  EXPECT_EQ(RunDueAt(scheduler, kStart + absl::Seconds(5), &next), 0);
  // Firings 10 and 15 missed: one run, for 15.
  EXPECT_EQ(RunDueAt(scheduler, kStart + absl::Seconds(17), &next), 1);
  EXPECT_EQ(Firings("fast"),
            (std::vector<absl::Time>{kStart + absl::Seconds(5),
                                     kStart + absl::Seconds(15)}));
}

TEST_F(ReportSchedulerTest, NextLookIsTheNextFiringWhenSooner) {
  SetReportSecondsForTesting(true);
  Create("fast", "*/5 * * * * *");
  ReportScheduler scheduler(&store_, &clock_, &producer_, absl::Seconds(30));
  absl::Time next;
  EXPECT_EQ(RunDueAt(scheduler, kStart + absl::Seconds(2), &next), 0);
  EXPECT_EQ(next, kStart + absl::Seconds(5));
}

// A six-field schedule left in the database by a testing server is skipped
// (and logged) by a normal one, as any schedule that no longer compiles.
TEST_F(ReportSchedulerTest, SixFieldsAreSkippedWithoutTheSwitch) {
  SetReportSecondsForTesting(true);
  Create("fast", "*/5 * * * * *");
  SetReportSecondsForTesting(false);
  Create("minutely", "* * * * *");
  ReportScheduler scheduler(&store_, &clock_, &producer_);
  absl::Time next;
  EXPECT_EQ(RunDueAt(scheduler, kStart + absl::Seconds(59), &next), 0);
  EXPECT_EQ(next, kStart + absl::Seconds(60));
  EXPECT_EQ(RunDueAt(scheduler, kStart + absl::Seconds(60), &next), 1);
  EXPECT_TRUE(Firings("fast").empty());
  EXPECT_EQ(Firings("minutely"),
            (std::vector<absl::Time>{kStart + absl::Seconds(60)}));
}

}  // namespace
}  // namespace natscope::server
