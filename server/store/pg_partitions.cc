// PostgresStore's daily partitions of the event tables and retention
// (migration 0003_scale.sql).
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "server/store/pg_connection_pool.h"
#include "server/store/pg_encoding.h"
#include "server/store/postgres_store.h"

namespace natscope::server {
namespace {

// Serialises partition DDL between servers ("natscop2").
constexpr char kPartitionLock[] = "7953766774541184818";
constexpr const char* kPartitionedTables[] = {"log_events", "probe_reports"};

std::string PartitionName(const char* table, absl::Time day) {
  return absl::StrCat(table, "_p",
                      absl::FormatTime("%Y%m%d", day, absl::UTCTimeZone()));
}

// The day a partition named <table>_pYYYYMMDD starts, or false.
bool PartitionDay(absl::string_view name, absl::Time* day) {
  const size_t at = name.rfind("_p");
  if (at == absl::string_view::npos) return false;
  const absl::string_view digits = name.substr(at + 2);
  int y = 0, m = 0, d = 0;
  if (digits.size() != 8 || !absl::SimpleAtoi(digits.substr(0, 4), &y) ||
      !absl::SimpleAtoi(digits.substr(4, 2), &m) ||
      !absl::SimpleAtoi(digits.substr(6, 2), &d)) {
    return false;
  }
  *day = absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
  return true;
}

}  // namespace

absl::Status PostgresStore::EnsurePartitions(absl::Time from, absl::Time to) {
  const absl::Time first = StartOfUtcDay(from);
  const absl::Time last = StartOfUtcDay(to);
  RETURN_IF_ERROR(pool_->Run("EnsurePartitions", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec("SET LOCAL client_min_messages = warning");
    // Never queue long behind a lock: a waiting DDL statement makes every
    // later statement on the table wait too. Retried at the next call.
    tx.exec("SET LOCAL lock_timeout = '5s'");
    tx.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kPartitionLock, ")"));
    for (absl::Time day = first; day <= last; day += absl::Hours(24)) {
      for (const char* table : kPartitionedTables) {
        const std::string name = PartitionName(table, day);
        if (!tx.exec_params1("SELECT to_regclass($1) IS NULL", name)[0].as<bool>()) {
          continue;
        }
        // CREATE ... PARTITION OF would take ACCESS EXCLUSIVE on the parent
        // (stalling ingest); a separate table ATTACHed takes only SHARE
        // UPDATE EXCLUSIVE, which inserts and reads do not wait for.
        tx.exec(absl::StrCat("CREATE TABLE ", tx.quote_name(name), " (LIKE ", table,
                             " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"));
        tx.exec(absl::StrCat("ALTER TABLE ", table, " ATTACH PARTITION ",
                             tx.quote_name(name), " FOR VALUES FROM (",
                             tx.quote(TimestampText(day)), ") TO (",
                             tx.quote(TimestampText(day + absl::Hours(24))), ")"));
      }
    }
    tx.commit();
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&days_mu_);
  for (absl::Time day = first; day <= last; day += absl::Hours(24)) {
    ready_days_.insert(absl::ToUnixSeconds(day) / 86400);
  }
  return absl::OkStatus();
}

bool PostgresStore::PartitionReady(absl::Time received) {
  absl::MutexLock lock(&days_mu_);
  return ready_days_.contains(absl::ToUnixSeconds(StartOfUtcDay(received)) / 86400);
}

