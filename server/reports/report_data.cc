#include "server/reports/report_data.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/site/site_findings.h"
#include "analyzer/site/site_health.h"
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

// `line` cut to kMaxEvidenceBytes at a UTF-8 character boundary, with
// "..." when cut.
std::string ShortLine(const std::string& line) {
  if (line.size() <= kMaxEvidenceBytes) return line;
  size_t end = kMaxEvidenceBytes - 3;
  // Back over continuation bytes (10xxxxxx) to a character's first byte.
  while (end > 0 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;
  return line.substr(0, end) + "...";
}

}  // namespace

std::vector<v1::FindingTrend> FindingTrendsOf(
    const std::vector<TrendSample>& samples) {
  std::set<v1::FindingCode> codes;
  for (const TrendSample& sample : samples) {
    for (const auto& [code, agents] : sample.finding_agents) codes.insert(code);
  }
  std::vector<v1::FindingCode> ordered(codes.begin(), codes.end());
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](v1::FindingCode a, v1::FindingCode b) {
                     return analyzer::TroubleshootingRank(a) <
                            analyzer::TroubleshootingRank(b);
                   });
  std::vector<v1::FindingTrend> trends;
  for (const v1::FindingCode code : ordered) {
    v1::FindingTrend& trend = trends.emplace_back();
    trend.set_code(code);
    for (const TrendSample& sample : samples) {
      v1::FindingTrendPoint* point = trend.add_points();
      *point->mutable_time() = ToProtoTime(sample.bucket);
      const auto found = sample.finding_agents.find(code);
      point->set_agents(found == sample.finding_agents.end()
                            ? 0
                            : static_cast<uint32_t>(found->second));
    }
  }
  return trends;
}

std::vector<v1::ReportFinding> ReportFindingsOf(
    const v1::SiteHealthView& view, const std::vector<v1::AgentState>& agents) {
  std::map<std::string, const v1::AgentIdentity*> by_id;
  for (const v1::AgentState& agent : agents) {
    by_id[agent.identity().agent_id()] = &agent.identity();
  }
  std::vector<v1::ReportFinding> findings;
  for (const v1::SiteFinding& site_finding : view.findings()) {
    v1::ReportFinding& finding = findings.emplace_back();
    finding.set_code(site_finding.code());
    finding.set_severity(site_finding.severity());
    finding.set_summary(site_finding.summary());
    finding.set_remediation(site_finding.remediation());
    finding.set_affected_clients(site_finding.affected_clients());
    finding.set_affected_connectors(site_finding.affected_connectors());
    const int hosts = site_finding.agent_ids_size();
    for (int i = 0; i < std::min(hosts, kMaxReportHosts); ++i) {
      v1::ReportHost* host = finding.add_hosts();
      host->set_agent_id(site_finding.agent_ids(i));
      const auto identity = by_id.find(site_finding.agent_ids(i));
      if (identity != by_id.end()) {
        host->set_hostname(identity->second->hostname());
        host->set_role(identity->second->role());
      }
    }
    finding.set_more_hosts(static_cast<uint32_t>(std::max(0, hosts - kMaxReportHosts)));
    const int lines = site_finding.evidence_size();
    for (int i = 0; i < std::min(lines, kMaxReportEvidence); ++i) {
      finding.add_evidence(ShortLine(site_finding.evidence(i)));
    }
    finding.set_more_evidence(
        static_cast<uint32_t>(std::max(0, lines - kMaxReportEvidence)));
  }
  return findings;
}

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
  for (v1::FindingTrend& series : FindingTrendsOf(trend)) {
    *data.add_finding_trends() = std::move(series);
  }
  return data;
}

namespace {

// The scope's daily trend: the fleet's, or the listed sites' summed per day.
absl::StatusOr<std::vector<TrendSample>> ScopeTrend(SiteHealthStore& store,
                                                    const v1::ReportScope& scope,
                                                    absl::Time now) {
  const absl::Time from = now - kReportTrendWindow;
  if (!scope.has_sites()) return store.SiteTrend("", from, now, /*daily=*/true);
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
      for (const auto& [code, agents] : sample.finding_agents) {
        day.finding_agents[code] += agents;
      }
    }
  }
  std::vector<TrendSample> trend;
  for (auto& [day, sample] : by_day) trend.push_back(std::move(sample));
  return trend;
}

}  // namespace

absl::StatusOr<v1::ReportData> LoadReportData(SiteHealthStore& store,
                                              const ReportAnalysis& analysis,
                                              const std::string& title,
                                              const v1::ReportScope& scope,
                                              absl::Time now) {
  ASSIGN_OR_RETURN(std::vector<v1::SiteSummary> all, store.ListSiteHealth(false));
  std::vector<v1::SiteSummary> sites;
  for (v1::SiteSummary& site : all) {
    if (InScope(scope, site.site())) sites.push_back(std::move(site));
  }
  // Each site analysed now, as GetSiteAnalysis does: its row and its
  // findings from the same analysis; every site with the same AWS ranges,
  // even if they are reloaded meanwhile.
  SiteFactsOptions options = analysis.options;
  options.aws_ranges = FixedAwsRanges(SnapshotOf(options.aws_ranges));
  std::vector<std::vector<v1::ReportFinding>> findings(sites.size());
  for (size_t i = 0; analysis.facts != nullptr && i < sites.size(); ++i) {
    const std::string site = sites[i].site();
    ASSIGN_OR_RETURN(SiteFacts facts,
                     LoadSiteFacts(*analysis.facts, site, now, options));
    if (facts.agents.empty()) continue;  // Gone since: keep the stored row.
    const std::vector<v1::AgentView> views = AgentViewsOf(facts, now);
    const v1::SiteHealthView view = analyzer::BuildSiteHealth(site, views);
    sites[i] = SummarizeSite(site, views, view);
    findings[i] = ReportFindingsOf(view, facts.agents);
  }
  ASSIGN_OR_RETURN(std::vector<TrendSample> trend, ScopeTrend(store, scope, now));
  v1::ReportData data = AssembleReport(title, scope, sites, trend, now);
  for (size_t i = 0; i < findings.size(); ++i) {
    for (v1::ReportFinding& finding : findings[i]) {
      *data.mutable_sites(static_cast<int>(i))->add_findings() = std::move(finding);
    }
  }
  return data;
}

}  // namespace natscope::server
