// The server's analysis of one stored agent: the glue between the
// FactStore's AgentState (facts only) and the pure analyzer. The server
// re-decides every stored probe with its own rules and AWS ranges
// (analyzer/site/probe_verdicts.h); the agent's verdict is kept beside it.
// Pure; thread-safe.
#ifndef NATSCOPE_SERVER_ANALYSIS_AGENT_ANALYSIS_H_
#define NATSCOPE_SERVER_ANALYSIS_AGENT_ANALYSIS_H_

#include "absl/time/time.h"
#include "analyzer/agent_activity.h"
#include "analyzer/evidence/aws_ranges.h"
#include "analyzer/site/agent_view.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/query.pb.h"

namespace natscope::server {

// Re-decides `state`'s latest probe, when it has one: latest_probe gets
// the server's verdicts and findings (`aws_ranges` may be null: no AWS
// detection), agent_verdict the agent's own as it sent them.
void ApplyServerVerdict(v1::AgentState* state,
                        const analyzer::AwsRanges* aws_ranges);

// The analyzer's facts of `state` (after ApplyServerVerdict) with its
// recent `activity` (null: none). Points into both: they must outlive
// the facts.
analyzer::AgentFacts FactsOf(const v1::AgentState& state,
                             const analyzer::AgentActivity* activity);

// ApplyServerVerdict, then fills the derived fields of `state` from the
// analyzer's view as of `now` with the agent's recent `activity` (null:
// none): reported_nat_type, mapping and filtering behaviour,
// public_address, findings (AgentView.findings, with their sources),
// verdict_differences, nat_class and nat_class_source, stun_discovery.
void DescribeAgent(v1::AgentState* state, const analyzer::AwsRanges* aws_ranges,
                   absl::Time now,
                   const analyzer::AgentActivity* activity = nullptr);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_ANALYSIS_AGENT_ANALYSIS_H_
