// The schema and the history's upkeep: migrations, daily partitions and
// retention. Callers: the server's start-up and its hourly history
// maintenance. Errors and thread safety: see agent_registry.h.
#ifndef NATSCOPE_SERVER_STORE_MAINTENANCE_H_
#define NATSCOPE_SERVER_STORE_MAINTENANCE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace natscope::server {

// What ApplyRetention removed.
struct RetentionResult {
  int partitions_dropped = 0;
  // Rows of the batches' ledger and of intake's (intake_seen).
  int64_t ledger_rows_deleted = 0;
  int64_t trend_rows_deleted = 0;
};

class Maintenance {
 public:
  virtual ~Maintenance() = default;

  // Brings the schema up to the newest version this binary knows, applying
  // the missing migrations in order in one transaction; a no-op when up to
  // date, and safe to run from several servers at once. FailedPrecondition
  // "database schema version N is newer than this natscope-server knows
  // (M): upgrade natscope-server" when the database is ahead. Call before
  // any method of any other role.
  virtual absl::Status Migrate() = 0;
  // Makes sure the event tables can take rows received between `from` and
  // `to` (daily partitions, UTC). Idempotent, safe from several servers.
  virtual absl::Status EnsurePartitions(absl::Time from, absl::Time to) = 0;
  // Removes facts received before `cutoff` (whole days: a day's partition
  // goes once the whole day is older than `cutoff`) with their ledger rows,
  // and trend points older than `trend_cutoff`. The agents' latest state
  // and site health are kept whatever their age.
  virtual absl::StatusOr<RetentionResult> ApplyRetention(
      absl::Time cutoff, absl::Time trend_cutoff) = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_MAINTENANCE_H_
