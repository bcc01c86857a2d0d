// The NAT type shown for one agent, and the classic (RFC 3489) display name.
//
// Pure functions: no I/O, no state, safe to call from any thread.
#ifndef NATSCOPE_ANALYZER_REPORTED_NAT_TYPE_H_
#define NATSCOPE_ANALYZER_REPORTED_NAT_TYPE_H_

#include <string>

#include "absl/strings/string_view.h"
#include "natscope/v1/probe.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

// Values ReportedNatType derives from a probe. A log-reported value is
// passed through verbatim and may be any other string.
inline constexpr absl::string_view kNatTypeUdpBlocked = "udp-blocked";
inline constexpr absl::string_view kNatTypeNoNat = "no-nat";
inline constexpr absl::string_view kNatTypeEndpointIndependent =
    "endpoint-independent";
inline constexpr absl::string_view kNatTypeEndpointDependent =
    "endpoint-dependent";
inline constexpr absl::string_view kNatTypeUnknown = "unknown";

// Returns the NAT type string shown per agent (see
// natscope.v1.NatTypeCount.nat_type):
//   - `log_nat_type` verbatim, when the product's own log reported one
//     (the `nat_type` field of its latest `stun_nat_type` event). An empty
//     value, or "unknown" in any letter case, counts as not reported;
//   - else, from `latest_probe` (nullptr when the agent never sent one):
//     "udp-blocked" when no STUN server answered over UDP, "no-nat",
//     "endpoint-independent", or "endpoint-dependent" (address-dependent
//     and address-and-port-dependent mapping alike);
//   - else "unknown".
std::string ReportedNatType(absl::string_view log_nat_type,
                            const natscope::v1::ProbeReport* latest_probe);

// The probe-derived part of ReportedNatType alone.
absl::string_view ProbeNatType(const natscope::v1::ProbeReport& probe);

// Classic RFC 3489 name for display only: "no NAT", "full cone",
// "restricted cone", "port-restricted cone", "symmetric" or "unknown".
// Endpoint-independent mapping needs a known filtering behaviour to be
// named; any endpoint-dependent mapping is "symmetric".
absl::string_view ClassicNatName(natscope::v1::MappingBehavior mapping,
                                 natscope::v1::FilteringBehavior filtering);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_REPORTED_NAT_TYPE_H_
