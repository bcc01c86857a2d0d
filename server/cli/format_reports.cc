// The CLI's tables of trends, report schedules and report runs.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "analyzer/verdict_names.h"
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

// "https://hooks.example/in (slack, signed)".
std::string WebhookTarget(const v1::ReportSchedule& s) {
  std::vector<std::string> notes;
  if (s.webhook_format() == v1::WEBHOOK_FORMAT_SLACK) notes.push_back("slack");
  if (!s.webhook_secret_file().empty()) notes.push_back("signed");
  if (!s.webhook_ca_file().empty()) notes.push_back("private CA");
  if (s.webhook_plaintext()) notes.push_back("plaintext");
  if (notes.empty()) return s.webhook_url();
  return absl::StrCat(s.webhook_url(), " (", absl::StrJoin(notes, ", "), ")");
}

// Agents per finding code at each time of `trend`, one column per code
// (its token, as --finding takes it).
std::string FindingTrendTable(const v1::Trend& trend, const std::string& what,
                              bool daily) {
  if (trend.findings().empty()) {
    return absl::StrCat("No finding affected an agent of ", what, " in this window.\n");
  }
  std::vector<std::vector<std::string>> rows = {{daily ? "DAY (UTC)" : "HOUR (UTC)"}};
  for (const v1::FindingTrend& series : trend.findings()) {
    rows[0].push_back(analyzer::FindingToken(series.code()));
  }
  const auto& times = trend.findings(0).points();
  for (int i = 0; i < times.size(); ++i) {
    const std::string when = TimeUtil::ToString(times.Get(i).time());
    std::vector<std::string>& row = rows.emplace_back();
    row.push_back(when.substr(0, daily ? 10 : 16));
    for (const v1::FindingTrend& series : trend.findings()) {
      row.push_back(i < series.points_size() ? absl::StrCat(series.points(i).agents())
                                             : "-");
    }
  }
  return absl::StrCat("Agents per finding at ", what, ", ", daily ? "daily" : "hourly",
                      ":\n", RenderTable(rows));
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
                      daily ? "daily" : "hourly", ":\n", RenderTable(rows), "\n",
                      FindingTrendTable(trend, what, daily));
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
    if (!s.webhook_url().empty()) to.push_back(WebhookTarget(s));
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
