// One agent's recent log activity, as the store keeps it (counted per hour
// at ingest by SummarizeBatch) and as the agent view reads it.
#ifndef NATSCOPE_ANALYZER_AGENT_ACTIVITY_H_
#define NATSCOPE_ANALYZER_AGENT_ACTIVITY_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace natscope::analyzer {

struct AgentActivity {
  // Over the tunnel window (AgentViewOptions::tunnel_window):
  uint32_t direct = 0;             // analytics lines, tunnel_path "direct"
  uint32_t relayed = 0;            // analytics lines, tunnel_path "relayed"
  uint32_t relay_unavailable = 0;  // relay_unavailable lines
  uint32_t relay_listener_errors = 0;  // relay_listener_failed lines
  absl::Time last_tunnel = absl::InfinitePast();  // newest counted analytics line
  // Of any age: the newest sdwan_state line's state (empty when none).
  std::string sdwan_state;
  absl::Time sdwan_state_time = absl::InfinitePast();
};

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_AGENT_ACTIVITY_H_
