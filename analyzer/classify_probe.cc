#include "analyzer/classify_probe.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/confidence.h"
#include "analyzer/nat_behavior.h"
#include "analyzer/outbound_rules.h"
#include "analyzer/reported_nat_type.h"
#include "analyzer/tcp_path.h"

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

constexpr char kRelays[] =
    "peer-to-peer cannot work and traffic will go through relays";
// What to allow, after "Allow" or "allow".
constexpr char kOutboundUdp[] =
    "outbound UDP from this host to any IP address and any port, and the "
    "replies back (stateful).";
constexpr char kConnectorToo[] =
    "its firewall or security group must not drop UDP or QUIC.";

// The evidence line of the STUN over TCP exchange.
std::string TcpEvidence(const v1::TcpStunObservation& o) {
  const std::string head = absl::StrCat(
      "STUN over TCP to ", o.server(),
      o.local_address().empty() ? "" : absl::StrCat(" from ", o.local_address()),
      ": ");
  switch (o.outcome()) {
    case v1::TCP_STUN_ANSWERED:
      return absl::StrCat(head, "answered, mapped ", o.mapped_address(),
                          absl::StrFormat(", rtt %.1f ms", o.rtt_micros() / 1000.0));
    case v1::TCP_STUN_REFUSED:
      return absl::StrCat(head, "connection refused: the host answered over "
                                "TCP, so the path to it exists");
    case v1::TCP_STUN_BAD_ANSWER:
      return absl::StrCat(head, "the host accepted the connection, so the path "
                                "to it exists, but gave no valid answer (",
                          o.error(), ")");
    default:
      return absl::StrCat(head, "nothing came back (", o.error(), ")");
  }
}

// Summary and remediation of UDP_BLOCKED: whether STUN over TCP shows that
// only UDP is dropped or that nothing reaches the server.
std::pair<std::string, std::string> UdpBlockedText(const TcpPathVerdict& tcp) {
  const std::string server = tcp.observation ? tcp.observation->server() : "";
  const std::string allow = absl::StrCat(
      "Allow ", kOutboundUdp, " Check the connector side first: ", kConnectorToo);
  switch (tcp.path) {
    case TcpPath::kAnswered:
      return {absl::StrCat("UDP is blocked: no STUN server answered over UDP, "
                           "but STUN over TCP to ", server, " answered (mapped ",
                           tcp.observation->mapped_address(),
                           "), so the path to the server exists and only UDP "
                           "is dropped; ", kRelays),
              allow};
    case TcpPath::kHostReached:
      return {absl::StrCat(
                  "UDP is blocked: no STUN server answered over UDP, but the "
                  "host of ", server, " answered over TCP (",
                  tcp.observation->outcome() == v1::TCP_STUN_REFUSED
                      ? "connection refused"
                      : "connected, but no valid STUN answer",
                  "), so the path to the server exists: UDP to it is "
                  "dropped, unless the STUN server itself is down; ", kRelays),
              allow};
    case TcpPath::kNothingReached:
      return {absl::StrCat("No STUN server answered, and nothing reaches the "
                           "STUN server over UDP or TCP: outbound traffic to "
                           "it is blocked or the server is down; if blocked, ",
                           kRelays),
              absl::StrCat("Check that the STUN server ", server,
                           " is up (probe it from another network). If it "
                           "is, allow ", kOutboundUdp, " Check the connector "
                           "side too: ", kConnectorToo)};
    default:
      return {absl::StrCat("UDP is blocked: no STUN server answered, so ",
                           kRelays),
              allow};
  }
}

void AddUdpBlocked(v1::ProbeReport* report) {
  const TcpPathVerdict tcp = TcpPathFrom(*report);
  auto [summary, remediation] = UdpBlockedText(tcp);
  v1::Finding* f = Add(report, v1::FINDING_UDP_BLOCKED, v1::SEVERITY_CRITICAL,
                       std::move(summary), std::move(remediation));
  for (const v1::StunObservation& o : report->observations()) {
    f->add_evidence(absl::StrCat("no answer from ", o.server(), " to ",
                                 o.transmissions(), " transmission(s) from ",
                                 o.local_address(),
                                 o.error().empty() ? "" : absl::StrCat(" (", o.error(), ")")));
  }
  if (tcp.observation != nullptr) f->add_evidence(TcpEvidence(*tcp.observation));
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
    if (o.test() == "binding" && o.classic_server()) {
      report->add_warnings(absl::StrCat(
          "STUN server ", o.server(), " answers as an RFC 3489 server (CHANGED-"
          "ADDRESS rather than RFC 5780's OTHER-ADDRESS, or no XOR-MAPPED-"
          "ADDRESS): ",
          o.other_address().empty()
              ? "it names no alternate address (CHANGED-ADDRESS), so mapping "
                "and filtering could not be tested"
              : "mapping and filtering were tested with its CHANGED-ADDRESS",
          "; it cannot answer RESPONSE-PORT, so the binding lifetime test "
          "(--lifetime) is not run against it"));
    }
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
