#include "analyzer/evidence/findings.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/evidence/address_class.h"

namespace natscope::analyzer {
namespace {

constexpr char kCheckConnectorFirst[] =
    "Check the connector side first: if the connector has UDP and QUIC "
    "allowed and an endpoint-independent NAT or a public address, "
    "peer-to-peer can still work. Make sure this host may send UDP to any "
    "address and any port. ";

std::optional<net::SocketAddress> IpOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto address = ParseIpOrEndpoint(text);
  if (!address.ok()) return std::nullopt;
  return address->WithPort(0);
}

bool IsPrivateOrCgnat(AddressClass c) {
  return c == AddressClass::kPrivate || c == AddressClass::kCgnat;
}

// Documentation ranges stand in for the internet in labs.
bool IsPublicLike(AddressClass c) {
  return c == AddressClass::kPublic || c == AddressClass::kDocumentation;
}

std::string Describe(AddressClass c) {
  switch (c) {
    case AddressClass::kCgnat:
      return "a carrier-grade NAT address (100.64.0.0/10)";
    case AddressClass::kPrivate:
      return "a private address";
    default:
      return absl::StrCat("a ", AddressClassName(c), " address");
  }
}

struct Hop {
  const v1::HopObservation* hop;
  int position;  // 1-based in report.hops
  AddressClass cls;
};

std::vector<Hop> AnsweredHops(const v1::ProbeReport& report) {
  std::vector<Hop> hops;
  for (int i = 0; i < report.hops_size(); ++i) {
    const v1::HopObservation& h = report.hops(i);
    std::optional<net::SocketAddress> ip = IpOf(h.address());
    if (!ip) continue;
    hops.push_back(Hop{&h, i + 1, ClassifyAddress(*ip)});
  }
  return hops;
}

std::string HopText(const Hop& h) {
  return absl::StrCat("hop ", h.position, " (ttl ", h.hop->ttl(), ") is ",
                      h.hop->address(), ", ", Describe(h.cls));
}

std::string GatewayText(const v1::GatewayObservation& g) {
  return absl::StrCat("the gateway ", g.gateway(), " (", g.protocol(),
                      ") reports its external address as ",
                      g.external_address());
}

// Distinct IPs the STUN servers saw, with the first "ip:port" that showed
// each.
std::vector<std::pair<net::SocketAddress, std::string>> MappedIps(
    const v1::ProbeReport& report) {
  std::vector<std::pair<net::SocketAddress, std::string>> out;
  auto add = [&out](const std::string& text) {
    std::optional<net::SocketAddress> ip = IpOf(text);
    if (!ip) return;
    for (const auto& seen : out) {
      if (seen.first == *ip) return;
    }
    out.emplace_back(*ip, text);
  };
  add(report.public_address());
  for (const v1::StunObservation& o : report.observations()) {
    if (o.answered()) add(o.mapped_address());
  }
  return out;
}

void Emit(v1::FindingCode code, v1::Severity severity, std::string summary,
          std::vector<std::string> evidence, std::string remediation,
          v1::ProbeReport* report) {
  if (evidence.empty()) return;
  v1::Finding* f = report->add_findings();
  f->set_code(code);
  f->set_severity(severity);
  f->set_summary(std::move(summary));
  for (std::string& e : evidence) f->add_evidence(std::move(e));
  f->set_remediation(std::move(remediation));
}

void AddCgnat(const std::vector<Hop>& hops, v1::ProbeReport* report) {
  std::vector<std::string> evidence;
  for (const auto& [ip, text] : MappedIps(*report)) {
    if (ClassifyAddress(ip) != AddressClass::kCgnat) continue;
    evidence.push_back(absl::StrCat("the STUN server saw this host as ", text,
                                    ", ", Describe(AddressClass::kCgnat)));
  }
  for (const Hop& h : hops) {
    if (h.cls == AddressClass::kCgnat) evidence.push_back(HopText(h));
  }
  for (const v1::GatewayObservation& g : report->gateways()) {
    std::optional<net::SocketAddress> ip = IpOf(g.external_address());
    if (ip && ClassifyAddress(*ip) == AddressClass::kCgnat) {
      evidence.push_back(
          absl::StrCat(GatewayText(g), ", ", Describe(AddressClass::kCgnat)));
    }
  }
  Emit(v1::FINDING_CGNAT, v1::SEVERITY_WARNING,
       "This host is behind carrier-grade NAT: its internet provider shares "
       "one public address among many customers, which often breaks "
       "peer-to-peer",
       std::move(evidence),
       absl::StrCat(kCheckConnectorFirst,
                    "Then ask the internet provider for a public IPv4 address "
                    "(often sold as a static or dedicated IP, or as opting out "
                    "of CGNAT), or use IPv6 or another uplink; you cannot "
                    "configure the carrier's NAT yourself."),
       report);
}

std::vector<std::string> GatewayDoubleNatEvidence(const v1::ProbeReport& report,
                                                  bool* gateway_is_only_nat) {
  std::vector<std::string> evidence;
  const auto mapped = MappedIps(report);
  for (const v1::GatewayObservation& g : report.gateways()) {
    std::optional<net::SocketAddress> ip = IpOf(g.external_address());
    if (!g.answered() || !ip) continue;
    const AddressClass cls = ClassifyAddress(*ip);
    if (IsPrivateOrCgnat(cls)) {
      evidence.push_back(
          absl::StrCat(GatewayText(g), ", ", Describe(cls),
                       ": the gateway is itself behind another NAT"));
      continue;
    }
    for (const auto& [mapped_ip, text] : mapped) {
      if (mapped_ip.family() != ip->family()) continue;
      if (mapped_ip == *ip) {
        *gateway_is_only_nat = true;
      } else if (IsPublicLike(ClassifyAddress(mapped_ip))) {
        evidence.push_back(absl::StrCat(
            GatewayText(g), " but the STUN server saw this host as ", text,
            ": another NAT translates after the gateway"));
      }
    }
  }
  return evidence;
}

std::vector<std::string> HopDoubleNatEvidence(const std::vector<Hop>& hops) {
  std::vector<const Hop*> inner;
  std::vector<std::string> seen;
  for (const Hop& h : hops) {
    if (IsPublicLike(h.cls)) break;
    if (!IsPrivateOrCgnat(h.cls)) continue;
    if (std::find(seen.begin(), seen.end(), h.hop->address()) != seen.end()) {
      continue;
    }
    seen.push_back(h.hop->address());
    inner.push_back(&h);
  }
  if (inner.size() < 2) return {};
  std::vector<std::string> evidence;
  for (const Hop* h : inner) evidence.push_back(HopText(*h));
  evidence.push_back(absl::StrCat(
      "the path crosses ", inner.size(),
      " private or carrier-grade NAT routers before the first public one; a "
      "single NAT shows one (the home or office router), each further one "
      "is likely another NAT layer"));
  return evidence;
}

void AddDoubleNat(const std::vector<Hop>& hops, v1::ProbeReport* report) {
  bool gateway_is_only_nat = false;
  std::vector<std::string> evidence =
      GatewayDoubleNatEvidence(*report, &gateway_is_only_nat);
  if (report->mapping_behavior() != v1::MAPPING_NO_NAT &&
      !gateway_is_only_nat) {
    for (std::string& e : HopDoubleNatEvidence(hops)) {
      evidence.push_back(std::move(e));
    }
  }
  Emit(v1::FINDING_DOUBLE_NAT, v1::SEVERITY_WARNING,
       "This host is behind two NAT devices (double NAT); peer-to-peer "
       "through two layers of address translation is brittle and often "
       "fails",
       std::move(evidence),
       absl::StrCat(kCheckConnectorFirst,
                    "Then remove one NAT layer: put the internet provider's "
                    "modem or router in bridge mode, or your own router in "
                    "access-point (bridge) mode, so that only one device "
                    "translates addresses. If both must stay, put the inner "
                    "router in the outer router's DMZ (exposed host)."),
       report);
}

const char* MappingText(v1::MappingBehavior m) {
  switch (m) {
    case v1::MAPPING_ADDRESS_DEPENDENT:
      return "address-dependent";
    case v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      return "address-and-port-dependent";
    default:
      return "endpoint-independent or unknown";
  }
}

void AddAwsNatGateway(const v1::AwsMatch& aws, v1::ProbeReport* report) {
  const v1::MappingBehavior m = report->mapping_behavior();
  const bool dependent = m == v1::MAPPING_ADDRESS_DEPENDENT ||
                         m == v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT;
  if (!dependent || !report->has_port_preserved() || report->port_preserved()) {
    return;
  }
  std::vector<std::string> evidence = {
      absl::StrCat("the public address ", report->public_address(),
                   " is inside AWS prefix ", aws.prefix(), " (", aws.service(),
                   ", region ", aws.region(), ", border group ",
                   aws.network_border_group(), ") of AWS's ranges dated ",
                   aws.ranges_date()),
      absl::StrCat("the mapping is ", MappingText(m),
                   ": the public port changes with the destination"),
      absl::StrCat("the NAT did not keep the local port: local ",
                   report->local_address(), ", public ",
                   report->public_address()),
  };
  Emit(v1::FINDING_AWS_NAT_GATEWAY, v1::SEVERITY_CRITICAL,
       "This host reaches the internet through an AWS NAT gateway, which "
       "gives every destination a different public port; peer-to-peer cannot "
       "work and traffic will go through relays",
       std::move(evidence),
       "Check the connector side first: this is usually the connector's "
       "subnet. Make sure its security group and network ACL allow outbound "
       "UDP to any address and any port. An AWS NAT gateway cannot be "
       "configured for endpoint-independent mapping, so either move the "
       "connector to a public subnet (a route to an internet gateway) with a "
       "public or Elastic IP address, or replace the NAT gateway for its "
       "subnet with a NAT instance (an EC2 instance that masquerades with "
       "endpoint-independent mapping, i.e. without port randomisation).",
       report);
}

}  // namespace

