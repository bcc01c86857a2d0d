// Turns a probe's measurements into verdicts and findings. Pure: the
// prober measures, this decides, so the server can re-decide from the same
// evidence.
#ifndef NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_
#define NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_

#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

// What to do about endpoint-dependent mapping, whichever evidence found it
// (the probe here, the product's log in analyzer/site/agent_findings).
inline constexpr char kEndpointDependentRemediation[] =
    "Configure the NAT or firewall for endpoint-independent mapping for "
    "this host (often called static port, full-cone or \"no port "
    "randomisation\"; most enterprise firewalls can do it per host), or "
    "give the host a public address. An AWS NAT gateway cannot do this: "
    "use a NAT instance or a public subnet.";

// Fills udp_reachable, public_address, local_address, port_preserved,
// mapping_behavior, filtering_behavior and their confidence,
// classic_nat_type, warnings and findings of `*report` from its
// observations, port checks, firewalking and QUIC check (see
// nat_behavior.h for the observation names). Findings derived here:
// UDP_BLOCKED, QUIC_BLOCKED, OUTBOUND_PORTS_RESTRICTED,
// OUTBOUND_IPS_RESTRICTED and ENDPOINT_DEPENDENT_MAPPING, each with its
// confidence (confidence.h); existing findings of other codes are kept.
void ClassifyProbe(v1::ProbeReport* report);

// Sets the confidence of every finding that has none (confidence.h); for
// findings added after ClassifyProbe (AddPathFindings).
void SetFindingConfidence(v1::ProbeReport* report);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_CLASSIFY_PROBE_H_
