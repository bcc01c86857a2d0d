#include "server/reports/producer.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/proto_time.h"
#include "common/log.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "server/reports/render.h"
#include "server/reports/report_data.h"
#include "server/reports/report_file.h"
#include "server/reports/webhook.h"

namespace natscope::server {
namespace {

// Keeps letters, digits, '-', '_' and '.'; the rest becomes '_'.
std::string Slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    out.push_back(keep ? c : '_');
  }
  return out.empty() ? "report" : out;
}

}  // namespace

metrics::CounterFamily& ReportRunsCounter() {
  static metrics::CounterFamily& runs = metrics::DefaultRegistry().Counter(
      "natscope_report_runs_total",
      "Report runs finished by this server, by state (succeeded, failed, "
      "abandoned: left running by a stopped server and marked failed).",
      {"state"});
  return runs;
}

std::string ReportFileName(const v1::ReportSchedule& schedule,
                           absl::Time scheduled_for, int64_t run_id) {
  const v1::ReportFormat format = schedule.format();
  return absl::StrCat(
      schedule.id().empty() ? "on-demand" : Slug(schedule.id()), "-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", scheduled_for, absl::UTCTimeZone()), "-",
      run_id, ".", ReportFileExtension(format));
}

const char* ReportContentType(v1::ReportFormat format) {
  switch (format) {
    case v1::REPORT_FORMAT_HTML: return "text/html; charset=utf-8";
    case v1::REPORT_FORMAT_JSON: return "application/json";
    default: return "text/markdown; charset=utf-8";
  }
}

absl::StatusOr<std::optional<StoredReportRun>> ReportProducer::Produce(
    const v1::ReportSchedule& schedule, absl::Time scheduled_for, bool on_demand) {
  const absl::Time started = clock_->Now();
  StoredReportRun stored;
  ASSIGN_OR_RETURN(bool claimed,
                   store_->ClaimRun(schedule.id(), scheduled_for, on_demand,
                                    schedule.format(), server_id_, started,
                                    &stored.run_id));
  if (!claimed) return std::nullopt;

  v1::ReportRun& run = stored.run;
  run.set_run_id(stored.run_id);
  run.set_schedule_id(schedule.id());
  run.set_on_demand(on_demand);
  run.set_format(schedule.format());
  *run.mutable_scheduled_for() = ToProtoTime(scheduled_for);
  *run.mutable_started_at() = ToProtoTime(started);

  // Every failure below is the report's: it is stored FAILED with the
  // reason (and never re-run, so nothing is delivered twice).
  absl::Status outcome = [&]() -> absl::Status {
    const std::string title = schedule.name().empty() ? "natscope report" : schedule.name();
    // The database may blink at Monday 08:00: nothing is delivered yet,
    // so reading is retried a few times before the run is given up.
    absl::StatusOr<v1::ReportData> loaded;
    for (int attempt = 0; attempt < 4; ++attempt) {
      if (attempt > 0) absl::SleepFor(absl::Seconds(2 << attempt));
      loaded = LoadReportData(*health_, analysis_, title, schedule.scope(), started);
      if (loaded.ok() || !(absl::IsUnavailable(loaded.status()) ||
                           absl::IsAborted(loaded.status()) ||
                           absl::IsUnknown(loaded.status()))) {
        break;
      }
    }
    ASSIGN_OR_RETURN(v1::ReportData data, std::move(loaded));
    ASSIGN_OR_RETURN(stored.content, RenderReport(data, schedule.format()));
    if (!schedule.output_directory().empty()) {
      ASSIGN_OR_RETURN(
          std::string path,
          WriteReportFile(schedule.output_directory(),
                          ReportFileName(schedule, scheduled_for, stored.run_id),
                          stored.content));
      run.set_content_path(path);
    }
    if (!schedule.webhook_url().empty()) {
      RETURN_IF_ERROR(DeliverReportWebhook(schedule, data, stored.content,
                                           ReportContentType(schedule.format()),
                                           clock_->Now()));
    }
    return absl::OkStatus();
  }();
  run.set_status(outcome.ok() ? v1::REPORT_RUN_STATUS_SUCCEEDED
                              : v1::REPORT_RUN_STATUS_FAILED);
  if (!outcome.ok()) run.set_error(std::string(outcome.message()));
  *run.mutable_finished_at() = ToProtoTime(clock_->Now());
  RETURN_IF_ERROR(store_->FinishRun(stored.run_id, run, stored.content));
  ReportRunsCounter().With({outcome.ok() ? "succeeded" : "failed"}).Increment();
  LogFields fields = {{"run", absl::StrCat(stored.run_id)},
                      {"schedule", schedule.id().empty() ? "-" : schedule.id()}};
  if (!run.content_path().empty()) fields.emplace_back("path", run.content_path());
  if (!run.error().empty()) fields.emplace_back("error", run.error());
  LogEvent(outcome.ok() ? LogLevel::kInfo : LogLevel::kWarning,
           outcome.ok() ? "report produced" : "report failed", fields);
  return std::optional<StoredReportRun>(std::move(stored));
}

}  // namespace natscope::server
