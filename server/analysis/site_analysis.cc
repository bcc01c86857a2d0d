#include "server/analysis/site_analysis.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/analysis/agent_analysis.h"
#include "server/analysis/agent_health.h"
#include "analyzer/site/agent_view.h"
#include "analyzer/site/site_health.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::server {
namespace {
constexpr int kPage = 1000;
using google::protobuf::util::TimeUtil;
}  // namespace

absl::StatusOr<std::vector<v1::AgentState>> AllAgentsOf(FactStore& store,
                                                        absl::string_view site) {
  std::vector<v1::AgentState> all;
  std::string after;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<v1::AgentState> page,
                     store.ListAgents(site, after, kPage));
    if (page.empty()) break;
    after = page.back().identity().agent_id();
    const bool last = page.size() < static_cast<size_t>(kPage);
    for (v1::AgentState& agent : page) all.push_back(std::move(agent));
    if (last) break;
  }
  return all;
}

absl::StatusOr<v1::AgentState> OneAgentOf(FactStore& store,
                                          const v1::AgentIdentity& agent) {
  const std::string& id = agent.agent_id();
  // ListAgents lists ids after a cursor. The id less its last byte sorts
  // before it, and only ids with that prefix lie between: few, if any.
  std::string after = id.substr(0, id.empty() ? 0 : id.size() - 1);
  constexpr int kProbe = 16;
  while (!id.empty()) {
    ASSIGN_OR_RETURN(std::vector<v1::AgentState> page,
                     store.ListAgents(agent.site(), after, kProbe));
    for (v1::AgentState& state : page) {
      if (state.identity().agent_id() == id) return std::move(state);
      if (state.identity().agent_id() > id) break;
    }
    if (page.size() < static_cast<size_t>(kProbe) ||
        page.back().identity().agent_id() > id) {
      break;
    }
    after = page.back().identity().agent_id();
  }
  return absl::NotFoundError(absl::StrCat("no agent \"", id, "\" at site \"",
                                          agent.site(), "\""));
}

bool IsForgotten(const v1::AgentState& agent, absl::Time now,
                 absl::Duration forget_after) {
  if (!agent.has_last_seen() || forget_after == absl::InfiniteDuration()) {
    return false;
  }
  const absl::Time last_seen =
      absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(agent.last_seen()));
  return now - last_seen > forget_after;
}

absl::StatusOr<SiteFacts> LoadSiteFacts(FactStore& store, absl::string_view site,
                                        absl::Time now,
                                        const SiteFactsOptions& options) {
  const AwsRangesSnapshot aws_ranges = SnapshotOf(options.aws_ranges);
  SiteFacts facts;
  ASSIGN_OR_RETURN(std::vector<v1::AgentState> agents, AllAgentsOf(store, site));
  for (v1::AgentState& agent : agents) {
    if (IsForgotten(agent, now, options.forget_after)) {
      ++facts.forgotten;
      continue;
    }
    ApplyServerVerdict(&agent, aws_ranges.get());
    facts.agents.push_back(std::move(agent));
  }
  ASSIGN_OR_RETURN(facts.activity,
                   store.RecentActivity(site, now - analyzer::AgentViewOptions().tunnel_window));
  return facts;
}

std::vector<v1::AgentView> AgentViewsOf(const SiteFacts& site_facts, absl::Time now) {
  std::vector<v1::AgentView> views;
  views.reserve(site_facts.agents.size());
  for (const v1::AgentState& agent : site_facts.agents) {
    const auto activity = site_facts.activity.find(agent.identity().agent_id());
    views.push_back(analyzer::BuildAgentView(
        FactsOf(agent, activity == site_facts.activity.end() ? nullptr
                                                             : &activity->second),
        now));
  }
  return views;
}

v1::SiteSummary AnalyseAndSummarize(absl::string_view site,
                                    const SiteFacts& facts, absl::Time now) {
  const std::vector<v1::AgentView> views = AgentViewsOf(facts, now);
  v1::SiteSummary summary =
      SummarizeSite(site, views, analyzer::BuildSiteHealth(site, views));
  uint32_t unhealthy = 0;
  for (const v1::AgentState& agent : facts.agents) {
    if (!AgentProblems(agent, now).empty()) ++unhealthy;
  }
  summary.set_unhealthy_agents(unhealthy);
  return summary;
}

v1::SiteHealthView AnalyseSite(absl::string_view site, const SiteFacts& facts,
                               absl::Time now) {
  return analyzer::BuildSiteHealth(site, AgentViewsOf(facts, now));
}

v1::SiteSummary SummarizeSite(absl::string_view site,
                              const std::vector<v1::AgentView>& agents,
                              const v1::SiteHealthView& view) {
  v1::SiteSummary summary;
  summary.set_site(std::string(site));
  std::map<std::pair<int, std::string>, uint32_t> nat_types;
  int64_t last_seen = INT64_MIN;
  for (const v1::AgentView& agent : agents) {
    const v1::Role role = agent.identity().role();
    if (role == v1::ROLE_CLIENT) summary.set_clients(summary.clients() + 1);
    if (role == v1::ROLE_CONNECTOR) {
      summary.set_connectors(summary.connectors() + 1);
    }
    ++nat_types[{role, agent.reported_nat_type()}];
    if (agent.has_last_seen()) {
      last_seen = std::max(
          last_seen, TimeUtil::TimestampToMicroseconds(agent.last_seen()));
    }
  }
  for (const auto& [key, count] : nat_types) {
    v1::NatTypeCount* entry = summary.add_nat_types();
    entry->set_role(static_cast<v1::Role>(key.first));
    entry->set_nat_type(key.second);
    entry->set_agents(count);
  }
  if (last_seen != INT64_MIN) {
    *summary.mutable_last_seen() = TimeUtil::MicrosecondsToTimestamp(last_seen);
  }
  summary.set_p2p_capable_share(view.p2p_capable_share());
  summary.set_p2p_capable_clients(view.p2p_capable_clients());
  summary.set_severity_score(view.severity_score());
  if (!view.findings().empty()) summary.set_worst_finding(view.findings(0).code());
  for (const v1::SiteFinding& finding : view.findings()) {
    v1::FindingCount* count = summary.add_finding_counts();
    count->set_code(finding.code());
    count->set_agents(finding.agent_ids_size());
  }
  return summary;
}

}  // namespace natscope::server
