// One site analysed from its agents' stored latest states: the glue
// between the Store's AgentState rows and the pure analyzer (analyzer/site).
// Pure functions apart from AllAgentsOf, which reads the Store.
#ifndef NATSCOPE_SERVER_HEALTH_SITE_ANALYSIS_H_
#define NATSCOPE_SERVER_HEALTH_SITE_ANALYSIS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/query.pb.h"
#include "server/store/store.h"

namespace natscope::server {

// Every agent of `site` (all sites when empty), read page by page.
absl::StatusOr<std::vector<v1::AgentState>> AllAgentsOf(Store& store,
                                                        absl::string_view site);

// What the analysis of one site reads from the Store.
struct SiteFacts {
  // Every agent of the site with its latest state.
  std::vector<v1::AgentState> agents;
  // Their tunnel, relay and sdwan_state lines over the analyzer's tunnel
  // window, by agent id.
  std::map<std::string, AgentActivity> activity;
};

// Reads `site`'s facts as of `now`.
absl::StatusOr<SiteFacts> LoadSiteFacts(Store& store, absl::string_view site,
                                        absl::Time now);

// The analyzer's view of each agent, in the order of `facts.agents`.
std::vector<v1::AgentView> AgentViewsOf(const SiteFacts& facts, absl::Time now);

// The analyzer's view of `site` from its facts, as of `now`.
v1::SiteHealthView AnalyseSite(absl::string_view site, const SiteFacts& facts,
                               absl::Time now);

// The one-line summary of `site`: clients and connectors, agents per (role,
// reported NAT type), the newest last_seen, and from `view` the
// peer-to-peer share, severity score and worst finding.
v1::SiteSummary SummarizeSite(absl::string_view site,
                              const std::vector<v1::AgentState>& agents,
                              const v1::SiteHealthView& view);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_HEALTH_SITE_ANALYSIS_H_
