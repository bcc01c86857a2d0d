#include "server/reports/render_findings.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/reports/escape.h"
#include "server/reports/report_text.h"
#include "server/reports/svg_chart.h"

namespace natscope::server {
namespace {

using natscope::v1::FindingTrend;
using natscope::v1::ReportData;
using natscope::v1::ReportFinding;
using natscope::v1::ReportSiteRow;

// "Critical: UDP blocked".
std::string Heading(const ReportFinding& finding) {
  std::string severity = SeverityLabel(finding.severity());
  severity[0] = static_cast<char>(severity[0] - 'a' + 'A');
  return absl::StrCat(severity, ": ", FindingLabel(finding.code()));
}

std::string MoreEvidence(const ReportFinding& finding) {
  return absl::StrCat("and ", finding.more_evidence(), " more evidence line",
                      finding.more_evidence() == 1 ? "" : "s");
}

// The findings' trend as a table, unescaped: a header and one row per
// code. Over several days: agents on the first and latest day, the change
// and the peak; over one day: that day's agents. Empty without points.
std::vector<std::vector<std::string>> TrendTable(const ReportData& data) {
  if (data.finding_trends().empty() || data.finding_trends(0).points().empty()) {
    return {};
  }
  const auto& days = data.finding_trends(0).points();
  const std::string first = FormatReportDay(days.Get(0).time());
  const std::string latest = FormatReportDay(days.Get(days.size() - 1).time());
  const bool one_day = first == latest;
  std::vector<std::vector<std::string>> table;
  table.push_back(one_day ? std::vector<std::string>{"Finding", "Agents on " + first}
                          : std::vector<std::string>{"Finding", first, latest,
                                                     "Change", "Peak"});
  for (const FindingTrend& series : data.finding_trends()) {
    if (series.points().empty()) continue;
    const uint32_t at_first = series.points(0).agents();
    const uint32_t at_latest = series.points(series.points_size() - 1).agents();
    uint32_t peak = 0;
    for (const auto& point : series.points()) peak = std::max(peak, point.agents());
    std::vector<std::string>& row = table.emplace_back();
    row.push_back(FindingLabel(series.code()));
    row.push_back(absl::StrCat(one_day ? at_latest : at_first));
    if (one_day) continue;
    const int64_t change = static_cast<int64_t>(at_latest) - at_first;
    row.push_back(absl::StrCat(at_latest));
    row.push_back(absl::StrCat(change > 0 ? "+" : "", change));
    row.push_back(absl::StrCat(peak));
  }
  return table;
}

// "daily (2024-05-01 to 2024-05-08)" or "on 2024-05-08".
std::string PeriodText(const ReportData& data) {
  const auto& days = data.finding_trends(0).points();
  const std::string first = FormatReportDay(days.Get(0).time());
  const std::string latest = FormatReportDay(days.Get(days.size() - 1).time());
  if (first == latest) return "on " + first;
  return absl::StrCat("daily (", first, " to ", latest, ")");
}

}  // namespace

void AppendMarkdownFindings(const ReportSiteRow& row, std::string* out) {
  if (row.findings().empty()) return;
  absl::StrAppend(out, "\n#### Findings\n");
  for (const ReportFinding& f : row.findings()) {
    absl::StrAppend(out, "\n**", MarkdownEscape(Heading(f)), ".** ",
                    MarkdownEscape(f.summary()), "\n\n- Affects: ",
                    MarkdownEscape(AffectsLine(f)), "\n");
    for (const std::string& line : f.evidence()) {
      absl::StrAppend(out, "- Evidence: ", MarkdownEscape(line), "\n");
    }
    if (f.more_evidence() > 0) {
      absl::StrAppend(out, "- Evidence: ", MarkdownEscape(MoreEvidence(f)), "\n");
    }
    absl::StrAppend(out, "- What to do: ", MarkdownEscape(f.remediation()), "\n");
  }
}

void AppendHtmlFindings(const ReportSiteRow& row, std::string* out) {
  for (const ReportFinding& f : row.findings()) {
    absl::StrAppend(out, "<div class=\"finding ",
                    HtmlEscape(SeverityLabel(f.severity())), "\">\n<h4>",
                    HtmlEscape(Heading(f)), "</h4>\n<p>", HtmlEscape(f.summary()),
                    "</p>\n<p><strong>Affects:</strong> ",
                    HtmlEscape(AffectsLine(f)), "</p>\n");
    if (!f.evidence().empty()) {
      absl::StrAppend(out, "<ul class=\"evidence\">\n");
      for (const std::string& line : f.evidence()) {
        absl::StrAppend(out, "<li>", HtmlEscape(line), "</li>\n");
      }
      if (f.more_evidence() > 0) {
        absl::StrAppend(out, "<li>", HtmlEscape(MoreEvidence(f)), "</li>\n");
      }
      absl::StrAppend(out, "</ul>\n");
    }
    absl::StrAppend(out, "<p><strong>What to do:</strong> ",
                    HtmlEscape(f.remediation()), "</p>\n</div>\n");
  }
}

void AppendMarkdownFindingTrends(const ReportData& data, std::string* out) {
  const std::vector<std::vector<std::string>> table = TrendTable(data);
  if (table.empty()) return;
  absl::StrAppend(out, "\n## Findings over time\n\nAgents per finding, ",
                  PeriodText(data), ".\n\n");
  for (size_t r = 0; r < table.size(); ++r) {
    for (size_t c = 0; c < table[r].size(); ++c) {
      absl::StrAppend(out, "| ", MarkdownEscape(table[r][c]), " ");
    }
    absl::StrAppend(out, "|\n");
    if (r == 0) {
      absl::StrAppend(out, "|---");
      for (size_t c = 1; c < table[r].size(); ++c) absl::StrAppend(out, "|---:");
      absl::StrAppend(out, "|\n");
    }
  }
}

void AppendHtmlFindingTrends(const ReportData& data, std::string* out) {
  const std::vector<std::vector<std::string>> table = TrendTable(data);
  if (table.empty()) return;
  absl::StrAppend(out, "<h2>Findings over time</h2>\n<p>Agents per finding, ",
                  HtmlEscape(PeriodText(data)), ".</p>\n",
                  FindingTrendChartSvg(data.finding_trends()), "<table>\n");
  for (size_t r = 0; r < table.size(); ++r) {
    const char* cell = r == 0 ? "th" : "td";
    absl::StrAppend(out, "<tr>");
    for (const std::string& text : table[r]) {
      absl::StrAppend(out, "<", cell, ">", HtmlEscape(text), "</", cell, ">");
    }
    absl::StrAppend(out, "</tr>\n");
  }
  absl::StrAppend(out, "</table>\n");
}

}  // namespace natscope::server