void AddPathFindings(const std::optional<v1::AwsMatch>& aws,
                     v1::ProbeReport* report) {
  auto* findings = report->mutable_findings();
  for (int i = findings->size() - 1; i >= 0; --i) {
    const v1::FindingCode code = findings->Get(i).code();
    if (code == v1::FINDING_CGNAT || code == v1::FINDING_DOUBLE_NAT ||
        code == v1::FINDING_AWS_NAT_GATEWAY) {
      findings->DeleteSubrange(i, 1);
    }
  }
  const std::vector<Hop> hops = AnsweredHops(*report);
  AddCgnat(hops, report);
  AddDoubleNat(hops, report);
  // Replaced, not merged: ranges reloaded without the prefix unmatch it.
  report->clear_aws();
  if (aws) {
    *report->mutable_aws() = *aws;
    AddAwsNatGateway(*aws, report);
  }
}

void AddPathFindings(const AwsRanges* ranges, v1::ProbeReport* report) {
  std::optional<v1::AwsMatch> aws;
  std::optional<net::SocketAddress> ip = IpOf(report->public_address());
  if (ranges != nullptr && ip) aws = ranges->Lookup(*ip);
  AddPathFindings(aws, report);
  // Said even without a match: "not AWS" is only as good as the ranges'
  // date.
  report->set_aws_ranges_date(ranges != nullptr ? ranges->create_date() : "");
  report->set_aws_ranges_source(ranges != nullptr ? ranges->source() : "");
}

}  // namespace natscope::analyzer
