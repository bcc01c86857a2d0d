#include "analyzer/outbound_rules.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analyzer/nat_behavior.h"

namespace natscope::analyzer {
namespace {

bool Open(const v1::FirewalkCheck& c) {
  return c.verdict() == v1::FIREWALK_PASSED ||
         c.verdict() == v1::FIREWALK_NOT_LISTENING;
}

bool Closed(const v1::FirewalkCheck& c) {
  return c.verdict() == v1::FIREWALK_DROPPED ||
         c.verdict() == v1::FIREWALK_REJECTED;
}

// One line per firewalking check that decided something.
std::string WalkEvidence(const v1::FirewalkCheck& c) {
  std::string what;
  switch (c.verdict()) {
    case v1::FIREWALK_PASSED:
      what = absl::StrCat("passed (", c.responder(), " answered)");
      break;
    case v1::FIREWALK_NOT_LISTENING:
      what = absl::StrCat("path open, nothing listens (port unreachable from ",
                          c.responder(), ")");
      break;
    case v1::FIREWALK_REJECTED:
      what = absl::StrCat("refused by ", c.responder());
      break;
    default:
      what = absl::StrCat("dropped (silent to ", c.transmissions(),
                          " tries while the server's own port, sent after "
                          "each, was answered ",
                          c.sibling(), ")");
  }
  return absl::StrCat("firewalking ", c.destination(), " with TTL ", c.ttl(),
                      ": ", what);
}

v1::Finding* Add(v1::ProbeReport* report, v1::FindingCode code,
                 std::string summary, std::string remediation) {
  v1::Finding* f = report->add_findings();
  f->set_code(code);
  f->set_severity(v1::SEVERITY_CRITICAL);
  f->set_summary(std::move(summary));
  f->set_remediation(std::move(remediation));
  return f;
}

void AddPorts(v1::ProbeReport* report) {
  std::vector<std::string> stun_passed, stun_blocked, evidence;
  for (const v1::PortCheck& c : report->port_checks()) {
    if (c.not_served() || c.inconclusive()) continue;
    (c.passed() ? stun_passed : stun_blocked).push_back(absl::StrCat(c.port()));
  }
  // The STUN server answered test I on its own port: that port is open
  // whether or not the port check lists it.
  for (const v1::StunObservation& o : report->observations()) {
    if (o.test() != "binding" || !o.answered()) continue;
    const std::string port = EndpointPort(o.server());
    if (std::find(stun_passed.begin(), stun_passed.end(), port) ==
        stun_passed.end()) {
      stun_passed.push_back(port);
    }
    break;
  }
  std::vector<std::string> open = stun_passed, blocked = stun_blocked;
  const bool by_stun = !stun_blocked.empty();
  bool by_walk = false;
  for (const v1::FirewalkCheck& c : report->firewalk()) {
    if (c.kind() != "port" || !(Open(c) || Closed(c))) continue;
    const std::string port = EndpointPort(c.destination());
    (Open(c) ? open : blocked).push_back(port);
    by_walk |= Closed(c);
    evidence.push_back(WalkEvidence(c));
  }
  if (open.empty() || blocked.empty()) return;
  const char* method = by_stun && by_walk ? "STUN port check and firewalking"
                       : by_walk          ? "firewalking"
                                          : "STUN port check";
  v1::Finding* f = Add(
      report, v1::FINDING_OUTBOUND_PORTS_RESTRICTED,
      absl::StrCat("Outbound UDP is restricted to some destination ports: ",
                   absl::StrJoin(blocked, ", "), " blocked (", method, ")"),
      "Allow outbound UDP to any destination port (and any IP address): "
      "NATs pick random public ports, so a peer's port cannot be known in "
      "advance. Check the connector side first.");
  if (!stun_passed.empty()) {
    f->add_evidence(absl::StrCat("UDP answered on port(s) ",
                                 absl::StrJoin(stun_passed, ", ")));
  }
  if (!stun_blocked.empty()) {
    f->add_evidence(absl::StrCat(
        "no answer, no ICMP error on port(s) ", absl::StrJoin(stun_blocked, ", "),
        " that the server says it serves"));
  }
  for (std::string& line : evidence) f->add_evidence(std::move(line));
}

void AddDestinations(v1::ProbeReport* report) {
  std::vector<std::string> blocked, evidence;
  for (const v1::FirewalkCheck& c : report->firewalk()) {
    if (c.kind() != "destination" || !(Open(c) || Closed(c))) continue;
    if (Closed(c)) blocked.push_back(EndpointIp(c.destination()));
    evidence.push_back(WalkEvidence(c));
  }
  if (blocked.empty() || report->public_address().empty()) return;
  v1::Finding* f = Add(
      report, v1::FINDING_OUTBOUND_IPS_RESTRICTED,
      absl::StrCat("Outbound UDP is restricted to some destination "
                   "addresses: ",
                   absl::StrJoin(blocked, ", "), " blocked (firewalking)"),
      "Allow outbound UDP to any destination address, not only to the "
      "product's own servers: a peer's public address cannot be listed in "
      "advance. Check the connector side first.");
  for (const v1::StunObservation& o : report->observations()) {
    if (o.test() == "binding" && o.answered()) {
      f->add_evidence(absl::StrCat("UDP reaches ", o.server(), " (STUN answered)"));
      break;
    }
  }
  for (std::string& line : evidence) f->add_evidence(std::move(line));
}

}  // namespace

void AddOutboundFindings(v1::ProbeReport* report) {
  AddPorts(report);
  AddDestinations(report);
}

}  // namespace natscope::analyzer
