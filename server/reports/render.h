// Renders ReportData as Markdown, HTML or JSON. Pure: no I/O; the caller
// writes the result where it belongs. Thread-safe (no shared state).
#ifndef NATSCOPE_SERVER_REPORTS_RENDER_H_
#define NATSCOPE_SERVER_REPORTS_RENDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server {

// A plain-language summary line on top, an overview table of all sites
// worst first, the findings' trend (agents per finding, first and latest
// day, change, peak), then per site a table of finding counts and each
// finding with its affected hosts, evidence and what to do. Site names,
// host names, evidence and other text are escaped so they cannot break
// tables or inject HTML. Without site rows: a clear "no data yet" report.
std::string RenderMarkdown(const natscope::v1::ReportData& data);

// One self-contained HTML page: inline CSS, the same content as the
// Markdown plus inline SVG charts of the share's and the findings' trends;
// no JavaScript, no external resources; every piece of text HTML-escaped.
std::string RenderHtml(const natscope::v1::ReportData& data);

// `data` in proto3 JSON mapping (lowerCamelCase names, enums by name,
// zero values included), pretty-printed. Returns Internal if the protobuf
// library refuses to convert (which a well-formed ReportData never causes).
absl::StatusOr<std::string> RenderJson(const natscope::v1::ReportData& data);

// Dispatches on `format`; InvalidArgument for REPORT_FORMAT_UNSPECIFIED or
// an unknown value.
absl::StatusOr<std::string> RenderReport(const natscope::v1::ReportData& data,
                                         natscope::v1::ReportFormat format);

// The usual file name extension for `format` ("md", "html", "json"), or
// "txt" for an unknown format.
const char* ReportFileExtension(natscope::v1::ReportFormat format);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_RENDER_H_
