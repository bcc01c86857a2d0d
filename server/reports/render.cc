#include "server/reports/render.h"

#include "server/reports/escape.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "server/reports/render_findings.h"
#include "server/reports/report_text.h"
#include "server/reports/svg_chart.h"

namespace natscope::server {

using natscope::v1::FindingCount;
using natscope::v1::ReportData;
using natscope::v1::ReportFormat;
using natscope::v1::ReportSiteRow;

namespace {

std::string Title(const ReportData& data) {
  return data.title().empty() ? "natscope report" : data.title();
}

std::string MetaLine(const ReportData& data) {
  std::string line = absl::StrCat("Scope: ", data.scope_description().empty()
                                                 ? "unspecified"
                                                 : data.scope_description());
  if (data.has_generated_at()) {
    absl::StrAppend(&line, " · generated ",
                    FormatReportTime(data.generated_at()));
  }
  return line;
}

void AppendMarkdownSite(const ReportSiteRow& row, std::string* out) {
  absl::StrAppend(out, "\n### ", MarkdownEscape(row.site()), "\n\n",
                  "| Measure | Value |\n|---|---|\n", "| Clients | ",
                  row.clients(), " |\n| Connectors | ", row.connectors(),
                  " |\n| Peer-to-peer capable | ",
                  Percent(row.p2p_capable_share()), " |\n| Worst finding | ",
                  MarkdownEscape(FindingLabel(row.worst_finding())), " |\n");
  for (const FindingCount& count : row.finding_counts()) {
    absl::StrAppend(out, "| ", MarkdownEscape(FindingLabel(count.code())),
                    " | ", count.agents(),
                    count.agents() == 1 ? " agent" : " agents", " |\n");
  }
}

void AppendHtmlSite(const ReportSiteRow& row, std::string* out) {
  absl::StrAppend(out, "<h3>", HtmlEscape(row.site()), "</h3>\n<table>\n",
                  "<tr><th>Finding</th><th>Agents</th></tr>\n");
  if (row.finding_counts().empty()) {
    absl::StrAppend(out, "<tr><td colspan=\"2\">No findings</td></tr>\n");
  }
  for (const FindingCount& count : row.finding_counts()) {
    absl::StrAppend(out, "<tr><td>", HtmlEscape(FindingLabel(count.code())),
                    "</td><td>", count.agents(), "</td></tr>\n");
  }
  absl::StrAppend(out, "</table>\n");
}

constexpr char kCss[] =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0}"
    "th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:left}"
    ".summary{font-size:1.1em}.meta{color:#666}"
    ".finding{border-left:4px solid #999;padding-left:0.8em;margin:1em 0}"
    ".finding.critical{border-color:#d62728}"
    ".finding.warning{border-color:#ff7f0e}";

}  // namespace

std::string RenderMarkdown(const ReportData& data) {
  std::string out = absl::StrCat("# ", MarkdownEscape(Title(data)), "\n\n",
                                 MarkdownEscape(SummaryLine(data)), "\n\n",
                                 MarkdownEscape(MetaLine(data)), "\n");
  if (HasNoData(data)) return out;
  const std::vector<const ReportSiteRow*> rows = SitesWorstFirst(data);
  absl::StrAppend(&out,
                  "\n## Sites, worst first\n\n"
                  "| Site | Clients | Connectors | Peer-to-peer capable | "
                  "Worst finding |\n|---|---:|---:|---:|---|\n");
  for (const ReportSiteRow* row : rows) {
    absl::StrAppend(&out, "| ", MarkdownEscape(row->site()), " | ",
                    row->clients(), " | ", row->connectors(), " | ",
                    Percent(row->p2p_capable_share()), " | ",
                    MarkdownEscape(FindingLabel(row->worst_finding())), " |\n");
  }
  AppendMarkdownFindingTrends(data, &out);
  for (const ReportSiteRow* row : rows) {
    AppendMarkdownSite(*row, &out);
    AppendMarkdownFindings(*row, &out);
  }
  return out;
}

std::string RenderHtml(const ReportData& data) {
  const std::string title = HtmlEscape(Title(data));
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>",
      title, "</title>\n<style>", kCss, "</style>\n</head>\n<body>\n<h1>",
      title, "</h1>\n<p class=\"summary\">", HtmlEscape(SummaryLine(data)),
      "</p>\n<p class=\"meta\">", HtmlEscape(MetaLine(data)), "</p>\n");
  if (!HasNoData(data)) {
    absl::StrAppend(
        &out, "<h2>Trend</h2>\n", TrendChartSvg(data.trend()),
        "<h2>Sites, worst first</h2>\n<table>\n<tr><th>Site</th>"
        "<th>Clients</th><th>Connectors</th>"
        "<th>Peer-to-peer capable</th><th>Worst finding</th></tr>\n");
    const std::vector<const ReportSiteRow*> rows = SitesWorstFirst(data);
    for (const ReportSiteRow* row : rows) {
      absl::StrAppend(
          &out, "<tr><td>", HtmlEscape(row->site()), "</td><td>",
          row->clients(), "</td><td>", row->connectors(), "</td><td>",
          Percent(row->p2p_capable_share()), "</td><td>",
          HtmlEscape(FindingLabel(row->worst_finding())), "</td></tr>\n");
    }
    absl::StrAppend(&out, "</table>\n");
    AppendHtmlFindingTrends(data, &out);
    for (const ReportSiteRow* row : rows) {
      AppendHtmlSite(*row, &out);
      AppendHtmlFindings(*row, &out);
    }
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

absl::StatusOr<std::string> RenderJson(const ReportData& data) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(data, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat(
        "could not convert the report to JSON: ", status.ToString()));
  }
  return json;
}

absl::StatusOr<std::string> RenderReport(const ReportData& data,
                                         ReportFormat format) {
  switch (format) {
    case natscope::v1::REPORT_FORMAT_MARKDOWN:
      return RenderMarkdown(data);
    case natscope::v1::REPORT_FORMAT_HTML:
      return RenderHtml(data);
    case natscope::v1::REPORT_FORMAT_JSON:
      return RenderJson(data);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("report format ", static_cast<int>(format),
                       " is not supported; choose MARKDOWN, HTML or JSON"));
  }
}

const char* ReportFileExtension(ReportFormat format) {
  switch (format) {
    case natscope::v1::REPORT_FORMAT_MARKDOWN:
      return "md";
    case natscope::v1::REPORT_FORMAT_HTML:
      return "html";
    case natscope::v1::REPORT_FORMAT_JSON:
      return "json";
    default:
      return "txt";
  }
}

}  // namespace natscope::server
