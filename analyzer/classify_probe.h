// Turns a probe's raw STUN observations into verdicts and findings. Pure.
#ifndef NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_
#define NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_

#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

// Fills udp_reachable, public_address, local_address, mapping_behavior,
// classic_nat_type and findings of `*report` from report->observations().
// Mapping: NO_NAT when the first mapped address equals the local one;
// ENDPOINT_INDEPENDENT when two or more servers at different addresses saw
// the same mapping from one local socket; ADDRESS_AND_PORT_DEPENDENT when
// they saw different ones; otherwise UNKNOWN. Filtering is left as is.
void ClassifyProbe(v1::ProbeReport* report);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_
