// Plain-language pieces shared by the report renderers: finding labels,
// site ordering, percentages and the summary line. Pure.
#ifndef NATSCOPE_SERVER_REPORTS_REPORT_TEXT_H_
#define NATSCOPE_SERVER_REPORTS_REPORT_TEXT_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server {

// A short human label for `code`, e.g. "UDP blocked"; "none" for
// FINDING_UNSPECIFIED.
std::string FindingLabel(natscope::v1::FindingCode code);

// "critical", "warning" or "info".
std::string SeverityLabel(natscope::v1::Severity severity);

// The agents `finding` affects, e.g. "conn-1 (gw.example, connector),
// client-7 (client) and 12 more". Unescaped.
std::string AffectsLine(const natscope::v1::ReportFinding& finding);

// `share` (0..1) as a whole percentage, e.g. "72%". Clamped to 0..100.
std::string Percent(double share);

// The rows of `data`, worst first: lowest peer-to-peer-capable share, then
// sites with a finding before those without, then by name. Pointers into
// `data`, which must outlive the result.
std::vector<const natscope::v1::ReportSiteRow*> SitesWorstFirst(
    const natscope::v1::ReportData& data);

// True when `data` has no site rows: renderers show "no data yet".
bool HasNoData(const natscope::v1::ReportData& data);

// One sentence summing the report up, e.g. "Across 3 sites, 72% of 120
// clients can go peer-to-peer with a connector of their site, up 5 points
// since 2024-05-01. Worst: paris (12%, mostly UDP blocked)." Unescaped.
std::string SummaryLine(const natscope::v1::ReportData& data);

// The "no data yet" explanation, unescaped.
std::string NoDataText(const natscope::v1::ReportData& data);

// Conversions between google.protobuf.Timestamp and absl::Time.
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);
// `t` as "2024-05-06 08:00 UTC".
std::string FormatReportTime(const google::protobuf::Timestamp& t);
// `t`'s UTC day, "2024-05-06".
std::string FormatReportDay(const google::protobuf::Timestamp& t);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_REPORT_TEXT_H_
