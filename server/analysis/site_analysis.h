// One site analysed from its agents' stored latest states: the glue
// between the FactStore's AgentState rows and the pure analyzer (analyzer/site).
// Pure functions apart from AllAgentsOf, OneAgentOf and LoadSiteFacts,
// which read the FactStore.
#ifndef NATSCOPE_SERVER_ANALYSIS_SITE_ANALYSIS_H_
#define NATSCOPE_SERVER_ANALYSIS_SITE_ANALYSIS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/query.pb.h"
#include "analyzer/agent_activity.h"
#include "server/analysis/aws_ranges_provider.h"
#include "server/store/fact_store.h"

namespace natscope::server {

// Every agent of `site` (all sites when empty), read page by page.
absl::StatusOr<std::vector<v1::AgentState>> AllAgentsOf(FactStore& store,
                                                        absl::string_view site);

// The stored state of the registered `agent` (its id and site), as
// ListAgents gives it; NotFound when the store lists no such agent.
absl::StatusOr<v1::AgentState> OneAgentOf(FactStore& store,
                                          const v1::AgentIdentity& agent);

// Whether `agent` is forgotten as of `now`: its last contact (a batch or
// a check-in, AgentState.last_seen) is more than `forget_after` old. An
// agent that never made contact is not. Forgotten agents leave every
// count, summary, analysis and report; they come back when they report.
bool IsForgotten(const v1::AgentState& agent, absl::Time now,
                 absl::Duration forget_after);

// How LoadSiteFacts reads a site: the server's settings.
struct SiteFactsOptions {
  // The server's current AWS ranges, for re-deciding stored probes (empty
  // or giving null: no AWS detection; see ApplyServerVerdict). Asked once
  // per LoadSiteFacts.
  AwsRangesProvider aws_ranges;
  // Agents silent for longer are forgotten (IsForgotten, --forget_after).
  // Infinite: none is.
  absl::Duration forget_after = absl::InfiniteDuration();
};

// What the analysis of one site reads from the FactStore.
struct SiteFacts {
  // Every agent of the site that is not forgotten, with its latest state.
  std::vector<v1::AgentState> agents;
  // Their tunnel, relay and sdwan_state lines over the analyzer's tunnel
  // window, by agent id.
  std::map<std::string, analyzer::AgentActivity> activity;
  // How many agents of the site were left out as forgotten.
  int forgotten = 0;
};

// Reads `site`'s facts as of `now`: its agents that are not forgotten, each
// one's latest probe re-decided with the server's rules and one snapshot
// of its ranges (SnapshotOf(options.aws_ranges), taken first). The
// one place where forgotten agents leave the analysis: the refresher's
// summaries (ListSites, findings, trends, reports) and the live queries
// read sites through here.
absl::StatusOr<SiteFacts> LoadSiteFacts(FactStore& store, absl::string_view site,
                                        absl::Time now,
                                        const SiteFactsOptions& options);

// The analyzer's view of each agent, in the order of `facts.agents`.
std::vector<v1::AgentView> AgentViewsOf(const SiteFacts& facts, absl::Time now);

// The analyzer's view of `site` from its facts, as of `now`.
v1::SiteHealthView AnalyseSite(absl::string_view site, const SiteFacts& facts,
                               absl::Time now);

// The one-line summary of `site`: clients and connectors, agents per (role,
// reported NAT type), the newest last_seen, and from `view` the
// peer-to-peer share, severity score and worst finding.
v1::SiteSummary SummarizeSite(absl::string_view site,
                              const std::vector<v1::AgentView>& agents,
                              const v1::SiteHealthView& view);

// SummarizeSite of the analysis of `facts` as of `now`, with the number of
// its agents that are unhealthy then (agent_health.h).
v1::SiteSummary AnalyseAndSummarize(absl::string_view site,
                                    const SiteFacts& facts, absl::Time now);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_SITE_ANALYSIS_H_
