#include "analyzer/classify_probe.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/confidence.h"
#include "analyzer/nat_behavior.h"
#include "analyzer/outbound_rules.h"
#include "analyzer/reported_nat_type.h"

namespace natscope::analyzer {
namespace {

v1::Finding* Add(v1::ProbeReport* report, v1::FindingCode code,
                 v1::Severity severity, std::string summary,
                 std::string remediation) {
  v1::Finding* finding = report->add_findings();
  finding->set_code(code);
  finding->set_severity(severity);
  finding->set_summary(std::move(summary));
  finding->set_remediation(std::move(remediation));
  return finding;
}

void AddUdpBlocked(v1::ProbeReport* report) {
  v1::Finding* f = Add(
      report, v1::FINDING_UDP_BLOCKED, v1::SEVERITY_CRITICAL,
      "UDP is blocked: no STUN server answered, so peer-to-peer cannot work "
      "and traffic will go through relays",
      "Allow outbound UDP from this host to any IP address and any port, and "
      "the replies back (stateful). Check the connector side first: its "
      "firewall or security group must not drop UDP or QUIC.");
  for (const v1::StunObservation& o : report->observations()) {
    f->add_evidence(absl::StrCat("no answer from ", o.server(), " to ",
                                 o.transmissions(), " transmission(s) from ",
                                 o.local_address(),
                                 o.error().empty() ? "" : absl::StrCat(" (", o.error(), ")")));
  }
}

void AddEndpointDependent(const MappingVerdict& mapping, v1::ProbeReport* report) {
  v1::Finding* f = Add(
      report, v1::FINDING_ENDPOINT_DEPENDENT_MAPPING, v1::SEVERITY_CRITICAL,
      "The NAT in front of this host is endpoint-dependent: it gives a "
      "different public port to every destination, so peers cannot predict "
      "where to reach it and traffic falls back to relays",
      kEndpointDependentRemediation);
  f->add_evidence(mapping.reason);
  for (const v1::StunObservation& o : report->observations()) {
    if ((o.test() == "binding" || o.test().rfind("mapping-", 0) == 0) && o.answered()) {
      f->add_evidence(absl::StrCat(o.test(), ": ", o.server(), " saw ",
                                   o.mapped_address(), " from ", o.local_address()));
    }
  }
}

void AddQuicBlocked(v1::ProbeReport* report) {
  v1::Finding* f = Add(
      report, v1::FINDING_QUIC_BLOCKED, v1::SEVERITY_CRITICAL,
      "QUIC is blocked: UDP works, but a QUIC endpoint did not answer",
      "Allow QUIC (UDP with QUIC packets, typically to port 443 and to "
      "peers' random ports) through the firewall; overzealous firewalls "
      "block it by default. Check the connector side first.");
  f->add_evidence(absl::StrCat(report->quic().server(), ": ", report->quic().detail()));
}

// Drops findings this function derives, keeping those of other analyses.
void ClearOwnFindings(v1::ProbeReport* report) {
  auto* findings = report->mutable_findings();
  for (int i = findings->size() - 1; i >= 0; --i) {
    const v1::FindingCode code = findings->Get(i).code();
    if (code == v1::FINDING_UDP_BLOCKED || code == v1::FINDING_QUIC_BLOCKED ||
        code == v1::FINDING_OUTBOUND_PORTS_RESTRICTED ||
        code == v1::FINDING_OUTBOUND_IPS_RESTRICTED ||
        code == v1::FINDING_ENDPOINT_DEPENDENT_MAPPING) {
      findings->DeleteSubrange(i, 1);
    }
  }
}

void WarnAboutServers(v1::ProbeReport* report) {
  for (const v1::StunObservation& o : report->observations()) {
    if (o.test() != "binding" || o.other_address().empty()) continue;
    if (EndpointIp(o.other_address()) == EndpointIp(o.server())) {
      report->add_warnings(absl::StrCat(
          "STUN server ", o.server(), " gives OTHER-ADDRESS ", o.other_address(),
          " on its own IP: its RFC 5780 tests cannot tell address-dependent "
          "behaviour and give false verdicts; configure a second IP on it"));
    }
  }
}

}  // namespace

void ClassifyProbe(v1::ProbeReport* report) {
  ClearOwnFindings(report);
  report->clear_warnings();
  const v1::StunObservation* first = nullptr;
  for (const v1::StunObservation& o : report->observations()) {
    if (o.test() == "binding" && o.answered() && !o.mapped_address().empty()) {
      first = &o;
      break;
    }
  }
  bool port_passed = false;
  for (const v1::PortCheck& c : report->port_checks()) port_passed |= c.passed();
  // A port that answered proves UDP works even if the STUN port did not.
  report->set_udp_reachable(first != nullptr || port_passed);
  const MappingVerdict mapping = MappingFrom(*report);
  const FilteringVerdict filtering = FilteringFrom(*report);
  report->set_mapping_behavior(mapping.behavior);
  report->set_filtering_behavior(filtering.behavior);
  report->set_mapping_confidence(MappingConfidence(*report, mapping));
  report->set_filtering_confidence(FilteringConfidence(*report, filtering));
  report->clear_port_preserved();
  if (first == nullptr) {
    if (report->observations_size() > 0 && !port_passed) AddUdpBlocked(report);
  } else {
    report->set_public_address(first->mapped_address());
    report->set_local_address(first->local_address());
    if (mapping.behavior != v1::MAPPING_NO_NAT) {
      report->set_port_preserved(EndpointPort(first->mapped_address()) ==
                                 EndpointPort(first->local_address()));
    }
    WarnAboutServers(report);
  }
  if (mapping.behavior == v1::MAPPING_ADDRESS_DEPENDENT ||
      mapping.behavior == v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT) {
    AddEndpointDependent(mapping, report);
  }
  AddOutboundFindings(report);
  if (report->has_quic() && report->udp_reachable() && !report->quic().answered()) {
    AddQuicBlocked(report);
  }
  report->set_quic_reachable(report->quic().answered());
  if (!report->has_quic()) report->clear_quic_reachable();
  report->set_classic_nat_type(std::string(
      ClassicNatName(report->mapping_behavior(), report->filtering_behavior())));
  SetFindingConfidence(report);
}

void SetFindingConfidence(v1::ProbeReport* report) {
  for (v1::Finding& f : *report->mutable_findings()) {
    if (f.confidence() == v1::CONFIDENCE_UNSPECIFIED) {
      f.set_confidence(FindingConfidence(*report, f.code()));
    }
  }
}

}  // namespace natscope::analyzer
