#include "server/analysis/recent_activity.h"

#include <utility>

#include "analyzer/site/agent_view.h"
#include "common/status_macros.h"

namespace natscope::server {

absl::StatusOr<const analyzer::AgentActivity*> RecentActivityCache::Of(
    const v1::AgentIdentity& agent) {
  auto site = sites_.find(agent.site());
  if (site == sites_.end()) {
    ASSIGN_OR_RETURN(
        auto activity,
        store_->RecentActivity(
            agent.site(), now_ - analyzer::AgentViewOptions().tunnel_window));
    site = sites_.emplace(agent.site(), std::move(activity)).first;
  }
  const auto it = site->second.find(agent.agent_id());
  return it == site->second.end() ? nullptr : &it->second;
}

}  // namespace natscope::server
