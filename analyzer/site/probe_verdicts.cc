#include "analyzer/site/probe_verdicts.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "analyzer/classify_probe.h"
#include "analyzer/evidence/findings.h"
#include "analyzer/reported_nat_type.h"
#include "analyzer/verdict_names.h"

namespace natscope::analyzer {
namespace {

const char* YesNo(bool b) { return b ? "yes" : "no"; }

std::string Quic(const v1::ProbeSummary& p) {
  if (!p.has_quic_reachable()) return "not tested";
  return p.quic_reachable() ? "reachable" : "blocked";
}

std::set<int> Codes(const v1::ProbeSummary& p) {
  std::set<int> codes;
  for (const v1::Finding& f : p.findings()) codes.insert(f.code());
  return codes;
}

void Differ(std::vector<std::string>* out, absl::string_view what,
            const std::string& agent, const std::string& server) {
  if (agent == server) return;
  out->push_back(absl::StrCat(what, ": agent said ", agent, ", server says ",
                              server));
}

}  // namespace

v1::ProbeReport Reclassify(const v1::ProbeReport& sent,
                           const AwsRanges* aws_ranges) {
  v1::ProbeReport report = sent;
  if (report.has_ipv6()) {
    *report.mutable_ipv6() = Reclassify(sent.ipv6(), aws_ranges);
  }
  if (report.observations().empty()) return report;
  ClassifyProbe(&report);
  AddPathFindings(aws_ranges, &report);
  SetFindingConfidence(&report);
  return report;
}

v1::ProbeSummary SummarizeProbe(const v1::ProbeReport& report) {
  v1::ProbeSummary out;
  *out.mutable_time() = report.time();
  out.set_mapping_behavior(report.mapping_behavior());
  out.set_filtering_behavior(report.filtering_behavior());
  out.set_classic_nat_type(
      report.classic_nat_type().empty()
          ? std::string(ClassicNatName(report.mapping_behavior(),
                                       report.filtering_behavior()))
          : report.classic_nat_type());
  out.set_udp_reachable(report.udp_reachable());
  if (report.has_quic_reachable()) {
    out.set_quic_reachable(report.quic_reachable());
  }
  out.set_public_address(report.public_address());
  *out.mutable_findings() = report.findings();
  out.set_mapping_confidence(report.mapping_confidence());
  out.set_filtering_confidence(report.filtering_confidence());
  if (report.has_ipv6()) *out.mutable_ipv6() = SummarizeProbe(report.ipv6());
  return out;
}

std::vector<std::string> VerdictDifferences(const v1::ProbeSummary& agent,
                                            const v1::ProbeSummary& server) {
  std::vector<std::string> out;
  Differ(&out, "UDP reachable", YesNo(agent.udp_reachable()),
         YesNo(server.udp_reachable()));
  Differ(&out, "mapping", MappingName(agent.mapping_behavior()),
         MappingName(server.mapping_behavior()));
  Differ(&out, "filtering", FilteringName(agent.filtering_behavior()),
         FilteringName(server.filtering_behavior()));
  Differ(&out, "QUIC", Quic(agent), Quic(server));
  const auto address = [](const v1::ProbeSummary& p) {
    return p.public_address().empty() ? std::string("none")
                                      : p.public_address();
  };
  Differ(&out, "public address", address(agent), address(server));
  const std::set<int> agent_codes = Codes(agent);
  const std::set<int> server_codes = Codes(server);
  for (int code : agent_codes) {
    if (server_codes.count(code) == 0) {
      out.push_back(absl::StrCat("finding ", FindingToken(static_cast<v1::FindingCode>(code)), ": agent only"));
    }
  }
  for (int code : server_codes) {
    if (agent_codes.count(code) == 0) {
      out.push_back(absl::StrCat("finding ", FindingToken(static_cast<v1::FindingCode>(code)), ": server only"));
    }
  }
  return out;
}

}  // namespace natscope::analyzer
