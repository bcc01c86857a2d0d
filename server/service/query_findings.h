// Lists of findings as the QueryService answers them (query_findings.cc):
// one AgentFinding per agent and finding, worst first.
#ifndef NATSCOPE_SERVER_SERVICE_QUERY_FINDINGS_H_
#define NATSCOPE_SERVER_SERVICE_QUERY_FINDINGS_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_field.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/query.pb.h"

namespace natscope::server {

// One entry of `out` per finding of `agent`.
void AppendFindings(const v1::AgentState& agent,
                    const google::protobuf::RepeatedPtrField<v1::Finding>& findings,
                    google::protobuf::RepeatedPtrField<v1::AgentFinding>* out);

// The site analysis's findings that no agent's own list in `out` carries
// (those decided for the site, such as relayed-despite-compatible), one
// entry per affected agent with that agent's evidence; a finding that
// names no agent is one entry for the site (empty agent_id).
void AppendSiteFindings(absl::string_view site,
                        const std::vector<v1::AgentState>& agents,
                        const v1::SiteHealthView& view,
                        google::protobuf::RepeatedPtrField<v1::AgentFinding>* out);

// Worst severity first, then site, then agent id.
void SortFindings(google::protobuf::RepeatedPtrField<v1::AgentFinding>* findings);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_QUERY_FINDINGS_H_
