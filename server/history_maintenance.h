// natscope-server's housekeeping of stored history, run hourly by a
// Periodic: past-retention events, ledger rows, trend points and report
// runs are removed, and the next days' event partitions are created.
#ifndef NATSCOPE_SERVER_HISTORY_MAINTENANCE_H_
#define NATSCOPE_SERVER_HISTORY_MAINTENANCE_H_

#include "absl/time/time.h"
#include "server/server_flags.h"
#include "server/store/maintenance.h"
#include "server/store/report_store.h"

namespace natscope::server {

// One pass at absl::Now(): ensures the event partitions of the next 48
// hours, then applies --retention and --trend_retention to `store` and
// --report_retention to `reports` (the database's copies only: files in a
// schedule's output directory are the operator's). Logs what it removed.
// Returns absl::ZeroDuration() after a complete pass (Periodic then keeps
// its interval), or one minute after a failure, which is logged as a
// warning and ends the pass.
absl::Duration MaintainHistory(Maintenance& store, ReportStore& reports,
                               const ServerFlags& flags);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_HISTORY_MAINTENANCE_H_
