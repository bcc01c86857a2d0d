// Findings the server derives for one agent: from the product's log alone,
// from comparing the log with the probe, and from a connector's STUN
// discovery; and the one list of an agent's findings the site aggregates.
// Every finding carries its source (Finding.source). Pure.
#ifndef NATSCOPE_ANALYZER_SITE_AGENT_FINDINGS_H_
#define NATSCOPE_ANALYZER_SITE_AGENT_FINDINGS_H_

#include <vector>

#include "analyzer/site/nat_evidence.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

// Reads `evidence` and view.identity(), probe(), nat_class_source() and
// stun_discovery() (set before the call) and returns, in this order:
// - FINDING_STUN_DISCOVERY_UNAVAILABLE (critical), connectors only, when
//   stun_discovery is UNAVAILABLE: its evidence and source.
// - FINDING_ENDPOINT_DEPENDENT_MAPPING (critical, source LOG), when
//   nat_class rests on the log alone and the log says
//   "endpoint-dependent": the line and its time; CONFIDENCE_MEDIUM, or
//   LOW for a line older than log_fresh_for.
// - FINDING_LOG_PROBE_DISAGREE (warning, source BOTH_DISAGREE), when
//   nat_class_source or the STUN discovery's source is BOTH_DISAGREE: what
//   each said (the probe's verdict is the one used).
std::vector<v1::Finding> DeriveAgentFindings(const v1::AgentView& view,
                                             const AgentEvidence& evidence);

// AgentView.findings: the probe's findings when nat_class rests on the
// probe (source PROBE; FINDING_ENDPOINT_DEPENDENT_MAPPING takes
// nat_class_source, so a log saying the same makes it BOTH_AGREE), then
// derived_findings. Reads the view's probe, nat_class_source and
// derived_findings.
std::vector<v1::Finding> AgentFindingsOf(const v1::AgentView& view);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_AGENT_FINDINGS_H_
