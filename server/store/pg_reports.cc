// PostgresStore's report schedules and runs (migration 0003_scale.sql).
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "server/store/pg_connection_pool.h"
#include "server/store/pg_encoding.h"
#include "server/store/postgres_store.h"

namespace natscope::server {
namespace {

using natscope::v1::ReportRun;
using natscope::v1::ReportSchedule;

const std::string& RunColumns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "run_id, schedule_id, ", UnixMicrosSql("scheduled_for"), ", ",
      UnixMicrosSql("started_at"), ", ", UnixMicrosSql("finished_at"),
      ", status, format, content_path, error, trigger = 'on_demand'"));
  return *columns;
}

StoredReportRun RunFromRow(const pqxx::row& row) {
  StoredReportRun stored;
  stored.run_id = row[0].as<int64_t>();
  ReportRun& run = stored.run;
  run.set_schedule_id(row[1].as<std::string>());
  MicrosToProto(row[2].as<int64_t>(), run.mutable_scheduled_for());
  MicrosToProto(row[3].as<int64_t>(), run.mutable_started_at());
  if (!row[4].is_null()) {
    MicrosToProto(row[4].as<int64_t>(), run.mutable_finished_at());
  }
  run.set_status(static_cast<natscope::v1::ReportRunStatus>(row[5].as<int>()));
  run.set_format(static_cast<natscope::v1::ReportFormat>(row[6].as<int>()));
  run.set_content_path(row[7].as<std::string>());
  run.set_error(row[8].as<std::string>());
  run.set_on_demand(row[9].as<bool>());
  run.set_run_id(stored.run_id);
  return stored;
}

}  // namespace

