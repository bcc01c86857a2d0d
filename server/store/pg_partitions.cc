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

absl::Time StartOfUtcDay(absl::Time t) {
  const absl::CivilDay day = absl::ToCivilDay(t, absl::UTCTimeZone());
  return absl::FromCivil(day, absl::UTCTimeZone());
}

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
    tx.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kPartitionLock, ")"));
    for (absl::Time day = first; day <= last; day += absl::Hours(24)) {
      for (const char* table : kPartitionedTables) {
        tx.exec(absl::StrCat(
            "CREATE TABLE IF NOT EXISTS ", tx.quote_name(PartitionName(table, day)),
            " PARTITION OF ", table, " FOR VALUES FROM (",
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

absl::StatusOr<RetentionResult> PostgresStore::ApplyRetention(
    absl::Time cutoff, absl::Time trend_cutoff) {
  RetentionResult result;
  std::vector<int64_t> dropped_days;
  RETURN_IF_ERROR(pool_->Run("ApplyRetention", [&](pqxx::connection& conn) {
    result = RetentionResult();
    dropped_days.clear();
    pqxx::work tx(conn);
    tx.exec("SET LOCAL client_min_messages = warning");
    tx.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kPartitionLock, ")"));
    for (const char* table : kPartitionedTables) {
      const pqxx::result parts = tx.exec_params(
          "SELECT c.relname FROM pg_inherits i "
          "JOIN pg_class c ON c.oid = i.inhrelid "
          "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1",
          std::string(table));
      for (const pqxx::row& row : parts) {
        const std::string name = row[0].as<std::string>();
        absl::Time day;
        if (!PartitionDay(name, &day)) continue;  // Not ours: leave it.
        if (day + absl::Hours(24) <= cutoff) {
          tx.exec(absl::StrCat("DROP TABLE ", tx.quote_name(name)));
          ++result.partitions_dropped;
          dropped_days.push_back(absl::ToUnixSeconds(day) / 86400);
        }
      }
    }
    result.ledger_rows_deleted =
        tx.exec_params("DELETE FROM ingest_ledger WHERE received_at < $1",
                       TimestampText(StartOfUtcDay(cutoff)))
            .affected_rows();
    tx.exec_params("DELETE FROM agent_activity WHERE hour < $1",
                   TimestampText(StartOfUtcDay(cutoff)));
    result.trend_rows_deleted =
        tx.exec_params("DELETE FROM site_trend WHERE bucket < $1",
                       TimestampText(trend_cutoff))
            .affected_rows();
    tx.commit();
    return absl::OkStatus();
  }));
  // A dropped day is made again if a batch ever arrives for it.
  absl::MutexLock lock(&days_mu_);
  for (int64_t day : dropped_days) ready_days_.erase(day);
  return result;
}

}  // namespace natscope::server
