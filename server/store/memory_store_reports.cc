// MemoryStore's report schedules and runs; the SQL it mirrors is in
// pg_reports.cc.
#include <algorithm>
#include <iterator>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/store/memory_store.h"
#include "server/store/pg_encoding.h"

namespace natscope::server {

using natscope::v1::ReportRun;
using natscope::v1::ReportSchedule;

StoredReportRun MemoryStore::ToStoredRun(int64_t run_id, const RunRow& row) {
  StoredReportRun stored;
  stored.run_id = run_id;
  ReportRun& run = stored.run;
  run.set_schedule_id(row.schedule_id);
  SetStoredTime(row.scheduled_for, run.mutable_scheduled_for());
  SetStoredTime(row.started_at, run.mutable_started_at());
  if (row.finished_at.has_value()) {
    SetStoredTime(*row.finished_at, run.mutable_finished_at());
  }
  run.set_status(row.status);
  run.set_format(row.format);
  run.set_content_path(row.content_path);
  run.set_error(row.error);
  run.set_on_demand(row.on_demand);
  run.set_run_id(run_id);
  return stored;
}

absl::Status MemoryStore::CreateSchedule(const ReportSchedule& schedule) {
  if (schedule.id().empty()) {
    return absl::InvalidArgumentError("CreateSchedule needs an id");
  }
  absl::MutexLock lock(&mu_);
  if (!schedules_.try_emplace(schedule.id(), schedule).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("CreateSchedule: a report schedule \"", schedule.id(),
                     "\" exists already: choose another id"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ReportSchedule>> MemoryStore::ListSchedules() {
  absl::MutexLock lock(&mu_);
  std::vector<ReportSchedule> schedules;
  schedules.reserve(schedules_.size());
  for (const auto& [id, schedule] : schedules_) schedules.push_back(schedule);
  return schedules;
}

absl::Status MemoryStore::DeleteSchedule(absl::string_view schedule_id) {
  absl::MutexLock lock(&mu_);
  if (schedules_.erase(std::string(schedule_id)) == 0) {
    return absl::NotFoundError(
        absl::StrCat("no report schedule \"", schedule_id, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> MemoryStore::LastScheduledRun(
    absl::string_view schedule_id) {
  const std::string id(schedule_id);
  absl::MutexLock lock(&mu_);
  // Stored times are finite: the last entry of `id` comes just before.
  const auto next = scheduled_runs_.upper_bound({id, absl::InfiniteFuture()});
  if (next == scheduled_runs_.begin() || std::prev(next)->first != id) {
    return absl::InfinitePast();
  }
  return std::prev(next)->second;
}

absl::StatusOr<bool> MemoryStore::ClaimRun(absl::string_view schedule_id,
                                           absl::Time scheduled_for,
                                           bool on_demand,
                                           natscope::v1::ReportFormat format,
                                           absl::string_view claimed_by,
                                           absl::Time now, int64_t* run_id) {
  const absl::Time when = StoredTime(scheduled_for);
  absl::MutexLock lock(&mu_);
  // An identity column under INSERT ... ON CONFLICT DO NOTHING: a lost
  // claim uses up an id too.
  const int64_t id = next_run_id_++;
  if (!on_demand &&
      !scheduled_runs_.emplace(std::string(schedule_id), when).second) {
    return false;
  }
  RunRow& row = runs_[id];
  row.schedule_id = std::string(schedule_id);
  row.scheduled_for = when;
  row.on_demand = on_demand;
  row.started_at = StoredTime(now);
  row.status = natscope::v1::REPORT_RUN_STATUS_RUNNING;
  row.format = format;
  row.claimed_by = std::string(claimed_by);
  if (run_id != nullptr) *run_id = id;
  return true;
}

absl::Status MemoryStore::FinishRun(int64_t run_id, const ReportRun& run,
                                    absl::string_view content) {
  const absl::Time finished = StoredTime(
      TimeFromProto(run.finished_at(), run.has_finished_at(), absl::Now()));
  absl::MutexLock lock(&mu_);
  const auto row = runs_.find(run_id);
  if (row == runs_.end()) {
    return absl::NotFoundError(absl::StrCat("no report run ", run_id));
  }
  row->second.status = run.status();
  row->second.finished_at = finished;
  row->second.content_path = SanitizeText(run.content_path());
  row->second.error = SanitizeText(run.error());
  row->second.content = std::string(content);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredReportRun>> MemoryStore::ListRuns(
    absl::string_view schedule_id, int limit) {
  if (limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ListRuns limit must not be negative, not ", limit));
  }
  // "" lists every run; "-" every on-demand run.
  const bool on_demand_only = schedule_id == "-";
  absl::MutexLock lock(&mu_);
  std::vector<std::pair<int64_t, const RunRow*>> rows;
  for (const auto& [id, row] : runs_) {
    if (on_demand_only ? row.on_demand
                       : (schedule_id.empty() || row.schedule_id == schedule_id)) {
      rows.emplace_back(id, &row);
    }
  }
  // Newest first: by start, then by run_id.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(b.second->started_at, b.first) <
           std::tie(a.second->started_at, a.first);
  });
  if (rows.size() > static_cast<size_t>(limit)) rows.resize(limit);
  std::vector<StoredReportRun> runs;
  runs.reserve(rows.size());
  for (const auto& [id, row] : rows) runs.push_back(ToStoredRun(id, *row));
  return runs;
}

absl::StatusOr<StoredReportRun> MemoryStore::GetRun(int64_t run_id) {
  absl::MutexLock lock(&mu_);
  const auto row = runs_.find(run_id);
  if (row == runs_.end()) {
    return absl::NotFoundError(absl::StrCat("no report run ", run_id,
                                            " (natscope reports lists them)"));
  }
  StoredReportRun stored = ToStoredRun(run_id, row->second);
  stored.content = row->second.content.value_or("");
  return stored;
}

absl::StatusOr<int> MemoryStore::FailAbandonedRuns(absl::Time before,
                                                   absl::Time now) {
  const absl::Time started_before = StoredTime(before);
  const absl::Time finished = StoredTime(now);
  absl::MutexLock lock(&mu_);
  int failed = 0;
  for (auto& [id, row] : runs_) {
    if (row.status != natscope::v1::REPORT_RUN_STATUS_RUNNING ||
        row.started_at >= started_before) {
      continue;
    }
    row.status = natscope::v1::REPORT_RUN_STATUS_FAILED;
    row.finished_at = finished;
    row.error =
        "the server producing this report stopped before it finished; it is "
        "not re-run, so that nothing is delivered twice: run natscope report "
        "run for a fresh one";
    ++failed;
  }
  return failed;
}

absl::StatusOr<int64_t> MemoryStore::DeleteRunsBefore(absl::Time cutoff) {
  const absl::Time started_before = StoredTime(cutoff);
  absl::MutexLock lock(&mu_);
  int64_t deleted = 0;
  for (auto it = runs_.begin(); it != runs_.end();) {
    const RunRow& row = it->second;
    const auto claim = scheduled_runs_.find({row.schedule_id, row.scheduled_for});
    // The newest claim of a schedule stays, as in pg_reports.cc.
    const bool newest_claim = !row.on_demand && claim != scheduled_runs_.end() &&
                              (std::next(claim) == scheduled_runs_.end() ||
                               std::next(claim)->first != row.schedule_id);
    if (row.status == natscope::v1::REPORT_RUN_STATUS_RUNNING ||
        row.started_at >= started_before || newest_claim) {
      ++it;
      continue;
    }
    if (claim != scheduled_runs_.end() && !row.on_demand) scheduled_runs_.erase(claim);
    it = runs_.erase(it);
    ++deleted;
  }
  return deleted;
}

}  // namespace natscope::server
