// Produces one report run: claims it in the ReportStore (so that a scheduled run
// happens once however many servers see it due), assembles the data,
// renders it, writes it to the schedule's directory (report_file.h: a
// checked directory, a new file, nothing overwritten or followed), POSTs
// it to the webhook, and stores the outcome and the content. Thread-safe.
#ifndef NATSCOPE_SERVER_REPORTS_PRODUCER_H_
#define NATSCOPE_SERVER_REPORTS_PRODUCER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/metrics/metrics.h"
#include "natscope/v1/reports.pb.h"
#include "server/reports/report_data.h"
#include "server/store/report_store.h"
#include "server/store/site_health_store.h"

namespace natscope::server {

class ReportProducer {
 public:
  // `store` and `clock` must outlive this object. `server_id` names this
  // server in the runs it claims (host:pid). `analysis` (its FactStore and
  // AWS ranges must outlive this object too) gives each site's findings
  // with their hosts, evidence and remediation; without it, reports show
  // finding counts only.
  ReportProducer(ReportStore* store, SiteHealthStore* health,
                 const Clock* clock, std::string server_id,
                 ReportAnalysis analysis = {})
      : store_(store),
        health_(health),
        clock_(clock),
        server_id_(std::move(server_id)),
        analysis_(analysis) {}

  // Produces `schedule` (its id empty for a report without schedule) for
  // the firing `scheduled_for`. Returns nullopt when the run was claimed
  // before (by this or another server): nothing is done then. A run that
  // cannot be written or delivered is stored FAILED with the reason, and
  // returned (not an error): the error is about the report, not the call.
  // Errors: the stores'.
  absl::StatusOr<std::optional<StoredReportRun>> Produce(
      const v1::ReportSchedule& schedule, absl::Time scheduled_for,
      bool on_demand);

 private:
  ReportStore* store_;
  SiteHealthStore* health_;
  const Clock* clock_;
  const std::string server_id_;
  const ReportAnalysis analysis_;
};

// The file name a run's report is written under, e.g.
// "weekly-fleet-20261130T070000Z-42.html": the schedule id (or
// "on-demand"), the firing time in UTC, the run id. (When that name is
// taken, WriteReportFile picks the next free variant.)
std::string ReportFileName(const v1::ReportSchedule& schedule,
                           absl::Time scheduled_for, int64_t run_id);

// The HTTP Content-Type of `format`.
const char* ReportContentType(v1::ReportFormat format);

// natscope_report_runs_total{state}, in the default registry.
metrics::CounterFamily& ReportRunsCounter();

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_PRODUCER_H_
