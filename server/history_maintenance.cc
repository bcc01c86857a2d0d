#include "server/history_maintenance.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace natscope::server {

absl::Duration MaintainHistory(Maintenance& store, ReportStore& reports,
                               const ServerFlags& flags) {
  const absl::Time now = absl::Now();
  absl::Status ready = store.EnsurePartitions(now, now + absl::Hours(48));
  if (!ready.ok()) {
    LogEvent(LogLevel::kWarning, "cannot create event partitions; retrying",
             {{"error", std::string(ready.message())}});
    return absl::Minutes(1);
  }
  auto dropped = store.ApplyRetention(now - flags.retention,
                                      now - flags.trend_retention);
  if (!dropped.ok()) {
    LogEvent(LogLevel::kWarning, "retention failed; retrying",
             {{"error", std::string(dropped.status().message())}});
    return absl::Minutes(1);
  }
  if (dropped->partitions_dropped > 0 || dropped->ledger_rows_deleted > 0 ||
      dropped->trend_rows_deleted > 0) {
    LogEvent(LogLevel::kInfo, "history past retention removed",
        {{"partitions", absl::StrCat(dropped->partitions_dropped)},
         {"ledger_rows", absl::StrCat(dropped->ledger_rows_deleted)},
         {"trend_rows", absl::StrCat(dropped->trend_rows_deleted)}});
  }
  // Report runs past --report_retention, with their stored content. Only
  // the database's copies: files written to a schedule's output directory
  // are the operator's to keep or remove.
  auto runs = reports.DeleteRunsBefore(now - flags.report_retention);
  if (!runs.ok()) {
    LogEvent(LogLevel::kWarning, "report retention failed; retrying",
             {{"error", std::string(runs.status().message())}});
    return absl::Minutes(1);
  }
  if (*runs > 0) {
    LogEvent(LogLevel::kInfo, "report runs past retention removed",
             {{"runs", absl::StrCat(*runs)}});
  }
  return absl::ZeroDuration();
}

}  // namespace natscope::server
