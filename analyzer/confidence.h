// How sure a probe's verdicts are: from how many answers they rest on, how
// many retransmissions those needed (loss on the path makes silence weaker
// evidence), and whether repeated or independent tests agreed. Pure.
//
//   HIGH    every exchange the verdict rests on answered on its first
//           transmission (or, for a verdict resting on silence, the
//           exchange that proved the path answered at once and the silent
//           ones used every retransmission), and no test had to be
//           repeated;
//   MEDIUM  retransmissions were needed, a test was repeated and agreed
//           the second time, or the verdict compares several servers
//           rather than running RFC 5780's tests;
//   LOW     the tests still disagree, or the verdict is a best guess
//           (address-dependent from servers on different IPs).
#ifndef NATSCOPE_ANALYZER_CONFIDENCE_H_
#define NATSCOPE_ANALYZER_CONFIDENCE_H_

#include <string>

#include "analyzer/nat_behavior.h"
#include "natscope/v1/probe.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

// CONFIDENCE_UNSPECIFIED for an unknown verdict.
v1::Confidence MappingConfidence(const v1::ProbeReport& report,
                                 const MappingVerdict& verdict);
v1::Confidence FilteringConfidence(const v1::ProbeReport& report,
                                   const FilteringVerdict& verdict);

// The confidence of a finding ClassifyProbe derives, from the report's
// mapping confidence and its checks. UDP_BLOCKED is one step lower when
// STUN over TCP reached nothing either (the server may be down) than when
// it proved the path (tcp_path.h).
v1::Confidence FindingConfidence(const v1::ProbeReport& report,
                                 v1::FindingCode code);

// One word for people: "confident", "likely", "uncertain"; empty for
// CONFIDENCE_UNSPECIFIED.
std::string ConfidenceWord(v1::Confidence confidence);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_CONFIDENCE_H_
