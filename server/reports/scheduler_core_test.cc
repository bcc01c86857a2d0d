#include "server/reports/scheduler_core.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

using natscope::v1::ReportSchedule;

absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << err;
  return t;
}

ReportSchedule Schedule(const std::string& id, const std::string& cron,
                        const std::string& zone, const std::string& created) {
  ReportSchedule s;
  s.set_id(id);
  s.set_name("weekly " + id);
  s.set_cron(cron);
  s.set_time_zone(zone);
  s.mutable_scope()->set_fleet(true);
  s.set_format(natscope::v1::REPORT_FORMAT_HTML);
  s.set_output_directory("/var/lib/natscope/reports");
  s.mutable_created_at()->set_seconds(absl::ToUnixSeconds(T(created)));
  s.set_enabled(true);
  return s;
}

CompiledSchedule Compile(const ReportSchedule& s) {
  absl::StatusOr<CompiledSchedule> compiled = CompileSchedule(s);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return *compiled;
}

// Monday 2024-05-06 08:00 UTC is a firing of "0 8 * * MON".
const CompiledSchedule& MondayEight() {
  static const CompiledSchedule* s = new CompiledSchedule(
      Compile(Schedule("mon", "0 8 * * MON", "UTC", "2024-05-06T07:00:00Z")));
  return *s;
}

TEST(DueRunsTest, NothingDueBeforeTheFirstFiring) {
  const ScheduleState states[] = {{&MondayEight(), std::nullopt}};
  EXPECT_TRUE(DueRuns(states, T("2024-05-06T07:59:59Z")).empty());
  EXPECT_EQ(NextWakeup(states, T("2024-05-06T07:59:59Z")),
            T("2024-05-06T08:00:00Z"));
}

