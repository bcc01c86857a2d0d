#include "analyzer/site/agent_findings.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analyzer/site/agent_view.h"
#include "analyzer/verdict_names.h"
#include "analyzer/site/pair_verdict.h"
#include "common/proto_time.h"

namespace natscope::analyzer {
namespace {

enum class Kind { kUnknown, kIndependent, kDependent };

Kind LogKind(const std::string& log_nat_type) {
  const std::string lower = absl::AsciiStrToLower(log_nat_type);
  if (lower == "endpoint-independent") return Kind::kIndependent;
  if (lower == "endpoint-dependent") return Kind::kDependent;
  return Kind::kUnknown;
}

Kind ProbeKind(const v1::ProbeSummary& probe) {
  if (!probe.udp_reachable()) return Kind::kUnknown;
  if (IsEndpointDependent(probe.mapping_behavior())) return Kind::kDependent;
  if (probe.mapping_behavior() == v1::MAPPING_ENDPOINT_INDEPENDENT ||
      probe.mapping_behavior() == v1::MAPPING_NO_NAT) {
    return Kind::kIndependent;
  }
  return Kind::kUnknown;
}

std::string LogEvidence(const v1::AgentView& view) {
  return absl::StrCat("the product's log at ",
                      FormatProtoTime(view.log_nat_type_time()),
                      " says stun_nat_type: ", view.log_nat_type());
}

std::string ProbeEvidence(const v1::ProbeSummary& probe) {
  return absl::StrCat(
      "the probe at ", FormatProtoTime(probe.time()), " measured ",
      MappingName(probe.mapping_behavior()), " mapping",
      probe.public_address().empty()
          ? ""
          : absl::StrCat(" (public address ", probe.public_address(), ")"));
}

bool StunUnavailable(const v1::AgentView& view, v1::Finding* out) {
  if (view.identity().role() != v1::ROLE_CONNECTOR) return false;
  const bool probe_silent = view.has_probe() && !view.probe().udp_reachable();
  const bool log_failed = LogSaysDiscoveryFailed(view.log_nat_type());
  if (!probe_silent && !log_failed) return false;
  out->set_code(v1::FINDING_STUN_DISCOVERY_UNAVAILABLE);
  out->set_severity(v1::SEVERITY_CRITICAL);
  out->set_summary(
      "STUN discovery is unavailable on this connector: clients cannot learn "
      "its public address and port, so its tunnels are relayed");
  if (probe_silent) {
    out->add_evidence(absl::StrCat("the probe at ",
                                   FormatProtoTime(view.probe().time()),
                                   " got no STUN answer over UDP"));
  }
  if (log_failed) out->add_evidence(LogEvidence(view));
  out->set_remediation(
      "Allow this connector to send UDP (including QUIC) to any address and "
      "port, then check that the admin console reports STUN Discovery as "
      "Available for it.");
  return true;
}

bool Disagree(const v1::AgentView& view, v1::Finding* out) {
  if (!view.has_probe()) return false;
  const Kind log = LogKind(view.log_nat_type());
  const Kind probe = ProbeKind(view.probe());
  if (log == Kind::kUnknown || probe == Kind::kUnknown || log == probe) {
    return false;
  }
  out->set_code(v1::FINDING_LOG_PROBE_DISAGREE);
  out->set_severity(v1::SEVERITY_WARNING);
  out->set_summary(
      "The product's log reports a different NAT type than the probe "
      "measured");
  out->add_evidence(LogEvidence(view));
  out->add_evidence(ProbeEvidence(view.probe()));
  out->set_remediation(
      "The network may have changed between the two, or the host reaches "
      "the internet through different paths (VPN, several uplinks, a NAT "
      "that behaves differently per destination). Probe again and compare "
      "the product's next stun_nat_type line.");
  return true;
}

}  // namespace

bool LogSaysDiscoveryFailed(const std::string& log_nat_type) {
  return absl::StartsWithIgnoreCase(log_nat_type, "unknown");
}

std::vector<v1::Finding> DeriveAgentFindings(const v1::AgentView& view) {
  std::vector<v1::Finding> out;
  v1::Finding f;
  if (StunUnavailable(view, &f)) out.push_back(std::move(f));
  f.Clear();
  if (Disagree(view, &f)) out.push_back(std::move(f));
  return out;
}

}  // namespace natscope::analyzer
