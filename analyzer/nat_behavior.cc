#include "analyzer/nat_behavior.h"

#include <vector>

#include "absl/strings/str_cat.h"

namespace natscope::analyzer {
namespace {

const v1::StunObservation* FirstAnsweredBinding(const v1::ProbeReport& report) {
  for (const v1::StunObservation& o : report.observations()) {
    if (o.test() == "binding" && o.answered() && !o.mapped_address().empty()) {
      return &o;
    }
  }
  return nullptr;
}

bool Answered(const v1::StunObservation* o) {
  return o != nullptr && o->answered() && o->error().empty();
}

MappingVerdict FromServers(const v1::ProbeReport& report,
                           const v1::StunObservation& first) {
  std::vector<const v1::StunObservation*> seen;
  for (const v1::StunObservation& o : report.observations()) {
    if (o.test() == "binding" && Answered(&o) &&
        o.local_address() == first.local_address() && o.server() != first.server()) {
      seen.push_back(&o);
    }
  }
  if (seen.empty()) {
    return {v1::MAPPING_UNKNOWN, true,
            "one STUN server without OTHER-ADDRESS cannot tell the mapping: "
            "give a second server or an RFC 5780 server"};
  }
  bool differs = false, same_ip_differs = false;
  for (const v1::StunObservation* o : seen) {
    if (o->mapped_address() == first.mapped_address()) continue;
    differs = true;
    same_ip_differs |= EndpointIp(o->server()) == EndpointIp(first.server());
  }
  if (!differs) {
    return {v1::MAPPING_ENDPOINT_INDEPENDENT, true,
            absl::StrCat(seen.size() + 1, " servers saw the same mapping ",
                         first.mapped_address())};
  }
  if (same_ip_differs) {
    return {v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT, true,
            "two ports of one server saw different mappings"};
  }
  return {v1::MAPPING_ADDRESS_DEPENDENT, true,
          "servers at different addresses saw different mappings (it may also "
          "be address-and-port-dependent: an RFC 5780 server would tell)"};
}

}  // namespace

std::string EndpointIp(const std::string& endpoint) {
  const size_t colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

std::string EndpointPort(const std::string& endpoint) {
  const size_t colon = endpoint.rfind(':');
  return colon == std::string::npos ? "" : endpoint.substr(colon + 1);
}

const v1::StunObservation* LastObservation(const v1::ProbeReport& report,
                                           const std::string& test,
                                           const std::string& server) {
  const v1::StunObservation* last = nullptr;
  for (const v1::StunObservation& o : report.observations()) {
    if (o.test() == test && (server.empty() || o.server() == server)) last = &o;
  }
  return last;
}

MappingVerdict MappingFrom(const v1::ProbeReport& report) {
  const v1::StunObservation* first = FirstAnsweredBinding(report);
  if (first == nullptr) return {v1::MAPPING_UNKNOWN, true, "no STUN server answered"};
  if (first->mapped_address() == first->local_address()) {
    return {v1::MAPPING_NO_NAT, true,
            absl::StrCat("the mapped address ", first->mapped_address(),
                         " is the local one")};
  }
  const v1::StunObservation* two = LastObservation(report, "mapping-II");
  const v1::StunObservation* three = LastObservation(report, "mapping-III");
  if (two == nullptr) return FromServers(report, *first);
  // Test I of the same socket as test II (a repeat runs on a fresh port).
  const std::string primary = first->server();
  for (const v1::StunObservation& o : report.observations()) {
    if (o.test() == "binding" && o.local_address() == two->local_address() &&
        o.server() == primary && Answered(&o)) {
      first = &o;
    }
  }
  if (!Answered(two)) {
    MappingVerdict fallback = FromServers(report, *first);
    fallback.consistent = false;
    fallback.reason = absl::StrCat("no answer from the server's other address ",
                                   two->server(), "; ", fallback.reason);
    return fallback;
  }
  if (two->mapped_address() == first->mapped_address()) {
    return {v1::MAPPING_ENDPOINT_INDEPENDENT, true,
            absl::StrCat("test I and II saw the same mapping ", first->mapped_address())};
  }
  if (!Answered(three)) {
    return {v1::MAPPING_UNKNOWN, false,
            "the mapping changed with the destination IP but test III got no answer"};
  }
  if (three->mapped_address() == two->mapped_address()) {
    return {v1::MAPPING_ADDRESS_DEPENDENT, true,
            absl::StrCat("the mapping changed with the destination IP (",
                         first->mapped_address(), " vs ", two->mapped_address(),
                         ") but not with its port")};
  }
  return {v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT, true,
          absl::StrCat("the mapping changed with the destination IP and port: ",
                       first->mapped_address(), ", ", two->mapped_address(), ", ",
                       three->mapped_address())};
}

FilteringVerdict FilteringFrom(const v1::ProbeReport& report) {
  const v1::StunObservation* one = LastObservation(report, "filtering-I");
  const v1::StunObservation* two = LastObservation(report, "filtering-II");
  const v1::StunObservation* three = LastObservation(report, "filtering-III");
  if (one == nullptr || two == nullptr || three == nullptr) {
    return {v1::FILTERING_UNKNOWN, true, "not tested (needs an RFC 5780 server)"};
  }
  if (!Answered(one)) {
    return {v1::FILTERING_UNKNOWN, false, "filtering test I got no answer"};
  }
  for (const v1::StunObservation* o : {two, three}) {
    if (o->answered() && !o->error().empty()) {
      return {v1::FILTERING_UNKNOWN, true,
              absl::StrCat("the server refused CHANGE-REQUEST (", o->error(), ")")};
    }
  }
  if (Answered(two)) {
    if (!Answered(three)) {
      return {v1::FILTERING_ENDPOINT_INDEPENDENT, false,
              "a reply from another IP came through but one from another port "
              "did not"};
    }
    return {v1::FILTERING_ENDPOINT_INDEPENDENT, true,
            "a reply from another IP and port came through"};
  }
  if (Answered(three)) {
    return {v1::FILTERING_ADDRESS_DEPENDENT, true,
            "a reply from another port came through, one from another IP did not"};
  }
  return {v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT, true,
          "only replies from the exact address and port asked came through"};
}

}  // namespace natscope::analyzer
