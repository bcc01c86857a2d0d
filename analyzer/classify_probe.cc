#include "analyzer/classify_probe.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/reported_nat_type.h"

namespace natscope::analyzer {
namespace {

void AddUdpBlocked(v1::ProbeReport* report) {
  v1::Finding* finding = report->add_findings();
  finding->set_code(v1::FINDING_UDP_BLOCKED);
  finding->set_severity(v1::SEVERITY_CRITICAL);
  finding->set_summary(
      "UDP is blocked: no STUN server answered, so peer-to-peer cannot work "
      "and traffic will go through relays");
  for (const v1::StunObservation& o : report->observations()) {
    finding->add_evidence(absl::StrCat(
        "no answer from ", o.server(), " to ", o.transmissions(),
        " transmission(s) from ", o.local_address(),
        o.error().empty() ? "" : absl::StrCat(" (", o.error(), ")")));
  }
  finding->set_remediation(
      "Allow outbound UDP from this host to any IP address and any port, and "
      "the replies back (stateful). Check the connector side first: its "
      "firewall or security group must not drop UDP or QUIC.");
}

void AddEndpointDependent(const std::vector<const v1::StunObservation*>& seen,
                          v1::ProbeReport* report) {
  v1::Finding* finding = report->add_findings();
  finding->set_code(v1::FINDING_ENDPOINT_DEPENDENT_MAPPING);
  finding->set_severity(v1::SEVERITY_CRITICAL);
  finding->set_summary(
      "The NAT in front of this host is endpoint-dependent: it gives a "
      "different public port to every destination, so peers cannot reach it "
      "directly");
  for (const v1::StunObservation* o : seen) {
    finding->add_evidence(absl::StrCat(o->server(), " saw ", o->mapped_address(),
                                       " from ", o->local_address()));
  }
  finding->set_remediation(
      "Configure the NAT or firewall for endpoint-independent mapping for "
      "this host (often called static port, full-cone or \"no port "
      "randomisation\"), or give the host a public address. An AWS NAT "
      "gateway cannot do this: use a NAT instance or a public subnet.");
}

}  // namespace

void ClassifyProbe(v1::ProbeReport* report) {
  std::vector<const v1::StunObservation*> answered;
  for (const v1::StunObservation& o : report->observations()) {
    if (o.answered() && !o.mapped_address().empty()) answered.push_back(&o);
  }
  report->clear_findings();
  report->set_udp_reachable(!answered.empty());
  if (answered.empty()) {
    report->set_mapping_behavior(v1::MAPPING_UNKNOWN);
    if (report->observations_size() > 0) AddUdpBlocked(report);
  } else {
    const v1::StunObservation& first = *answered.front();
    report->set_public_address(first.mapped_address());
    report->set_local_address(first.local_address());
    // Mappings from one local socket to servers at distinct addresses.
    std::vector<const v1::StunObservation*> same_socket;
    for (const v1::StunObservation* o : answered) {
      if (o->local_address() == first.local_address()) same_socket.push_back(o);
    }
    bool differs = false;
    for (const v1::StunObservation* o : same_socket) {
      differs |= o->mapped_address() != first.mapped_address();
    }
    if (first.mapped_address() == first.local_address()) {
      report->set_mapping_behavior(v1::MAPPING_NO_NAT);
    } else if (differs) {
      report->set_mapping_behavior(v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
      AddEndpointDependent(same_socket, report);
    } else if (same_socket.size() >= 2) {
      report->set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
    } else {
      report->set_mapping_behavior(v1::MAPPING_UNKNOWN);
    }
  }
  report->set_classic_nat_type(std::string(
      ClassicNatName(report->mapping_behavior(), report->filtering_behavior())));
}

}  // namespace natscope::analyzer
