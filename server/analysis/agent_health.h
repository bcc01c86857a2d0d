// Whether an agent itself is working: the one rule that judges the stored
// facts of an agent (AgentState: health.last_batch_time, health.counters,
// clock_skew_seconds, latest_probe) as of a time. Callers: ListAgents and
// GetAgent (each agent's AgentHealth) and the site analysis (the site's
// unhealthy_agents). Pure; thread-safe.
//
// An agent is unhealthy when any of these holds (AgentHealthRules):
//   - it has sent no batch since it enrolled;
//   - it is silent: no batch for over 30 minutes (agents that probe send
//     one at least every probe interval, 5 minutes by default; an agent
//     that only tails quiet logs and never probes looks silent too);
//   - its spool is over 80% full (it reads faster than it delivers; at
//     100% it pauses reading);
//   - it lost records (records_dropped > 0) or set batches aside as
//     malformed (dead_letters > 0) since it started;
//   - its clock is more than 5 minutes off the server's;
//   - the server refused batches of it as conflicting since it started
//     (counters.batch_conflicts > 0: a cloned or restored state
//     directory);
//   - it has probed before but not for 24 hours while still reporting.
// Counts are the agent's own since it started: a restart clears them.
// Retries and backpressure pauses are shown, not judged: both happen to a
// healthy agent when the server or the network blinks.
#ifndef NATSCOPE_SERVER_ANALYSIS_AGENT_HEALTH_H_
#define NATSCOPE_SERVER_ANALYSIS_AGENT_HEALTH_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "natscope/v1/query.pb.h"

namespace natscope::server {

// The thresholds, documented in docs/server.md.
struct AgentHealthRules {
  // No batch for longer than this: silent (about six probe intervals).
  absl::Duration silent_after = absl::Minutes(30);
  // A spool fuller than this share of its capacity.
  double spool_full_share = 0.8;
  // |clock skew| above this. Records dated outside the server's window are
  // re-dated, so a skewed agent's times are not to be trusted.
  absl::Duration max_clock_skew = absl::Minutes(5);
  // An agent that has probed, and reports, but whose latest probe is older
  // than this.
  absl::Duration probe_stale_after = absl::Hours(24);
};

// What is wrong with the agent of `state` as of `now`, one plain-language
// line each saying what to do; empty when it is healthy.
std::vector<std::string> AgentProblems(const v1::AgentState& state,
                                       absl::Time now,
                                       const AgentHealthRules& rules = {});

// Fills the derived fields of state->health: last_probe_time (from
// latest_probe), problems (AgentProblems) and healthy.
void JudgeAgentHealth(v1::AgentState* state, absl::Time now,
                      const AgentHealthRules& rules = {});

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_AGENT_HEALTH_H_