namespace {

// Deletes the rows of `table` whose `column` is before `before`, in slices
// of an hour of rows, each its own transaction: no long lock, and ingest
// (which inserts ledger rows) never waits behind a day's delete. Slices by
// time rather than by ctid or LIMIT, which Citus cannot plan on a
// distributed table (docs/scaling.md). Adds the rows deleted to *deleted
// when not null.
absl::Status DeleteOlderThan(PgConnectionPool& pool, const std::string& table,
                             const std::string& column, const std::string& before,
                             int64_t* deleted) {
  while (true) {
    int64_t n = 0;
    bool done = false;
    RETURN_IF_ERROR(pool.Run("ApplyRetention", [&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      const pqxx::row oldest = tx.exec_params1(
          absl::StrCat("SELECT ", UnixMicrosSql(absl::StrCat("min(", column, ")")),
                       " FROM ", table, " WHERE ", column, " < $1"),
          before);
      done = oldest[0].is_null();
      if (!done) {
        const absl::Time slice_end =
            absl::FromUnixMicros(oldest[0].as<int64_t>()) + absl::Hours(1);
        n = tx.exec_params(absl::StrCat("DELETE FROM ", table, " WHERE ", column,
                                        " < LEAST($1::timestamptz, $2::timestamptz)"),
                           before, TimestampText(slice_end))
                .affected_rows();
      }
      tx.commit();
      return absl::OkStatus();
    }));
    if (deleted != nullptr) *deleted += n;
    if (done) return absl::OkStatus();
  }
}

}  // namespace

absl::StatusOr<RetentionResult> PostgresStore::ApplyRetention(
    absl::Time cutoff, absl::Time trend_cutoff) {
  RetentionResult result;
  // Expired partitions, each dropped in a transaction of its own: DROP
  // locks the parent table exclusively, so it must be short and must not
  // wait long for the lock (it is retried at the next run).
  std::vector<std::string> expired;
  RETURN_IF_ERROR(pool_->Run("ApplyRetention", [&](pqxx::connection& conn) {
    expired.clear();
    pqxx::read_transaction tx(conn);
    for (const char* table : kPartitionedTables) {
      const pqxx::result parts = tx.exec_params(
          "SELECT c.relname FROM pg_inherits i "
          "JOIN pg_class c ON c.oid = i.inhrelid "
          "JOIN pg_class p ON p.oid = i.inhparent "
          "WHERE p.relname = $1 AND p.relnamespace = "
          "to_regnamespace(current_schema())::oid",
          std::string(table));
      for (const pqxx::row& row : parts) {
        const std::string name = row[0].as<std::string>();
        absl::Time day;
        if (!PartitionDay(name, &day)) continue;  // Not ours: leave it.
        if (day + absl::Hours(24) <= cutoff) expired.push_back(name);
      }
    }
    return absl::OkStatus();
  }));
  for (const std::string& name : expired) {
    RETURN_IF_ERROR(pool_->Run("ApplyRetention", [&](pqxx::connection& conn) {
      pqxx::work tx(conn);
      tx.exec("SET LOCAL lock_timeout = '2s'");
      tx.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kPartitionLock, ")"));
      tx.exec(absl::StrCat("DROP TABLE IF EXISTS ", tx.quote_name(name)));
      tx.commit();
      return absl::OkStatus();
    }));
    ++result.partitions_dropped;
    absl::Time day;
    if (PartitionDay(name, &day)) {
      // A dropped day is made again if a batch ever arrives for it.
      absl::MutexLock lock(&days_mu_);
      ready_days_.erase(absl::ToUnixSeconds(day) / 86400);
    }
  }
  const std::string day_cutoff = TimestampText(StartOfUtcDay(cutoff));
  const auto delete_in_batches = [&](const std::string& table, const std::string& column,
                                     const std::string& before, int64_t* deleted) {
    return DeleteOlderThan(*pool_, table, column, before, deleted);
  };
  RETURN_IF_ERROR(delete_in_batches("ingest_ledger", "received_at", day_cutoff,
                                    &result.ledger_rows_deleted));
  // Intake's ledger goes with the facts, as the batches' ledger does.
  RETURN_IF_ERROR(delete_in_batches("intake_seen", "seen_at", day_cutoff,
                                    &result.ledger_rows_deleted));
  RETURN_IF_ERROR(delete_in_batches("agent_activity", "hour", day_cutoff, nullptr));
  RETURN_IF_ERROR(delete_in_batches("site_trend", "bucket", TimestampText(trend_cutoff),
                                    &result.trend_rows_deleted));
  return result;
}

}  // namespace natscope::server
