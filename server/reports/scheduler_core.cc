#include "server/reports/scheduler_core.h"

#include <algorithm>
#include <atomic>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace natscope::server {
namespace {

using natscope::v1::ReportSchedule;

std::atomic<bool> report_seconds_for_testing{false};

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// The instant after which firings are still unclaimed.
absl::Time Baseline(const ScheduleState& state, absl::Time now) {
  const ReportSchedule& schedule = state.schedule->schedule;
  // Without created_at there is no past to catch up on.
  const absl::Time created =
      schedule.has_created_at() ? FromProto(schedule.created_at()) : now;
  // Runs of an earlier schedule with the same id (deleted, then created
  // again) must not make the new one back-fill: the later of the two.
  if (state.last_scheduled_for.has_value()) {
    return std::max(*state.last_scheduled_for, created);
  }
  return created;
}

// The latest firing in (baseline, now], given `first`, the earliest one.
// Searches backwards from `now` in doubling windows so that a long outage
// costs a few NextRun calls, not one per missed firing.
absl::Time LatestFiring(const CompiledSchedule& s, absl::Time baseline,
                        absl::Time first, absl::Time now) {
  absl::Time latest = first;
  for (absl::Duration window = absl::Hours(1);; window *= 2) {
    const absl::Time start = now - window;
    if (start <= baseline) break;  // `first` is the answer's lower bound.
    const absl::Time candidate = NextRun(s.cron, s.zone, start);
    if (candidate <= now) {
      latest = candidate;
      break;
    }
  }
  for (absl::Time next = NextRun(s.cron, s.zone, latest); next <= now;
       next = NextRun(s.cron, s.zone, latest)) {
    latest = next;
  }
  return latest;
}

}  // namespace

void SetReportSecondsForTesting(bool on) {
  report_seconds_for_testing.store(on);
}

bool ReportSecondsForTesting() { return report_seconds_for_testing.load(); }

absl::StatusOr<CompiledSchedule> CompileSchedule(
    const ReportSchedule& schedule) {
  return CompileSchedule(
      schedule, CronOptions{/*seconds_field=*/ReportSecondsForTesting()});
}

absl::StatusOr<CompiledSchedule> CompileSchedule(const ReportSchedule& schedule,
                                                 CronOptions cron_options) {
  const std::string who = absl::StrCat("report schedule \"", schedule.name(),
                                       "\" (id \"", schedule.id(), "\"): ");
  absl::StatusOr<CronSpec> cron =
      CronSpec::Parse(schedule.cron(), cron_options);
  if (!cron.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, cron.status().message()));
  }
  absl::StatusOr<absl::TimeZone> zone =
      LoadReportTimeZone(schedule.time_zone());
  if (!zone.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, zone.status().message()));
  }
  if (schedule.format() == natscope::v1::REPORT_FORMAT_UNSPECIFIED ||
      !natscope::v1::ReportFormat_IsValid(schedule.format())) {
    return absl::InvalidArgumentError(
        absl::StrCat(who, "no format; choose MARKDOWN, HTML or JSON"));
  }
  if (schedule.output_directory().empty() && schedule.webhook_url().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, "no output directory and no webhook; give the directory reports "
             "are written to, a webhook, or both"));
  }
  const auto& scope = schedule.scope();
  if (scope.scope_case() == natscope::v1::ReportScope::SCOPE_NOT_SET ||
      (scope.has_fleet() && !scope.fleet()) ||
      (scope.has_sites() && scope.sites().sites().empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        who, "no scope; choose the whole fleet or list at least one site"));
  }
  return CompiledSchedule{schedule, *std::move(cron), *zone};
}

std::vector<DueRun> DueRuns(absl::Span<const ScheduleState> states,
                            absl::Time now) {
  std::vector<DueRun> due;
  for (const ScheduleState& state : states) {
    const CompiledSchedule& s = *state.schedule;
    if (!s.schedule.enabled()) continue;
    const absl::Time baseline = Baseline(state, now);
    const absl::Time first = NextRun(s.cron, s.zone, baseline);
    if (first > now) continue;
    due.push_back(
        DueRun{s.schedule.id(), LatestFiring(s, baseline, first, now), first});
  }
  return due;
}

absl::Time NextWakeup(absl::Span<const ScheduleState> states, absl::Time now) {
  absl::Time wakeup = absl::InfiniteFuture();
  for (const ScheduleState& state : states) {
    const CompiledSchedule& s = *state.schedule;
    if (!s.schedule.enabled()) continue;
    const absl::Time from = std::max(Baseline(state, now), now);
    wakeup = std::min(wakeup, NextRun(s.cron, s.zone, from));
  }
  return wakeup;
}

}  // namespace natscope::server