absl::Status PostgresStore::CreateSchedule(const ReportSchedule& schedule) {
  if (schedule.id().empty()) {
    return absl::InvalidArgumentError("CreateSchedule needs an id");
  }
  return pool_->Run("CreateSchedule", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_params(
        "INSERT INTO report_schedules (schedule_id, schedule, enabled, "
        "created_at) VALUES ($1, $2, $3, $4)",
        schedule.id(), pqxx::binarystring(schedule.SerializeAsString()),
        schedule.enabled(),
        TimestampText(TimeFromProto(schedule.created_at(),
                                    schedule.has_created_at(), absl::Now())));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<ReportSchedule>> PostgresStore::ListSchedules() {
  std::vector<ReportSchedule> schedules;
  RETURN_IF_ERROR(
      pool_->Run("ListSchedules", [&](pqxx::connection& conn) -> absl::Status {
        schedules.clear();
        pqxx::read_transaction tx(conn);
        for (const pqxx::row& row : tx.exec(
                 "SELECT schedule FROM report_schedules ORDER BY schedule_id")) {
          const pqxx::binarystring bytes(row[0]);
          ReportSchedule& schedule = schedules.emplace_back();
          if (!schedule.ParseFromArray(bytes.data(),
                                       static_cast<int>(bytes.size()))) {
            return absl::DataLossError(
                "a stored report schedule does not parse: the database was "
                "altered outside natscope");
          }
        }
        return absl::OkStatus();
      }));
  return schedules;
}

absl::Status PostgresStore::DeleteSchedule(absl::string_view schedule_id) {
  return pool_->Run("DeleteSchedule", [&](pqxx::connection& conn) -> absl::Status {
    pqxx::work tx(conn);
    if (tx.exec_params("DELETE FROM report_schedules WHERE schedule_id = $1",
                       std::string(schedule_id))
            .affected_rows() == 0) {
      return absl::NotFoundError(
          absl::StrCat("no report schedule \"", schedule_id, "\""));
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<absl::Time> PostgresStore::LastScheduledRun(
    absl::string_view schedule_id) {
  absl::Time last = absl::InfinitePast();
  RETURN_IF_ERROR(pool_->Run("LastScheduledRun", [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const pqxx::row row = tx.exec_params1(
        absl::StrCat("SELECT ", UnixMicrosSql("max(scheduled_for)"),
                     " FROM report_runs WHERE schedule_id = $1 AND "
                     "trigger = 'schedule'"),
        std::string(schedule_id));
    last = row[0].is_null() ? absl::InfinitePast()
                            : absl::FromUnixMicros(row[0].as<int64_t>());
    return absl::OkStatus();
  }));
  return last;
}

absl::StatusOr<bool> PostgresStore::ClaimRun(
    absl::string_view schedule_id, absl::Time scheduled_for, bool on_demand,
    natscope::v1::ReportFormat format, absl::string_view claimed_by,
    absl::Time now, int64_t* run_id) {
  bool claimed = false;
  RETURN_IF_ERROR(pool_->Run("ClaimRun", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    // The partial unique index decides which server produces a scheduled
    // run: the loser's insert returns no row.
    const pqxx::result rows = tx.exec_params(
        "INSERT INTO report_runs (schedule_id, scheduled_for, trigger, "
        "started_at, status, format, claimed_by) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7) ON CONFLICT (schedule_id, scheduled_for) "
        "WHERE trigger = 'schedule' DO NOTHING RETURNING run_id",
        std::string(schedule_id), TimestampText(scheduled_for),
        on_demand ? "on_demand" : "schedule", TimestampText(now),
        static_cast<int>(natscope::v1::REPORT_RUN_STATUS_RUNNING),
        static_cast<int>(format), std::string(claimed_by));
    tx.commit();
    claimed = !rows.empty();
    if (claimed && run_id != nullptr) *run_id = rows[0][0].as<int64_t>();
    return absl::OkStatus();
  }));
  return claimed;
}

absl::Status PostgresStore::FinishRun(int64_t run_id, const ReportRun& run,
                                      absl::string_view content) {
  return pool_->Run("FinishRun", [&](pqxx::connection& conn) -> absl::Status {
    pqxx::work tx(conn);
    const pqxx::result rows = tx.exec_params(
        "UPDATE report_runs SET status = $2, finished_at = $3, "
        "content_path = $4, error = $5, content = $6 WHERE run_id = $1",
        run_id, static_cast<int>(run.status()),
        TimestampText(TimeFromProto(run.finished_at(), run.has_finished_at(),
                                    absl::Now())),
        SanitizeText(run.content_path()), SanitizeText(run.error()),
        pqxx::binarystring(std::string(content)));
    if (rows.affected_rows() == 0) {
      return absl::NotFoundError(absl::StrCat("no report run ", run_id));
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<StoredReportRun>> PostgresStore::ListRuns(
    absl::string_view schedule_id, int limit) {
  std::vector<StoredReportRun> runs;
  const std::string filter = schedule_id == "-" ? "" : std::string(schedule_id);
  RETURN_IF_ERROR(pool_->Run("ListRuns", [&](pqxx::connection& conn) {
    runs.clear();
    pqxx::read_transaction tx(conn);
    const pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", RunColumns(),
                     " FROM report_runs WHERE ($2 AND trigger = 'on_demand') "
                     "OR (NOT $2 AND ($1 = '' OR schedule_id = $1)) "
                     "ORDER BY started_at DESC, run_id DESC LIMIT $3"),
        filter, schedule_id == "-", limit);
    for (const pqxx::row& row : rows) runs.push_back(RunFromRow(row));
    return absl::OkStatus();
  }));
  return runs;
}

absl::StatusOr<StoredReportRun> PostgresStore::GetRun(int64_t run_id) {
  StoredReportRun stored;
  RETURN_IF_ERROR(pool_->Run("GetRun", [&](pqxx::connection& conn) -> absl::Status {
    pqxx::read_transaction tx(conn);
    const pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", RunColumns(),
                     ", content FROM report_runs WHERE run_id = $1"),
        run_id);
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat(
          "no report run ", run_id, " (natscope reports lists them)"));
    }
    stored = RunFromRow(rows[0]);
    if (!rows[0][10].is_null()) {
      const pqxx::binarystring bytes(rows[0][10]);
      stored.content = bytes.str();
    }
    return absl::OkStatus();
  }));
  return stored;
}

absl::StatusOr<int> PostgresStore::FailAbandonedRuns(absl::Time before,
                                                     absl::Time now) {
  int failed = 0;
  RETURN_IF_ERROR(pool_->Run("FailAbandonedRuns", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    failed = static_cast<int>(
        tx.exec_params(
              "UPDATE report_runs SET status = $3, finished_at = $2, "
              "error = 'the server producing this report stopped before it "
              "finished; it is not re-run, so that nothing is delivered "
              "twice: run natscope report run for a fresh one' "
              "WHERE status = $4 AND started_at < $1",
              TimestampText(before), TimestampText(now),
              static_cast<int>(natscope::v1::REPORT_RUN_STATUS_FAILED),
              static_cast<int>(natscope::v1::REPORT_RUN_STATUS_RUNNING))
            .affected_rows());
    tx.commit();
    return absl::OkStatus();
  }));
  return failed;
}

absl::StatusOr<int64_t> PostgresStore::DeleteRunsBefore(absl::Time cutoff) {
  int64_t deleted = 0;
  RETURN_IF_ERROR(pool_->Run("DeleteRunsBefore", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    // The newest scheduled run of a schedule stays: LastScheduledRun reads
    // it, and without it the unique index could let that firing in again.
    deleted = static_cast<int64_t>(
        tx.exec_params(
              "DELETE FROM report_runs r WHERE r.status <> $2 AND "
              "r.started_at < $1 AND NOT (r.trigger = 'schedule' AND "
              "r.scheduled_for = (SELECT max(l.scheduled_for) FROM report_runs l "
              "WHERE l.schedule_id = r.schedule_id AND l.trigger = 'schedule'))",
              TimestampText(cutoff),
              static_cast<int>(natscope::v1::REPORT_RUN_STATUS_RUNNING))
            .affected_rows());
    tx.commit();
    return absl::OkStatus();
  }));
  return deleted;
}

}  // namespace natscope::server
