// The CLI's tables of trends, report schedules and report runs.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "server/cli/format.h"

namespace natscope::server {
namespace {

using google::protobuf::util::TimeUtil;

std::string FormatName(v1::ReportFormat format) {
  switch (format) {
    case v1::REPORT_FORMAT_MARKDOWN: return "markdown";
    case v1::REPORT_FORMAT_HTML: return "html";
    case v1::REPORT_FORMAT_JSON: return "json";
    default: return "-";
  }
}

std::string StatusName(v1::ReportRunStatus status) {
  switch (status) {
    case v1::REPORT_RUN_STATUS_RUNNING: return "running";
    case v1::REPORT_RUN_STATUS_SUCCEEDED: return "ok";
    case v1::REPORT_RUN_STATUS_FAILED: return "FAILED";
    default: return "-";
  }
}

}  // namespace

std::string FormatTrend(const v1::Trend& trend) {
  const std::string what = trend.site().empty() ? "the fleet" : "site " + trend.site();
  const bool daily = trend.granularity() == v1::TREND_GRANULARITY_DAILY;
  if (trend.points().empty()) {
    return absl::StrCat("no trend points yet for ", what,
                        ": the server records one per site and hour\n");
  }
  std::vector<std::vector<std::string>> rows = {
      {daily ? "DAY (UTC)" : "HOUR (UTC)", "CLIENTS", "P2P", "SHARE", ""}};
  for (const v1::TrendPoint& p : trend.points()) {
    const std::string when = TimeUtil::ToString(p.time());
    rows.push_back({when.substr(0, daily ? 10 : 16), absl::StrCat(p.clients()),
                    absl::StrCat(p.p2p_capable_clients()),
                    absl::StrFormat("%.0f%%", 100 * p.p2p_capable_share()),
                    std::string(static_cast<size_t>(p.p2p_capable_share() * 20 + 0.5), '#')});
  }
  return absl::StrCat("Peer-to-peer-capable clients of ", what, ", ",
                      daily ? "daily" : "hourly", ":\n", RenderTable(rows));
}

std::string FormatSchedules(const v1::ListSchedulesResponse& response) {
  if (response.schedules().empty()) {
    return "no report schedules (natscope schedules create --name=... --cron=...)\n";
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "NAME", "CRON", "ZONE", "FORMAT", "SCOPE", "DELIVERS TO"}};
  for (const v1::ReportSchedule& s : response.schedules()) {
    std::vector<std::string> to;
    if (!s.output_directory().empty()) to.push_back(s.output_directory());
    if (!s.webhook_url().empty()) to.push_back(s.webhook_url());
    rows.push_back({s.id(), s.name(), s.cron(), s.time_zone().empty() ? "UTC" : s.time_zone(),
                    FormatName(s.format()),
                    s.scope().has_sites() ? absl::StrJoin(s.scope().sites().sites(), ",")
                                          : "fleet",
                    to.empty() ? "-" : absl::StrJoin(to, " + ")});
  }
  return RenderTable(rows);
}

std::string FormatReports(const v1::ListReportsResponse& response) {
  if (response.reports().empty()) return "no reports yet\n";
  std::vector<std::vector<std::string>> rows = {
      {"RUN", "SCHEDULE", "FOR", "STATUS", "FORMAT", "FILE / ERROR"}};
  for (const v1::StoredReport& r : response.reports()) {
    const v1::ReportRun& run = r.run();
    rows.push_back({absl::StrCat(run.run_id()),
                    run.schedule_id().empty() ? "(on demand)"
                    : run.on_demand()         ? run.schedule_id() + " (on demand)"
                                              : run.schedule_id(),
                    TimeUtil::ToString(run.scheduled_for()), StatusName(run.status()),
                    FormatName(run.format()),
                    run.error().empty() ? (run.content_path().empty() ? "-" : run.content_path())
                                        : run.error()});
  }
  return RenderTable(rows) + "(natscope report show RUN prints one)\n";
}

}  // namespace natscope::server
