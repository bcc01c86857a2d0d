// What one agent's verdicts rest on, as `natscope agent ID` prints it: its
// NAT class and source (probe, log, or both agreeing or not), a
// connector's STUN discovery, and its findings with their sources.
#include <string>

#include "absl/strings/str_cat.h"
#include "analyzer/verdict_names.h"
#include "server/cli/format.h"

namespace natscope::server {

std::string FormatAgentAnalysis(const v1::AgentState& agent) {
  if (!agent.has_nat_class()) return "";
  std::string out = absl::StrCat(
      "NAT class: ", agent.nat_class().label(),
      "\n  rests on: ", analyzer::SourceName(agent.nat_class_source()), "\n");
  if (agent.has_stun_discovery()) {
    const v1::StunDiscovery& stun = agent.stun_discovery();
    absl::StrAppend(
        &out, "STUN discovery: ", analyzer::StunDiscoveryName(stun.state()),
        " (", analyzer::SourceName(stun.source()), ")\n");
    for (const std::string& e : stun.evidence()) {
      absl::StrAppend(&out, "  evidence: ", e, "\n");
    }
  }
  if (agent.findings().empty()) return out + "Findings: none\n";
  absl::StrAppend(&out, "Findings:\n");
  for (const v1::Finding& f : agent.findings()) {
    absl::StrAppend(&out, "  ", analyzer::FindingToken(f.code()), " (",
                    analyzer::SourceName(f.source()), "): ", f.summary(), "\n");
    for (const std::string& e : f.evidence()) {
      absl::StrAppend(&out, "      evidence: ", e, "\n");
    }
  }
  return out;
}

}  // namespace natscope::server
