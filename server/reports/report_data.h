// What a report shows, assembled from the sites' stored health and trend
// and, for each site's findings, the site analysis GetSiteAnalysis runs.
// AssembleReport, ReportFindingsOf and FindingTrendsOf are pure;
// LoadReportData reads the stores.
#ifndef NATSCOPE_SERVER_REPORTS_REPORT_DATA_H_
#define NATSCOPE_SERVER_REPORTS_REPORT_DATA_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/query.pb.h"
#include "natscope/v1/reports.pb.h"
#include "server/analysis/site_analysis.h"
#include "server/store/fact_store.h"
#include "server/store/site_health_store.h"

namespace natscope::server {

// How far back a report's trend reaches, in daily points.
inline constexpr absl::Duration kReportTrendWindow = absl::Hours(24 * 30);

// At most this many hosts, and evidence lines, are listed per finding; the
// rest are counted (ReportFinding.more_hosts, more_evidence).
inline constexpr int kMaxReportHosts = 20;
inline constexpr int kMaxReportEvidence = 10;
// Longer evidence lines are cut (at a UTF-8 character) and end in "...".
inline constexpr size_t kMaxEvidenceBytes = 240;

// "all sites", or "sites a, b" for a list.
std::string DescribeScope(const v1::ReportScope& scope);

// True when `site` is in `scope`.
bool InScope(const v1::ReportScope& scope, const std::string& site);

// One trend point from a sample: the counts and their share (0 without
// clients).
v1::TrendPoint TrendPointOf(const TrendSample& sample);

// One series per finding code any of `samples` (oldest first) carries, in
// the order to troubleshoot (analyzer::TroubleshootingRank), each with a
// point at every sample's time: 0 where the sample lacks the code.
std::vector<v1::FindingTrend> FindingTrendsOf(
    const std::vector<TrendSample>& samples);

// The findings of a site's analysis `view` as a report lists them: code,
// severity, summary, remediation, the affected agents with the hostname
// and role `agents` (the site's agents) give them, and their evidence,
// each list bounded as above.
std::vector<v1::ReportFinding> ReportFindingsOf(
    const v1::SiteHealthView& view, const std::vector<v1::AgentState>& agents);

// A report of `sites` (already limited to the scope) with `trend` (the
// scope's samples, oldest first): one row per site, totals over them, the
// share's trend and the findings' trends. Rows carry no findings: the
// caller adds them (LoadReportData does).
v1::ReportData AssembleReport(const std::string& title,
                              const v1::ReportScope& scope,
                              const std::vector<v1::SiteSummary>& sites,
                              const std::vector<TrendSample>& trend,
                              absl::Time now);

// Where LoadReportData finds the sites' findings: the FactStore the site
// analysis reads, and how it reads it (the server's AWS ranges and
// --forget_after, as the refresher and GetSiteAnalysis use them). Without
// `facts`, rows carry the stored summaries and no findings. What they
// point to must outlive the call.
struct ReportAnalysis {
  FactStore* facts = nullptr;
  SiteFactsOptions options;
};

// Reads the scope's sites (stored health) and daily trend from `store`;
// with `analysis.facts`, analyses each site as of `now`, as
// GetSiteAnalysis does, so that its row and its findings agree; and
// assembles them. Errors: the stores'.
absl::StatusOr<v1::ReportData> LoadReportData(SiteHealthStore& store,
                                              const ReportAnalysis& analysis,
                                              const std::string& title,
                                              const v1::ReportScope& scope,
                                              absl::Time now);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_REPORTS_REPORT_DATA_H_
