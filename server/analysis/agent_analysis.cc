#include "server/analysis/agent_analysis.h"

#include <string>
#include <utility>

#include "analyzer/site/probe_verdicts.h"
#include "common/proto_time.h"

namespace natscope::server {

void ApplyServerVerdict(v1::AgentState* state,
                        const analyzer::AwsRanges* aws_ranges) {
  if (!state->has_latest_probe()) return;
  *state->mutable_agent_verdict() =
      analyzer::SummarizeProbe(state->latest_probe());
  *state->mutable_latest_probe() =
      analyzer::Reclassify(state->latest_probe(), aws_ranges);
}

analyzer::AgentFacts FactsOf(const v1::AgentState& state,
                             const analyzer::AgentActivity* activity) {
  analyzer::AgentFacts facts;
  facts.identity = state.identity();
  if (state.has_latest_probe()) {
    facts.latest_probe = &state.latest_probe();
    if (state.has_agent_verdict()) facts.agent_verdict = &state.agent_verdict();
  }
  facts.log_nat_type = state.log_nat_type();
  if (state.has_log_nat_type_time()) {
    facts.log_nat_type_time = FromProtoTime(state.log_nat_type_time());
  }
  if (activity != nullptr) facts.activity = *activity;
  if (state.has_last_seen()) {
    facts.last_arrival = FromProtoTime(state.last_seen());
  }
  return facts;
}

void DescribeAgent(v1::AgentState* state, const analyzer::AwsRanges* aws_ranges,
                   absl::Time now, const analyzer::AgentActivity* activity) {
  ApplyServerVerdict(state, aws_ranges);
  v1::AgentView view = analyzer::BuildAgentView(FactsOf(*state, activity), now);
  state->set_reported_nat_type(view.reported_nat_type());
  if (view.has_probe()) {
    const v1::ProbeSummary& probe = view.probe();
    state->set_mapping_behavior(probe.mapping_behavior());
    state->set_filtering_behavior(probe.filtering_behavior());
    state->set_public_address(probe.public_address());
  }
  *state->mutable_findings() = std::move(*view.mutable_findings());
  *state->mutable_verdict_differences() =
      std::move(*view.mutable_verdict_differences());
  *state->mutable_nat_class() = std::move(*view.mutable_nat_class());
  state->set_nat_class_source(view.nat_class_source());
  if (view.has_stun_discovery()) {
    *state->mutable_stun_discovery() = std::move(*view.mutable_stun_discovery());
  }
}

}  // namespace natscope::server
