// Report schedules and runs: which reports to make when, and each run
// claimed exactly once across servers. Callers: the ReportService, the
// report scheduler and producer, and history maintenance (DeleteRunsBefore).
// Errors and thread safety: see agent_registry.h.
#ifndef NATSCOPE_SERVER_STORE_REPORT_STORE_H_
#define NATSCOPE_SERVER_STORE_REPORT_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server {

// A report run as stored, with its id and (optionally) its content.
struct StoredReportRun {
  int64_t run_id = 0;
  natscope::v1::ReportRun run;
  std::string content;  // Empty unless asked for.
};

class ReportStore {
 public:
  virtual ~ReportStore() = default;

  // Stores a new schedule (its id set). AlreadyExists for a taken id.
  virtual absl::Status CreateSchedule(
      const natscope::v1::ReportSchedule& schedule) = 0;
  // Every schedule, by id.
  virtual absl::StatusOr<std::vector<natscope::v1::ReportSchedule>>
  ListSchedules() = 0;
  // Deletes a schedule (its runs stay); NotFound when none.
  virtual absl::Status DeleteSchedule(absl::string_view schedule_id) = 0;
  // scheduled_for of the newest scheduled (not on-demand) run of the
  // schedule, or InfinitePast when none.
  virtual absl::StatusOr<absl::Time> LastScheduledRun(
      absl::string_view schedule_id) = 0;
  // Claims a run: for a scheduled run, returns false (and stores nothing)
  // when (schedule_id, scheduled_for) was claimed before, by any server;
  // on-demand runs are always new. The run starts RUNNING. Returns the new
  // run_id through `run_id`.
  virtual absl::StatusOr<bool> ClaimRun(absl::string_view schedule_id,
                                        absl::Time scheduled_for,
                                        bool on_demand,
                                        natscope::v1::ReportFormat format,
                                        absl::string_view claimed_by,
                                        absl::Time now, int64_t* run_id) = 0;
  // Records how run `run_id` ended: run.status, finished_at, content_path
  // and error, and the rendered content.
  virtual absl::Status FinishRun(int64_t run_id,
                                 const natscope::v1::ReportRun& run,
                                 absl::string_view content) = 0;
  // Runs of `schedule_id` (scheduled and on-demand; every run when empty;
  // "-": every on-demand run), newest first, at most `limit`, without
  // content.
  virtual absl::StatusOr<std::vector<StoredReportRun>> ListRuns(
      absl::string_view schedule_id, int limit) = 0;
  // One run with its content; NotFound when none.
  virtual absl::StatusOr<StoredReportRun> GetRun(int64_t run_id) = 0;
  // Marks runs still RUNNING that started before `before` as FAILED (their
  // server died): they are never re-run, so nothing is delivered twice.
  virtual absl::StatusOr<int> FailAbandonedRuns(absl::Time before,
                                                absl::Time now) = 0;
  // Report retention: deletes the runs, with their stored content, that
  // finished (are not RUNNING) and started before `cutoff`, except the
  // newest scheduled run of each schedule, which tells the scheduler the
  // last firing claimed (so that no firing is ever produced twice). Files
  // already written to output directories are left alone. Returns how
  // many runs were deleted.
  virtual absl::StatusOr<int64_t> DeleteRunsBefore(absl::Time cutoff) = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_REPORT_STORE_H_
