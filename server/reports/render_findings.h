// The parts of a rendered report that say what to do: each site's findings
// (affected hosts, evidence, remediation) and the findings' trend, in
// Markdown and HTML. Used by render.cc; pure; every piece of text escaped
// (escape.h).
#ifndef NATSCOPE_SERVER_REPORTS_RENDER_FINDINGS_H_
#define NATSCOPE_SERVER_REPORTS_RENDER_FINDINGS_H_

#include <string>

#include "natscope/v1/reports.pb.h"

namespace natscope::server {

// Appends `row`'s findings, one paragraph and list each, under a
// "#### Findings" heading; nothing when the row has none.
void AppendMarkdownFindings(const natscope::v1::ReportSiteRow& row,
                            std::string* out);

// The same in HTML: one <div class="finding"> each.
void AppendHtmlFindings(const natscope::v1::ReportSiteRow& row, std::string* out);

// A "## Findings over time" section: per finding, agents on the first and
// latest days, the change and the peak (over one day: that day's agents);
// nothing without finding trends.
void AppendMarkdownFindingTrends(const natscope::v1::ReportData& data,
                                 std::string* out);

// The same in HTML, with an inline SVG chart (FindingTrendChartSvg).
void AppendHtmlFindingTrends(const natscope::v1::ReportData& data,
                             std::string* out);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_RENDER_FINDINGS_H_
