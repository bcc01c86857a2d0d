#include "analyzer/confidence.h"

#include <algorithm>
#include <map>

#include "analyzer/tcp_path.h"

namespace natscope::analyzer {
namespace {

// How often each test name occurs: more than once means it was repeated.
std::map<std::string, int> TestCounts(const v1::ProbeReport& report) {
  std::map<std::string, int> counts;
  for (const v1::StunObservation& o : report.observations()) ++counts[o.test()];
  return counts;
}

bool AnsweredAtOnce(const v1::StunObservation* o) {
  return o != nullptr && o->answered() && o->transmissions() <= 1;
}

// The most retransmissions any observation of `test` needed (or got,
// when silent).
int MostTransmissions(const v1::ProbeReport& report, const std::string& test) {
  int most = 0;
  for (const v1::StunObservation& o : report.observations()) {
    if (o.test() == test) most = std::max(most, o.transmissions());
  }
  return most;
}

const v1::StunObservation* FirstBinding(const v1::ProbeReport& report) {
  for (const v1::StunObservation& o : report.observations()) {
    if (o.test() == "binding" && o.answered()) return &o;
  }
  return nullptr;
}

}  // namespace

v1::Confidence MappingConfidence(const v1::ProbeReport& report,
                                 const MappingVerdict& verdict) {
  if (verdict.behavior == v1::MAPPING_UNKNOWN) return v1::CONFIDENCE_UNSPECIFIED;
  if (!verdict.consistent) return v1::CONFIDENCE_LOW;
  const v1::StunObservation* first = FirstBinding(report);
  if (verdict.behavior == v1::MAPPING_NO_NAT) {
    return AnsweredAtOnce(first) ? v1::CONFIDENCE_HIGH : v1::CONFIDENCE_MEDIUM;
  }
  const std::map<std::string, int> counts = TestCounts(report);
  const auto count = [&](const std::string& test) {
    const auto it = counts.find(test);
    return it == counts.end() ? 0 : it->second;
  };
  if (count("mapping-II") == 0) {  // Compared across servers.
    return verdict.behavior == v1::MAPPING_ADDRESS_DEPENDENT
               ? v1::CONFIDENCE_LOW
               : v1::CONFIDENCE_MEDIUM;
  }
  if (count("mapping-II") > 1) return v1::CONFIDENCE_MEDIUM;
  const bool at_once =
      AnsweredAtOnce(first) &&
      AnsweredAtOnce(LastObservation(report, "mapping-II")) &&
      (verdict.behavior == v1::MAPPING_ENDPOINT_INDEPENDENT ||
       AnsweredAtOnce(LastObservation(report, "mapping-III")));
  return at_once ? v1::CONFIDENCE_HIGH : v1::CONFIDENCE_MEDIUM;
}

v1::Confidence FilteringConfidence(const v1::ProbeReport& report,
                                   const FilteringVerdict& verdict) {
  if (verdict.behavior == v1::FILTERING_UNKNOWN) {
    return v1::CONFIDENCE_UNSPECIFIED;
  }
  if (!verdict.consistent) return v1::CONFIDENCE_LOW;
  if (TestCounts(report)["filtering-I"] > 1) return v1::CONFIDENCE_MEDIUM;
  if (!AnsweredAtOnce(LastObservation(report, "filtering-I"))) {
    return v1::CONFIDENCE_MEDIUM;  // Loss on the path: silence is weaker.
  }
  const v1::StunObservation* two = LastObservation(report, "filtering-II");
  const v1::StunObservation* three = LastObservation(report, "filtering-III");
  for (const v1::StunObservation* o : {two, three}) {
    if (o == nullptr) return v1::CONFIDENCE_MEDIUM;
    if (o->answered() ? o->transmissions() > 1 : o->transmissions() < 3) {
      return v1::CONFIDENCE_MEDIUM;
    }
  }
  return v1::CONFIDENCE_HIGH;
}

v1::Confidence FindingConfidence(const v1::ProbeReport& report,
                                 v1::FindingCode code) {
  switch (code) {
    case v1::FINDING_ENDPOINT_DEPENDENT_MAPPING:
    case v1::FINDING_AWS_NAT_GATEWAY:
      return report.mapping_confidence();
    case v1::FINDING_UDP_BLOCKED: {
      // Every server silent to every retransmission.
      const bool silent = MostTransmissions(report, "binding") >= 3;
      // Silent over TCP too: the server may be down rather than UDP
      // blocked, so one step less sure than when TCP proves the path.
      if (TcpPathFrom(report).path == TcpPath::kNothingReached) {
        return silent ? v1::CONFIDENCE_MEDIUM : v1::CONFIDENCE_LOW;
      }
      return silent ? v1::CONFIDENCE_HIGH : v1::CONFIDENCE_MEDIUM;
    }
    case v1::FINDING_OUTBOUND_PORTS_RESTRICTED:
    case v1::FINDING_OUTBOUND_IPS_RESTRICTED:
      // A drop counts only on a served port or beside an answered sibling.
      return v1::CONFIDENCE_HIGH;
    case v1::FINDING_DOUBLE_NAT:
    case v1::FINDING_CGNAT:
      // A gateway telling its external address is firmer than hops.
      for (const v1::GatewayObservation& g : report.gateways()) {
        if (g.answered() && !g.external_address().empty()) {
          return v1::CONFIDENCE_HIGH;
        }
      }
      return v1::CONFIDENCE_MEDIUM;
    default:
      return v1::CONFIDENCE_MEDIUM;
  }
}

std::string ConfidenceWord(v1::Confidence confidence) {
  switch (confidence) {
    case v1::CONFIDENCE_HIGH: return "confident";
    case v1::CONFIDENCE_MEDIUM: return "likely";
    case v1::CONFIDENCE_LOW: return "uncertain";
    default: return "";
  }
}

}  // namespace natscope::analyzer