TEST(DueRunsTest, DueAtTheFiringTime) {
  const ScheduleState states[] = {{&MondayEight(), std::nullopt}};
  const std::vector<DueRun> due = DueRuns(states, T("2024-05-06T08:00:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].schedule_id, "mon");
  EXPECT_EQ(due[0].scheduled_for, T("2024-05-06T08:00:00Z"));
  EXPECT_EQ(due[0].first_missed, due[0].scheduled_for);
}

TEST(DueRunsTest, AClaimedFiringIsNotDueAgain) {
  const ScheduleState states[] = {{&MondayEight(), T("2024-05-06T08:00:00Z")}};
  EXPECT_TRUE(DueRuns(states, T("2024-05-06T08:05:00Z")).empty());
  EXPECT_EQ(NextWakeup(states, T("2024-05-06T08:05:00Z")),
            T("2024-05-13T08:00:00Z"));
}

TEST(DueRunsTest, MissedFiringsCollapseIntoOneRunForTheLatest) {
  // Created before its last run (2024-01-01), as every real schedule is.
  const CompiledSchedule monday =
      Compile(Schedule("mon", "0 8 * * MON", "UTC", "2023-12-01T00:00:00Z"));
  const ScheduleState states[] = {{&monday, T("2024-01-01T08:00:00Z")}};
  const std::vector<DueRun> due = DueRuns(states, T("2024-05-08T12:00:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduled_for, T("2024-05-06T08:00:00Z"));
  EXPECT_EQ(due[0].first_missed, T("2024-01-08T08:00:00Z"));
}

TEST(DueRunsTest, MissedFrequentFiringsCollapseToo) {
  const CompiledSchedule s =
      Compile(Schedule("q", "*/15 * * * *", "UTC", "2024-05-01T00:00:00Z"));
  const ScheduleState states[] = {{&s, T("2024-05-06T08:00:00Z")}};
  const std::vector<DueRun> due = DueRuns(states, T("2024-05-20T10:07:00Z"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduled_for, T("2024-05-20T10:00:00Z"));
  EXPECT_EQ(due[0].first_missed, T("2024-05-06T08:15:00Z"));
}

TEST(DueRunsTest, ANewScheduleDoesNotBackfill) {
  const CompiledSchedule s =
      Compile(Schedule("new", "0 8 * * *", "UTC", "2024-05-06T09:00:00Z"));
  const ScheduleState states[] = {{&s, std::nullopt}};
  EXPECT_TRUE(DueRuns(states, T("2024-05-06T09:30:00Z")).empty());
  EXPECT_EQ(DueRuns(states, T("2024-05-07T08:00:00Z")).size(), 1u);
}

TEST(DueRunsTest, DisabledSchedulesNeverRun) {
  ReportSchedule off = MondayEight().schedule;
  off.set_enabled(false);
  const CompiledSchedule s = Compile(off);
  const ScheduleState states[] = {{&s, std::nullopt}};
  EXPECT_TRUE(DueRuns(states, T("2024-06-01T00:00:00Z")).empty());
  EXPECT_EQ(NextWakeup(states, T("2024-06-01T00:00:00Z")),
            absl::InfiniteFuture());
}

TEST(DueRunsTest, SpringForwardRunHappensWhenTheGapEnds) {
  const CompiledSchedule s = Compile(
      Schedule("paris", "30 2 * * *", "Europe/Paris", "2024-03-01T00:00:00Z"));
  const ScheduleState states[] = {{&s, T("2024-03-30T02:30:00+01:00")}};
  EXPECT_TRUE(DueRuns(states, T("2024-03-31T02:59:59+02:00")).empty());
  const std::vector<DueRun> due =
      DueRuns(states, T("2024-03-31T03:00:00+02:00"));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].scheduled_for, T("2024-03-31T03:00:00+02:00"));
}

TEST(DueRunsTest, KeepsTheOrderOfStatesAndSkipsThoseNotDue) {
  const CompiledSchedule daily =
      Compile(Schedule("daily", "0 6 * * *", "UTC", "2024-05-01T00:00:00Z"));
  const CompiledSchedule later =
      Compile(Schedule("later", "0 23 * * *", "UTC", "2024-05-06T00:00:00Z"));
  const ScheduleState states[] = {{&later, std::nullopt},
                                  {&MondayEight(), std::nullopt},
                                  {&daily, T("2024-05-05T06:00:00Z")}};
  const std::vector<DueRun> due = DueRuns(states, T("2024-05-06T09:00:00Z"));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].schedule_id, "mon");
  EXPECT_EQ(due[1].schedule_id, "daily");
  EXPECT_EQ(NextWakeup(states, T("2024-05-06T09:00:00Z")),
            T("2024-05-06T23:00:00Z"));
}

TEST(CompileScheduleTest, AWebhookAloneIsADelivery) {
  ReportSchedule s = MondayEight().schedule;
  s.clear_output_directory();
  s.set_webhook_url("http://127.0.0.1:9/hook");
  EXPECT_TRUE(CompileSchedule(s).ok());
}

// A schedule created again under a deleted one's id: the old runs do not
// make it catch up.
TEST(DueRunsTest, RecreatedScheduleDoesNotBackFill) {
  const CompiledSchedule daily =
      Compile(Schedule("daily", "0 6 * * *", "UTC", "2024-05-10T07:00:00Z"));
  const ScheduleState states[] = {{&daily, T("2024-05-01T06:00:00Z")}};
  EXPECT_TRUE(DueRuns(states, T("2024-05-10T08:00:00Z")).empty());
  EXPECT_EQ(DueRuns(states, T("2024-05-11T06:00:01Z")).size(), 1u);
}

struct BadScheduleCase {
  const char* what;
  void (*mutate)(ReportSchedule*);
  const char* message_part;
};

TEST(CompileScheduleTest, RejectsBadSchedulesSayingWhy) {
  const BadScheduleCase cases[] = {
      {"cron", [](ReportSchedule* s) { s->set_cron("0 25 * * *"); },
       "hour field \"25\""},
      {"zone", [](ReportSchedule* s) { s->set_time_zone("Europe/Atlantis"); },
       "unknown time zone \"Europe/Atlantis\""},
      {"format",
       [](ReportSchedule* s) {
         s->set_format(natscope::v1::REPORT_FORMAT_UNSPECIFIED);
       },
       "no format"},
      {"dir",
       [](ReportSchedule* s) {
         s->clear_output_directory();
         s->clear_webhook_url();
       },
       "no output directory and no webhook"},
      {"scope", [](ReportSchedule* s) { s->mutable_scope()->mutable_sites(); },
       "no scope"},
      {"unset scope", [](ReportSchedule* s) { s->clear_scope(); }, "no scope"},
  };
  for (const BadScheduleCase& c : cases) {
    ReportSchedule s = MondayEight().schedule;
    c.mutate(&s);
    absl::StatusOr<CompiledSchedule> compiled = CompileSchedule(s);
    ASSERT_FALSE(compiled.ok()) << c.what;
    EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(compiled.status().message(), c.message_part))
        << c.what << ": " << compiled.status();
    EXPECT_TRUE(absl::StrContains(compiled.status().message(), "weekly mon"))
        << c.what << ": " << compiled.status();
  }
}

}  // namespace
}  // namespace natscope::server
