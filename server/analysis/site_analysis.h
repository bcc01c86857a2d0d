// One site analysed from its agents' stored latest states: the glue
// between the FactStore's AgentState rows and the pure analyzer (analyzer/site).
// Pure functions apart from AllAgentsOf, which reads the FactStore.
#ifndef NATSCOPE_SERVER_ANALYSIS_SITE_ANALYSIS_H_
#define NATSCOPE_SERVER_ANALYSIS_SITE_ANALYSIS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/analysis.pb.h"
#include "analyzer/evidence/aws_ranges.h"
#include "natscope/v1/query.pb.h"
#include "analyzer/agent_activity.h"
#include "server/store/fact_store.h"

namespace natscope::server {

// Every agent of `site` (all sites when empty), read page by page.
absl::StatusOr<std::vector<v1::AgentState>> AllAgentsOf(FactStore& store,
                                                        absl::string_view site);

// What the analysis of one site reads from the FactStore.
struct SiteFacts {
  // Every agent of the site with its latest state.
  std::vector<v1::AgentState> agents;
  // Their tunnel, relay and sdwan_state lines over the analyzer's tunnel
  // window, by agent id.
  std::map<std::string, analyzer::AgentActivity> activity;
};

// Reads `site`'s facts as of `now`, each agent's latest probe re-decided
// with the server's rules and `aws_ranges` (may be null; see
// ApplyServerVerdict).
absl::StatusOr<SiteFacts> LoadSiteFacts(FactStore& store, absl::string_view site,
                                        absl::Time now,
                                        const analyzer::AwsRanges* aws_ranges);

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

// SummarizeSite of the analysis of `facts` as of `now`.
v1::SiteSummary AnalyseAndSummarize(absl::string_view site,
                                    const SiteFacts& facts, absl::Time now);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_SITE_ANALYSIS_H_
