#include "server/health/site_analysis.h"

#include <map>
#include <utility>

#include "analyzer/batch_summary.h"
#include "analyzer/site/agent_view.h"
#include "analyzer/site/site_health.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::server {
namespace {
constexpr int kPage = 1000;
using google::protobuf::util::TimeUtil;
}  // namespace

absl::StatusOr<std::vector<v1::AgentState>> AllAgentsOf(Store& store,
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

absl::StatusOr<SiteFacts> LoadSiteFacts(Store& store, absl::string_view site,
                                        absl::Time now) {
  SiteFacts facts;
  ASSIGN_OR_RETURN(facts.agents, AllAgentsOf(store, site));
  ASSIGN_OR_RETURN(facts.activity,
                   store.RecentActivity(site, now - analyzer::AgentViewOptions().tunnel_window));
  return facts;
}

std::vector<v1::AgentView> AgentViewsOf(const SiteFacts& site_facts, absl::Time now) {
  std::vector<v1::AgentView> views;
  views.reserve(site_facts.agents.size());
  for (const v1::AgentState& agent : site_facts.agents) {
    // The store keeps the latest log-reported NAT type, not every event:
    // hand it to the analyzer as the one event it stands for.
    std::vector<v1::LogEvent> events;
    if (!agent.log_nat_type().empty()) {
      v1::LogEvent& event = events.emplace_back();
      event.set_kind(analyzer::KindName(analyzer::LogKind::kStunNatType));
      (*event.mutable_fields())["nat_type"] = agent.log_nat_type();
      *event.mutable_time() = agent.last_seen();
    }
    analyzer::WindowCounts window;
    const auto activity = site_facts.activity.find(agent.identity().agent_id());
    if (activity != site_facts.activity.end()) {
      const AgentActivity& a = activity->second;
      window.direct = a.direct;
      window.relayed = a.relayed;
      window.relay_unavailable = a.relay_unavailable;
      window.last_tunnel = a.last_tunnel;
      if (!a.sdwan_state.empty()) {
        v1::LogEvent& event = events.emplace_back();
        event.set_kind(analyzer::KindName(analyzer::LogKind::kSdwanState));
        (*event.mutable_fields())["state"] = a.sdwan_state;
        *event.mutable_time() =
            TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(a.sdwan_state_time));
      }
    }
    analyzer::AgentFacts facts;
    facts.window = &window;
    facts.identity = agent.identity();
    facts.latest_probe = agent.has_latest_probe() ? &agent.latest_probe() : nullptr;
    facts.events = events;
    facts.last_arrival = absl::FromUnixMicros(
        TimeUtil::TimestampToMicroseconds(agent.last_seen()));
    views.push_back(analyzer::BuildAgentView(facts, now));
  }
  return views;
}

v1::SiteHealthView AnalyseSite(absl::string_view site, const SiteFacts& facts,
                               absl::Time now) {
  return analyzer::BuildSiteHealth(site, AgentViewsOf(facts, now));
}

v1::SiteSummary SummarizeSite(absl::string_view site,
                              const std::vector<v1::AgentState>& agents,
                              const v1::SiteHealthView& view) {
  v1::SiteSummary summary;
  summary.set_site(std::string(site));
  std::map<std::pair<int, std::string>, uint32_t> nat_types;
  int64_t last_seen = INT64_MIN;
  for (const v1::AgentState& agent : agents) {
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
