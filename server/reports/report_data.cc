#include "server/reports/report_data.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_join.h"
#include "common/proto_time.h"
#include "common/status_macros.h"

namespace natscope::server {
namespace {

void AddCounts(const google::protobuf::RepeatedPtrField<v1::FindingCount>& counts,
               std::map<int, uint32_t>* totals) {
  for (const v1::FindingCount& count : counts) {
    (*totals)[count.code()] += count.agents();
  }
}

}  // namespace

v1::TrendPoint TrendPointOf(const TrendSample& sample) {
  v1::TrendPoint point;
  *point.mutable_time() = ToProtoTime(sample.bucket);
  point.set_clients(static_cast<uint32_t>(sample.clients));
  point.set_p2p_capable_clients(static_cast<uint32_t>(sample.p2p_clients));
  point.set_connectors(static_cast<uint32_t>(sample.connectors));
  point.set_p2p_capable_share(
      sample.clients == 0 ? 0.0
                          : static_cast<double>(sample.p2p_clients) / sample.clients);
  return point;
}

std::string DescribeScope(const v1::ReportScope& scope) {
  if (scope.has_sites()) {
    std::vector<std::string> names(scope.sites().sites().begin(),
                                   scope.sites().sites().end());
    std::sort(names.begin(), names.end());
    return (names.size() == 1 ? "site " : "sites ") + absl::StrJoin(names, ", ");
  }
  return "all sites";
}

bool InScope(const v1::ReportScope& scope, const std::string& site) {
  if (!scope.has_sites()) return true;
  const auto& sites = scope.sites().sites();
  return std::find(sites.begin(), sites.end(), site) != sites.end();
}

v1::ReportData AssembleReport(const std::string& title,
                              const v1::ReportScope& scope,
                              const std::vector<v1::SiteSummary>& sites,
                              const std::vector<TrendSample>& trend,
                              absl::Time now) {
  v1::ReportData data;
  *data.mutable_generated_at() = ToProtoTime(now);
  data.set_title(title);
  data.set_scope_description(DescribeScope(scope));
  v1::ReportTotals* totals = data.mutable_totals();
  uint64_t p2p_clients = 0;
  std::map<int, uint32_t> total_counts;
  for (const v1::SiteSummary& site : sites) {
    v1::ReportSiteRow* row = data.add_sites();
    row->set_site(site.site());
    row->set_clients(site.clients());
    row->set_connectors(site.connectors());
    row->set_p2p_capable_share(site.p2p_capable_share());
    row->set_worst_finding(site.worst_finding());
    *row->mutable_finding_counts() = site.finding_counts();
    totals->set_sites(totals->sites() + 1);
    totals->set_clients(totals->clients() + site.clients());
    totals->set_connectors(totals->connectors() + site.connectors());
    p2p_clients += site.p2p_capable_clients();
    AddCounts(site.finding_counts(), &total_counts);
  }
  totals->set_p2p_capable_share(
      totals->clients() == 0 ? 0.0
                             : static_cast<double>(p2p_clients) / totals->clients());
  for (const auto& [code, agents] : total_counts) {
    v1::FindingCount* count = totals->add_finding_counts();
    count->set_code(static_cast<v1::FindingCode>(code));
    count->set_agents(agents);
  }
  for (const TrendSample& sample : trend) *data.add_trend() = TrendPointOf(sample);
  return data;
}

absl::StatusOr<v1::ReportData> LoadReportData(SiteHealthStore& store,
                                              const std::string& title,
                                              const v1::ReportScope& scope,
                                              absl::Time now) {
  ASSIGN_OR_RETURN(std::vector<v1::SiteSummary> all, store.ListSiteHealth(false));
  std::vector<v1::SiteSummary> sites;
  for (v1::SiteSummary& site : all) {
    if (InScope(scope, site.site())) sites.push_back(std::move(site));
  }
  const absl::Time from = now - kReportTrendWindow;
  std::vector<TrendSample> trend;
  if (!scope.has_sites()) {
    ASSIGN_OR_RETURN(trend, store.SiteTrend("", from, now, /*daily=*/true));
  } else {
    // The scope's trend: the listed sites' daily samples summed per day.
    std::map<absl::Time, TrendSample> by_day;
    for (const std::string& site : scope.sites().sites()) {
      ASSIGN_OR_RETURN(std::vector<TrendSample> samples,
                       store.SiteTrend(site, from, now, /*daily=*/true));
      for (const TrendSample& sample : samples) {
        TrendSample& day = by_day[sample.bucket];
        day.bucket = sample.bucket;
        day.clients += sample.clients;
        day.p2p_clients += sample.p2p_clients;
        day.connectors += sample.connectors;
      }
    }
    for (const auto& [day, sample] : by_day) trend.push_back(sample);
  }
  return AssembleReport(title, scope, sites, trend, now);
}

}  // namespace natscope::server
