// Agents' recent log activity (tunnel lines, relay and relay-listener
// errors, SD-WAN state) for callers that describe agents one by one
// across sites (ListAgents, GetAgent): read from the FactStore once per
// site and call. Not thread-safe: one per call.
#ifndef NATSCOPE_SERVER_ANALYSIS_RECENT_ACTIVITY_H_
#define NATSCOPE_SERVER_ANALYSIS_RECENT_ACTIVITY_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analyzer/agent_activity.h"
#include "natscope/v1/agent.pb.h"
#include "server/store/fact_store.h"

namespace natscope::server {

class RecentActivityCache {
 public:
  // `store` is not owned and must outlive this object. The window ends at
  // `now` and is the analyzer's tunnel window, as LoadSiteFacts reads it.
  RecentActivityCache(FactStore* store, absl::Time now)
      : store_(store), now_(now) {}

  // The activity of `agent` (its id at its site); null when it has none.
  // Valid while this object lives. Errors: the store's.
  absl::StatusOr<const analyzer::AgentActivity*> Of(
      const v1::AgentIdentity& agent);

 private:
  FactStore* store_;
  absl::Time now_;
  // Site -> agent id -> activity.
  std::map<std::string, std::map<std::string, analyzer::AgentActivity>> sites_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_RECENT_ACTIVITY_H_
