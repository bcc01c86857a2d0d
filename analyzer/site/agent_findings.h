// Findings the server derives for one agent from its view: the product's
// log against the probe, and a connector's STUN discovery. Pure.
#ifndef NATSCOPE_ANALYZER_SITE_AGENT_FINDINGS_H_
#define NATSCOPE_ANALYZER_SITE_AGENT_FINDINGS_H_

#include <string>
#include <vector>

#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

// Reads view.identity(), probe(), log_nat_type() and log_nat_type_time()
// and returns, in this order:
// - FINDING_STUN_DISCOVERY_UNAVAILABLE (critical), connectors only: the
//   latest probe got no STUN answer, or the latest stun_nat_type line
//   reports "unknown..." (the product's discovery failed).
// - FINDING_LOG_PROBE_DISAGREE (warning): the log says
//   "endpoint-independent" but the probe measured endpoint-dependent
//   mapping, or the log says "endpoint-dependent" but the probe measured
//   endpoint-independent mapping or no NAT. Other log values never
//   disagree.
std::vector<v1::Finding> DeriveAgentFindings(const v1::AgentView& view);

// True when `log_nat_type` reports the product's STUN discovery failing:
// it starts with "unknown" in any letter case (e.g. "unknown(7)").
bool LogSaysDiscoveryFailed(const std::string& log_nat_type);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_AGENT_FINDINGS_H_
