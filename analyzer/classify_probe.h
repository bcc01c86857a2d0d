// Turns a probe's measurements into verdicts and findings. Pure: the
// prober measures, this decides, so the server can re-decide from the same
// evidence.
#ifndef NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_
#define NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_

#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

// Fills udp_reachable, public_address, local_address, port_preserved,
// mapping_behavior, filtering_behavior, classic_nat_type, warnings and
// findings of `*report` from its observations, port checks and QUIC check
// (see nat_behavior.h for the observation names). Findings derived here:
// UDP_BLOCKED, QUIC_BLOCKED, OUTBOUND_PORTS_RESTRICTED and
// ENDPOINT_DEPENDENT_MAPPING; existing findings of other codes are kept.
void ClassifyProbe(v1::ProbeReport* report);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_
