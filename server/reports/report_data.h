// What a report shows, assembled from the sites' stored health and trend.
// AssembleReport is pure; LoadReportData reads the SiteHealthStore.
#ifndef NATSCOPE_SERVER_REPORTS_REPORT_DATA_H_
#define NATSCOPE_SERVER_REPORTS_REPORT_DATA_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "natscope/v1/query.pb.h"
#include "natscope/v1/reports.pb.h"
#include "server/store/site_health_store.h"

namespace natscope::server {

// How far back a report's trend reaches, in daily points.
inline constexpr absl::Duration kReportTrendWindow = absl::Hours(24 * 30);

// "all sites", or "sites a, b" for a list.
std::string DescribeScope(const v1::ReportScope& scope);

// True when `site` is in `scope`.
bool InScope(const v1::ReportScope& scope, const std::string& site);

// One trend point from a sample: the counts and their share (0 without
// clients).
v1::TrendPoint TrendPointOf(const TrendSample& sample);

// A report of `sites` (already limited to the scope) with `trend` (the
// scope's samples, oldest first): one row per site, totals over them.
v1::ReportData AssembleReport(const std::string& title,
                              const v1::ReportScope& scope,
                              const std::vector<v1::SiteSummary>& sites,
                              const std::vector<TrendSample>& trend,
                              absl::Time now);

// Reads the scope's sites and daily trend from `store` and assembles them.
absl::StatusOr<v1::ReportData> LoadReportData(SiteHealthStore& store,
                                              const std::string& title,
                                              const v1::ReportScope& scope,
                                              absl::Time now);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_REPORT_DATA_H_
