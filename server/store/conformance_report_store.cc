// The conformance suite's ReportStore tests: report schedules and runs: above all, that a scheduled run is claimed once, whoever asks.
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/store/store_conformance.h"
#include "server/store/store_conformance_util.h"

namespace natscope::server {
namespace {

using namespace conformance;  // NOLINT: the suite's builders.

// Claims a run that starts at `started` and, unless `running`, finishes
// with content; returns its id.
int64_t AddRun(ReportStore& store, const std::string& schedule_id,
               absl::Time scheduled_for, bool on_demand, absl::Time started,
               bool running = false) {
  int64_t id = 0;
  auto claimed = store.ClaimRun(schedule_id, scheduled_for, on_demand,
                                natscope::v1::REPORT_FORMAT_MARKDOWN, "a", started, &id);
  EXPECT_TRUE(claimed.ok() && *claimed) << schedule_id;
  if (running) return id;
  ReportRun run;
  run.set_status(natscope::v1::REPORT_RUN_STATUS_SUCCEEDED);
  SetTime(started + absl::Seconds(1), run.mutable_finished_at());
  EXPECT_TRUE(store.FinishRun(id, run, "# old report\n").ok());
  return id;
}

TEST_P(ReportStoreConformance, SchedulesAreCreatedListedAndDeleted) {
  ASSERT_TRUE(store_->CreateSchedule(Schedule("s2")).ok());
  ASSERT_TRUE(store_->CreateSchedule(Schedule("s1")).ok());
  EXPECT_EQ(store_->CreateSchedule(Schedule("s1")).code(),
            absl::StatusCode::kAlreadyExists);
  auto schedules = store_->ListSchedules();
  ASSERT_TRUE(schedules.ok()) << schedules.status();
  ASSERT_EQ(schedules->size(), 2u);
  EXPECT_EQ((*schedules)[0].id(), "s1");
  EXPECT_EQ((*schedules)[0].time_zone(), "Europe/Paris");
  EXPECT_TRUE((*schedules)[0].scope().fleet());
  ASSERT_TRUE(store_->DeleteSchedule("s1").ok());
  EXPECT_EQ(store_->DeleteSchedule("s1").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->ListSchedules()->size(), 1u);
}

TEST_P(ReportStoreConformance, AScheduledRunIsClaimedOnceOnDemandRunsAlways) {
  ASSERT_TRUE(store_->CreateSchedule(Schedule("s1")).ok());
  EXPECT_EQ(*store_->LastScheduledRun("s1"), absl::InfinitePast());
  int64_t first = 0, second = 0;
  auto claimed = store_->ClaimRun("s1", kT0, false, natscope::v1::REPORT_FORMAT_HTML,
                                  "server-a", kT0, &first);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_TRUE(*claimed);
  EXPECT_GT(first, 0);
  claimed = store_->ClaimRun("s1", kT0, false, natscope::v1::REPORT_FORMAT_HTML,
                             "server-b", kT0, &second);
  ASSERT_TRUE(claimed.ok());
  EXPECT_FALSE(*claimed);
  // On demand, for the same schedule and time: a new run each time, and
  // the schedule's last scheduled run does not move.
  int64_t demand = 0;
  EXPECT_TRUE(*store_->ClaimRun("s1", kT0 + absl::Hours(1), true,
                                natscope::v1::REPORT_FORMAT_JSON, "cli", kT0, &demand));
  EXPECT_TRUE(*store_->ClaimRun("s1", kT0 + absl::Hours(1), true,
                                natscope::v1::REPORT_FORMAT_JSON, "cli", kT0, &demand));
  EXPECT_EQ(*store_->LastScheduledRun("s1"), kT0);
}

TEST_P(ReportStoreConformance, ConcurrentClaimsOfOneRunHaveOneWinner) {
  std::atomic<int> winners{0}, errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      int64_t id = 0;
      auto claimed = store_->ClaimRun("s1", kT0, false,
                                      natscope::v1::REPORT_FORMAT_MARKDOWN,
                                      "server-" + std::to_string(i), kT0, &id);
      if (!claimed.ok()) ++errors;
      if (claimed.ok() && *claimed) ++winners;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(winners.load(), 1);
}

TEST_P(ReportStoreConformance, FinishedRunKeepsItsContentAndOutcome) {
  int64_t id = 0;
  ASSERT_TRUE(*store_->ClaimRun("s1", kT0, false, natscope::v1::REPORT_FORMAT_MARKDOWN,
                                "server-a", kT0, &id));
  ReportRun run;
  run.set_status(natscope::v1::REPORT_RUN_STATUS_SUCCEEDED);
  conformance::SetTime(kT0 + absl::Seconds(3), run.mutable_finished_at());
  run.set_content_path("/tmp/reports/r.md");
  ASSERT_TRUE(store_->FinishRun(id, run, "# report\n").ok());
  EXPECT_EQ(store_->FinishRun(id + 1000, run, "").code(), absl::StatusCode::kNotFound);

  auto stored = store_->GetRun(id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->content, "# report\n");
  EXPECT_EQ(stored->run.status(), natscope::v1::REPORT_RUN_STATUS_SUCCEEDED);
  EXPECT_EQ(stored->run.schedule_id(), "s1");
  EXPECT_EQ(stored->run.content_path(), "/tmp/reports/r.md");
  EXPECT_EQ(stored->run.format(), natscope::v1::REPORT_FORMAT_MARKDOWN);
  EXPECT_EQ(stored->run.finished_at().seconds(), absl::ToUnixSeconds(kT0) + 3);
  EXPECT_EQ(store_->GetRun(id + 1000).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(ReportStoreConformance, RunsAreListedNewestFirstBySchedule) {
  int64_t id = 0;
  ASSERT_TRUE(*store_->ClaimRun("s1", kT0, false, natscope::v1::REPORT_FORMAT_MARKDOWN,
                                "a", kT0, &id));
  ASSERT_TRUE(*store_->ClaimRun("s1", kT0 + absl::Hours(1), false,
                                natscope::v1::REPORT_FORMAT_MARKDOWN, "a",
                                kT0 + absl::Hours(1), &id));
  ASSERT_TRUE(*store_->ClaimRun("", kT0, true, natscope::v1::REPORT_FORMAT_JSON, "cli",
                                kT0 + absl::Hours(2), &id));
  ASSERT_TRUE(*store_->ClaimRun("s1", kT0, true, natscope::v1::REPORT_FORMAT_HTML, "cli",
                                kT0 + absl::Hours(3), &id));
  // A schedule's runs include its on-demand ones, newest first.
  auto runs = store_->ListRuns("s1", 10);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_TRUE((*runs)[0].run.on_demand());
  EXPECT_FALSE((*runs)[1].run.on_demand());
  EXPECT_EQ((*runs)[1].run.scheduled_for().seconds(), absl::ToUnixSeconds(kT0) + 3600);
  EXPECT_TRUE((*runs)[0].content.empty());
  EXPECT_EQ(store_->ListRuns("", 10)->size(), 4u);
  EXPECT_EQ(store_->ListRuns("", 1)->size(), 1u);
  // "-": every on-demand run, with or without a schedule.
  auto on_demand = store_->ListRuns("-", 10);
  ASSERT_TRUE(on_demand.ok());
  ASSERT_EQ(on_demand->size(), 2u);
  EXPECT_EQ((*on_demand)[0].run.format(), natscope::v1::REPORT_FORMAT_HTML);
  EXPECT_EQ((*on_demand)[1].run.format(), natscope::v1::REPORT_FORMAT_JSON);
}

TEST_P(ReportStoreConformance, AbandonedRunsFailAndAreNotRunAgain) {
  int64_t id = 0;
  ASSERT_TRUE(*store_->ClaimRun("s1", kT0, false, natscope::v1::REPORT_FORMAT_MARKDOWN,
                                "dead", kT0, &id));
  auto failed = store_->FailAbandonedRuns(kT0 + absl::Minutes(30), kT0 + absl::Hours(1));
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(*failed, 1);
  auto stored = store_->GetRun(id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->run.status(), natscope::v1::REPORT_RUN_STATUS_FAILED);
  EXPECT_FALSE(stored->run.error().empty());
  EXPECT_FALSE(*store_->ClaimRun("s1", kT0, false, natscope::v1::REPORT_FORMAT_MARKDOWN,
                                 "b", kT0, &id));
}

TEST_P(ReportStoreConformance, RetentionDeletesOldFinishedRunsButNotTheLastClaim) {
  const absl::Time cutoff = kT0 + absl::Hours(24);
  const int64_t old_scheduled = AddRun(*store_, "s1", kT0, false, kT0);
  const int64_t newest_claim = AddRun(*store_, "s1", kT0 + absl::Hours(1), false,
                                   kT0 + absl::Hours(1));
  const int64_t old_on_demand = AddRun(*store_, "", kT0, true, kT0);
  const int64_t old_running = AddRun(*store_, "s2", kT0, false, kT0, /*running=*/true);
  const int64_t recent = AddRun(*store_, "", cutoff, true, cutoff + absl::Minutes(1));

  auto deleted = store_->DeleteRunsBefore(cutoff);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(store_->GetRun(old_scheduled).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetRun(old_on_demand).status().code(), absl::StatusCode::kNotFound);
  for (int64_t kept : {newest_claim, old_running, recent}) {
    EXPECT_TRUE(store_->GetRun(kept).ok()) << "run " << kept << " was deleted";
  }
  EXPECT_EQ(store_->GetRun(recent)->content, "# old report\n");
  EXPECT_EQ(store_->ListRuns("", 10)->size(), 3u);
  // The schedule's last firing is still known, and still claimed.
  EXPECT_EQ(*store_->LastScheduledRun("s1"), kT0 + absl::Hours(1));
  int64_t id = 0;
  EXPECT_FALSE(*store_->ClaimRun("s1", kT0 + absl::Hours(1), false,
                                 natscope::v1::REPORT_FORMAT_MARKDOWN, "b", cutoff, &id));
  EXPECT_EQ(*store_->DeleteRunsBefore(cutoff), 0);
}

}  // namespace
}  // namespace natscope::server
