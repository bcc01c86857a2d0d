// RFC 5780 NAT behaviour discovery: verdicts from the observations of a
// probe. Pure.
//
// The prober names its STUN exchanges (StunObservation.test):
//   "binding"        test I, one per server, all from one socket A
//   "mapping-II"     from A to (OTHER-ADDRESS IP, primary port)
//   "mapping-III"    from A to OTHER-ADDRESS (IP and port)
//   "filtering-I"    from a fresh socket B to the primary address
//   "filtering-II"   from B, CHANGE-REQUEST change IP and port
//   "filtering-III"  from B, CHANGE-REQUEST change port
// When a name occurs more than once (a repeat after an inconsistent
// result), the last occurrence counts.
#ifndef NATSCOPE_ANALYZER_NAT_BEHAVIOR_H_
#define NATSCOPE_ANALYZER_NAT_BEHAVIOR_H_

#include <string>

#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

template <typename Behavior>
struct BehaviorVerdict {
  Behavior behavior;
  // False when the observations contradict each other (worth repeating
  // from a fresh port) or are missing.
  bool consistent = true;
  // How the verdict was reached, one sentence for the evidence.
  std::string reason;
};

using MappingVerdict = BehaviorVerdict<v1::MappingBehavior>;
using FilteringVerdict = BehaviorVerdict<v1::FilteringBehavior>;

// RFC 5780 §4.3 tests I-III when present; else compares the mappings that
// several servers saw from socket A (endpoint-independent when equal;
// address-and-port-dependent when two servers on one IP saw different
// ones, else address-dependent).
MappingVerdict MappingFrom(const v1::ProbeReport& report);

// RFC 5780 §4.4 tests I-III; FILTERING_UNKNOWN without them.
FilteringVerdict FilteringFrom(const v1::ProbeReport& report);

// "ip" and "port" of "ip:port" or "[v6]:port" as observations write them.
std::string EndpointIp(const std::string& endpoint);
std::string EndpointPort(const std::string& endpoint);

// The last observation named `test` (and, when non-empty, sent to
// `server`), or nullptr.
const v1::StunObservation* LastObservation(const v1::ProbeReport& report,
                                           const std::string& test,
                                           const std::string& server = "");

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_NAT_BEHAVIOR_H_
