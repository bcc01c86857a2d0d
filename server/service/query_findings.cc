// QueryServiceCore's findings: ListFindings and the --finding filter of
// ListAgents (HasFinding), and the helpers GetSiteHealth shares.
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analyzer/site/site_findings.h"
#include "common/status_macros.h"
#include "server/analysis/site_analysis.h"
#include "server/service/query_findings.h"
#include "server/service/query_service.h"

namespace natscope::server {

void AppendFindings(const v1::AgentState& agent,
                    const google::protobuf::RepeatedPtrField<v1::Finding>& findings,
                    google::protobuf::RepeatedPtrField<v1::AgentFinding>* out) {
  for (const v1::Finding& finding : findings) {
    v1::AgentFinding* entry = out->Add();
    entry->set_agent_id(agent.identity().agent_id());
    entry->set_site(agent.identity().site());
    entry->set_role(agent.identity().role());
    *entry->mutable_finding() = finding;
  }
}

// The site analysis's findings that no agent's own list carries (those
// the analysis decides for the site, such as relayed-despite-compatible),
// one entry per affected agent with that agent's evidence; a finding that
// names no agent is one entry for the site (empty agent_id). So a site's
// findings list everything `natscope site` shows.
void AppendSiteFindings(absl::string_view site,
                        const std::vector<v1::AgentState>& agents,
                        const v1::SiteHealthView& view,
                        google::protobuf::RepeatedPtrField<v1::AgentFinding>* out) {
  std::set<std::pair<std::string, int>> listed;
  for (const v1::AgentFinding& entry : *out) {
    listed.emplace(entry.agent_id(), entry.finding().code());
  }
  std::map<std::string, v1::Role> roles;
  for (const v1::AgentState& agent : agents) {
    roles[agent.identity().agent_id()] = agent.identity().role();
  }
  for (const v1::SiteFinding& finding : view.findings()) {
    v1::Finding base;
    base.set_code(finding.code());
    base.set_severity(finding.severity());
    base.set_summary(finding.summary());
    base.set_remediation(finding.remediation());
    if (finding.agent_ids().empty()) {
      if (listed.count({"", finding.code()})) continue;
      v1::AgentFinding* entry = out->Add();
      entry->set_site(std::string(site));
      *entry->mutable_finding() = base;
      *entry->mutable_finding()->mutable_evidence() = finding.evidence();
      continue;
    }
    for (int i = 0; i < finding.agent_ids_size(); ++i) {
      const std::string& id = finding.agent_ids(i);
      if (!listed.emplace(id, finding.code()).second) continue;
      v1::AgentFinding* entry = out->Add();
      entry->set_agent_id(id);
      entry->set_site(std::string(site));
      entry->set_role(roles.count(id) ? roles[id] : v1::ROLE_UNSPECIFIED);
      *entry->mutable_finding() = base;
      if (i < finding.sources_size()) {
        entry->mutable_finding()->set_source(finding.sources(i));
      }
      const std::string prefix = id + ": ";
      for (const std::string& line : finding.evidence()) {
        if (absl::StartsWith(line, prefix)) {
          entry->mutable_finding()->add_evidence(line.substr(prefix.size()));
        }
      }
    }
  }
}

void SortFindings(google::protobuf::RepeatedPtrField<v1::AgentFinding>* findings) {
  std::stable_sort(findings->begin(), findings->end(),
                   [](const v1::AgentFinding& a, const v1::AgentFinding& b) {
                     return std::make_tuple(-a.finding().severity(), a.site(),
                                            a.agent_id()) <
                            std::make_tuple(-b.finding().severity(), b.site(),
                                            b.agent_id());
                   });
}

absl::StatusOr<bool> QueryServiceCore::HasFinding(
    const v1::AgentState& agent, v1::FindingCode code, absl::Time now,
    const AwsRangesSnapshot& aws_ranges,
    std::map<std::string, std::set<std::string>>* affected_by_site) {
  for (const v1::Finding& finding : agent.findings()) {
    if (finding.code() == code) return true;
  }
  // Findings the analysis derives (log/probe disagreement, relayed
  // despite a compatible NAT, ...) need the agent's whole site: analysed
  // once per site per call.
  const std::string& site = agent.identity().site();
  auto it = affected_by_site->find(site);
  if (it == affected_by_site->end()) {
    std::set<std::string> affected;
    absl::StatusOr<SiteFacts> facts = SiteFactsOf(site, now, aws_ranges);
    if (facts.ok()) {
      const v1::SiteHealthView view = AnalyseSite(site, *facts, now);
      for (const v1::SiteFinding& finding : view.findings()) {
        if (finding.code() == code) {
          affected.insert(finding.agent_ids().begin(), finding.agent_ids().end());
        }
      }
    } else if (!absl::IsNotFound(facts.status())) {
      return facts.status();
    }
    it = affected_by_site->emplace(site, std::move(affected)).first;
  }
  return it->second.count(agent.identity().agent_id()) > 0;
}

absl::StatusOr<v1::ListFindingsResponse> QueryServiceCore::ListFindings(
    const v1::ListFindingsRequest& request, absl::Time now) {
  v1::ListFindingsResponse response;
  if (!request.site().empty()) {
    ASSIGN_OR_RETURN(SiteFacts facts, SiteFactsOf(request.site(), now,
                                                  SnapshotOf(aws_ranges_)));
    const std::vector<v1::AgentState>& agents = facts.agents;
    const std::vector<v1::AgentView> views = AgentViewsOf(facts, now);
    for (size_t i = 0; i < agents.size(); ++i) {
      AppendFindings(agents[i], views[i].findings(),
                     response.mutable_findings());
    }
    AppendSiteFindings(request.site(), agents,
                       AnalyseSite(request.site(), facts, now),
                       response.mutable_findings());
    SortFindings(response.mutable_findings());
    return response;
  }
  // The fleet: from every site's stored summary, per finding code.
  ASSIGN_OR_RETURN(std::vector<v1::SiteSummary> sites, health_->ListSiteHealth(false));
  struct Tally {
    uint32_t sites = 0, agents = 0;
    std::vector<std::pair<uint32_t, std::string>> by_site;
  };
  std::map<v1::FindingCode, Tally> tallies;
  for (const v1::SiteSummary& site : sites) {
    for (const v1::FindingCount& count : site.finding_counts()) {
      Tally& tally = tallies[count.code()];
      ++tally.sites;
      tally.agents += count.agents();
      tally.by_site.emplace_back(count.agents(), site.site());
    }
  }
  std::vector<std::pair<v1::FindingCode, Tally>> ordered(tallies.begin(),
                                                         tallies.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return analyzer::TroubleshootingRank(a.first) <
           analyzer::TroubleshootingRank(b.first);
  });
  for (auto& [code, tally] : ordered) {
    v1::FleetFinding* finding = response.add_fleet();
    finding->set_code(code);
    finding->set_sites(tally.sites);
    finding->set_agents(tally.agents);
    std::stable_sort(tally.by_site.begin(), tally.by_site.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t i = 0; i < tally.by_site.size() && i < 10; ++i) {
      finding->add_worst_sites(tally.by_site[i].second);
    }
    finding->set_remediation(analyzer::SiteRemediation(code));
  }
  return response;
}

}  // namespace natscope::server
