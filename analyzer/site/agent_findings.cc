#include "analyzer/site/agent_findings.h"

#include <algorithm>
#include <string>

#include "analyzer/classify_probe.h"

namespace natscope::analyzer {
namespace {

bool StunUnavailable(const v1::AgentView& view, const AgentEvidence& e,
                     v1::Finding* out) {
  if (view.identity().role() != v1::ROLE_CONNECTOR ||
      view.stun_discovery().state() != v1::STUN_DISCOVERY_UNAVAILABLE) {
    return false;
  }
  out->set_code(v1::FINDING_STUN_DISCOVERY_UNAVAILABLE);
  out->set_severity(v1::SEVERITY_CRITICAL);
  out->set_summary(
      "STUN discovery is unavailable on this connector: clients cannot learn "
      "its public address and port, so its tunnels are relayed");
  *out->mutable_evidence() = view.stun_discovery().evidence();
  out->set_remediation(
      "Allow this connector to send UDP (including QUIC) to any address and "
      "port, then check that the admin console reports STUN Discovery as "
      "Available for it.");
  out->set_source(view.stun_discovery().source());
  // Relay errors are counted over the last day; a NAT type line alone is
  // as strong as its age.
  if (out->source() == v1::EVIDENCE_SOURCE_LOG) {
    out->set_confidence(e.relay_listener_errors + e.relay_unavailable > 0
                            ? v1::CONFIDENCE_MEDIUM
                            : e.log_confidence);
  }
  return true;
}

// The same words as the probe's finding (analyzer/classify_probe.cc), told
// from the product's log.
bool LogEndpointDependent(const v1::AgentView& view, const AgentEvidence& e,
                          v1::Finding* out) {
  if (view.nat_class_source() != v1::EVIDENCE_SOURCE_LOG ||
      e.log != LogNat::kDependent) {
    return false;
  }
  out->set_code(v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
  out->set_severity(v1::SEVERITY_CRITICAL);
  out->set_summary(
      "The product's own log says the NAT in front of this host is "
      "endpoint-dependent: it gives a different public port to every "
      "destination, so peers cannot predict where to reach it and traffic "
      "falls back to relays");
  out->add_evidence(e.log_line);
  out->add_evidence(
      "no fresh probe: the mapping comes from the product's log alone (with "
      "probe.stun_servers set, natscope-agent measures mapping and "
      "filtering itself)");
  out->set_remediation(kEndpointDependentRemediation);
  out->set_source(v1::EVIDENCE_SOURCE_LOG);
  out->set_confidence(e.log_confidence);
  return true;
}

void AddOnce(const std::string& line, v1::Finding* out) {
  if (std::find(out->evidence().begin(), out->evidence().end(), line) ==
      out->evidence().end()) {
    out->add_evidence(line);
  }
}

bool Disagree(const v1::AgentView& view, const AgentEvidence& e,
              v1::Finding* out) {
  const bool nat = view.nat_class_source() == v1::EVIDENCE_SOURCE_BOTH_DISAGREE;
  const bool stun =
      view.stun_discovery().source() == v1::EVIDENCE_SOURCE_BOTH_DISAGREE;
  if (!nat && !stun) return false;
  out->set_code(v1::FINDING_LOG_PROBE_DISAGREE);
  out->set_severity(v1::SEVERITY_WARNING);
  out->set_summary(
      nat ? "The product's log reports a different NAT type than the probe "
            "measured"
          : "The product's log reports STUN discovery failing where the "
            "probe got STUN answers, or the reverse");
  if (nat) {
    AddOnce(e.log_line, out);
    AddOnce(ProbeMappingEvidence(view.probe()), out);
  }
  if (stun) {
    for (const std::string& line : view.stun_discovery().evidence()) {
      AddOnce(line, out);
    }
  }
  out->set_remediation(
      "The network may have changed between the two, or the host reaches "
      "the internet through different paths (VPN, several uplinks, a NAT "
      "that behaves differently per destination, outbound rules that let "
      "only some STUN servers through). The probe's verdict is used. Probe "
      "again and compare the product's next stun_nat_type line.");
  out->set_source(v1::EVIDENCE_SOURCE_BOTH_DISAGREE);
  return true;
}

bool RestsOnProbe(v1::EvidenceSource source) {
  return source == v1::EVIDENCE_SOURCE_PROBE ||
         source == v1::EVIDENCE_SOURCE_BOTH_AGREE ||
         source == v1::EVIDENCE_SOURCE_BOTH_DISAGREE;
}

}  // namespace

std::vector<v1::Finding> DeriveAgentFindings(const v1::AgentView& view,
                                             const AgentEvidence& evidence) {
  std::vector<v1::Finding> out;
  v1::Finding f;
  if (StunUnavailable(view, evidence, &f)) out.push_back(std::move(f));
  f.Clear();
  if (LogEndpointDependent(view, evidence, &f)) out.push_back(std::move(f));
  f.Clear();
  if (Disagree(view, evidence, &f)) out.push_back(std::move(f));
  return out;
}

std::vector<v1::Finding> AgentFindingsOf(const v1::AgentView& view) {
  std::vector<v1::Finding> out;
  if (view.has_probe() && RestsOnProbe(view.nat_class_source())) {
    for (v1::Finding f : view.probe().findings()) {
      f.set_source(f.code() == v1::FINDING_ENDPOINT_DEPENDENT_MAPPING
                       ? view.nat_class_source()
                       : v1::EVIDENCE_SOURCE_PROBE);
      out.push_back(std::move(f));
    }
  }
  out.insert(out.end(), view.derived_findings().begin(),
             view.derived_findings().end());
  return out;
}

}  // namespace natscope::analyzer
