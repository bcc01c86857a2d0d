// The scheduler's decisions, without the scheduler: which report runs are
// due at `now`, and when to look again. Pure: no clock, no store, no I/O
// (apart from CompileSchedule loading a time zone, see cron.h, and its
// one-argument form reading the testing switch below).
//
// Rules:
//   * A schedule fires at the times of its cron spec read in its time zone
//     (cron.h documents DST). Disabled schedules never fire.
//   * Each (schedule id, firing time) is due at most once: a firing is due
//     only if it is later than the newest run already claimed for the
//     schedule (`last_scheduled_for`), or, with no run yet, later than the
//     schedule's created_at — a new schedule does not back-fill the past.
//   * Missed firings collapse: when the server was down across several
//     firings, ONE run is due on start, for the latest firing at or before
//     `now` (the report shows current data, so N identical catch-up reports
//     would only be noise). DueRun.first_missed tells the caller how far
//     back the gap reaches, for its log.
//
// Exactly once across servers (the store's part, not done here): several
// natscope-server processes may compute the same DueRun. A run is produced
// only by the server that CLAIMS it, and the claim is one statement on a
// table with UNIQUE (schedule_id, scheduled_for):
//
//   INSERT INTO report_runs (schedule_id, scheduled_for, started_at, status)
//   VALUES ($1, $2, now(), 'RUNNING')
//   ON CONFLICT (schedule_id, scheduled_for) DO NOTHING
//   RETURNING id;
//
// Zero rows returned means another server owns the run: skip it. Because the
// constraint decides, no advisory lock is needed for correctness (an
// advisory lock may still be taken around the scheduler loop to avoid
// wasted work). `last_scheduled_for` is then
//   SELECT max(scheduled_for) FROM report_runs
//   WHERE schedule_id = $1 AND trigger = 'schedule'
// — on-demand runs (`natscope report run`) must be excluded (or stored with
// their own trigger), or an on-demand run would swallow a pending catch-up.
// A server that dies after claiming leaves a RUNNING row; the store should
// mark such rows FAILED after a timeout rather than re-run them, so a report
// is never delivered twice.
#ifndef NATSCOPE_SERVER_REPORTS_SCHEDULER_CORE_H_
#define NATSCOPE_SERVER_REPORTS_SCHEDULER_CORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "natscope/v1/reports.pb.h"
#include "server/reports/cron.h"

namespace natscope::server {

// A schedule with its cron spec and time zone resolved. Immutable; safe to
// share between threads.
struct CompiledSchedule {
  natscope::v1::ReportSchedule schedule;
  CronSpec cron;
  absl::TimeZone zone;
};

// Validates `schedule` as the CLI and server should before storing it:
// InvalidArgument naming the problem for a bad cron spec (parsed with
// `cron_options`), an unknown time zone, a missing format, neither output
// directory nor webhook, or an empty site list.
absl::StatusOr<CompiledSchedule> CompileSchedule(
    const natscope::v1::ReportSchedule& schedule, CronOptions cron_options);
// The same with this process's cron options: five fields, unless
// SetReportSecondsForTesting(true) was called.
absl::StatusOr<CompiledSchedule> CompileSchedule(
    const natscope::v1::ReportSchedule& schedule);

// Testing only (natscope-server --testonly_report_seconds): whether this
// process's schedules may carry a leading seconds field (CronOptions) and
// its ReportSchedulers read the store every second. Process-wide because
// the server validates schedules in several places; call it from main()
// before any schedule is compiled. Off by default. Thread-safe.
void SetReportSecondsForTesting(bool on);
bool ReportSecondsForTesting();

// What the scheduler knows about one schedule.
struct ScheduleState {
  // Not owned; must outlive the call it is passed to.
  const CompiledSchedule* schedule = nullptr;
  // scheduled_for of the newest scheduled run claimed for this schedule by
  // any server, or nullopt when it has never run.
  std::optional<absl::Time> last_scheduled_for;
};

// One run to claim and produce.
struct DueRun {
  std::string schedule_id;
  // The firing this run is for: the latest one at or before `now`. This is
  // the value to claim with (schedule_id, scheduled_for).
  absl::Time scheduled_for;
  // The earliest unclaimed firing; equals scheduled_for unless firings were
  // missed (and collapsed into this run).
  absl::Time first_missed;
};

// The runs due at `now`, at most one per schedule, in the order of
// `states`. Skips disabled schedules.
std::vector<DueRun> DueRuns(absl::Span<const ScheduleState> states,
                            absl::Time now);

// The earliest firing of any enabled schedule strictly after `now`, i.e.
// when the scheduler should call DueRuns next; absl::InfiniteFuture() when
// no schedule is enabled.
absl::Time NextWakeup(absl::Span<const ScheduleState> states, absl::Time now);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_SCHEDULER_CORE_H_
