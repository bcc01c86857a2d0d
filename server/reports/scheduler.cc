#include "server/reports/scheduler.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "server/reports/producer.h"
#include "server/reports/scheduler_core.h"

namespace natscope::server {

absl::Duration ReportScheduler::DefaultPoll() {
  return ReportSecondsForTesting() ? kTestPoll : kPoll;
}

absl::StatusOr<int> ReportScheduler::RunDue(absl::Time* next) {
  const absl::Time now = clock_->Now();
  *next = now + poll_;
  ASSIGN_OR_RETURN(int abandoned, store_->FailAbandonedRuns(now - kAbandoned, now));
  if (abandoned > 0) {
    ReportRunsCounter().With({"abandoned"}).Increment(abandoned);
    LogEvent(LogLevel::kWarning, "report runs abandoned by a stopped server marked failed",
             {{"runs", absl::StrCat(abandoned)}});
  }
  ASSIGN_OR_RETURN(std::vector<v1::ReportSchedule> schedules, store_->ListSchedules());
  std::vector<CompiledSchedule> compiled;
  compiled.reserve(schedules.size());  // ScheduleState points into it.
  std::vector<ScheduleState> states;
  for (const v1::ReportSchedule& schedule : schedules) {
    absl::StatusOr<CompiledSchedule> c = CompileSchedule(schedule);
    if (!c.ok()) {
      // Validated when created; a time zone can still vanish from tzdata.
      LogEvent(LogLevel::kWarning, "report schedule skipped",
               {{"schedule", schedule.id()}, {"error", std::string(c.status().message())}});
      continue;
    }
    compiled.push_back(*std::move(c));
  }
  for (const CompiledSchedule& c : compiled) {
    ASSIGN_OR_RETURN(absl::Time last, store_->LastScheduledRun(c.schedule.id()));
    ScheduleState& state = states.emplace_back();
    state.schedule = &c;
    if (last != absl::InfinitePast()) state.last_scheduled_for = last;
  }
  int produced = 0;
  for (const DueRun& due : DueRuns(states, now)) {
    const auto it = std::find_if(compiled.begin(), compiled.end(), [&](const auto& c) {
      return c.schedule.id() == due.schedule_id;
    });
    if (due.first_missed < due.scheduled_for) {
      LogEvent(LogLevel::kInfo, "missed report firings collapsed into one run",
               {{"schedule", due.schedule_id},
                {"since", absl::FormatTime(due.first_missed)}});
    }
    ASSIGN_OR_RETURN(std::optional<StoredReportRun> run,
                     producer_->Produce(it->schedule, due.scheduled_for, false));
    if (run.has_value()) ++produced;
  }
  *next = std::min(*next, NextWakeup(states, now));
  return produced;
}

void ReportScheduler::Start() {
  loop_ = std::make_unique<Periodic>(
      "report-scheduler", absl::ZeroDuration(), poll_, [this] {
        absl::Time next;
        absl::StatusOr<int> produced = RunDue(&next);
        if (!produced.ok()) {
          LogEvent(LogLevel::kWarning,
                   absl::StrCat("report scheduler failed; retrying in ",
                                absl::FormatDuration(poll_)),
                   {{"error", std::string(produced.status().message())}});
          return poll_;
        }
        // Wake just after the next firing; never spin.
        return std::max(absl::Milliseconds(100), next - clock_->Now());
      });
}

void ReportScheduler::Poke() {
  if (loop_) loop_->Poke();
}

void ReportScheduler::Stop() {
  if (loop_) loop_->Stop();
}

}  // namespace natscope::server
