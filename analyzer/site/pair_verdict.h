// Can a client and a connector talk peer-to-peer? The pair verdict from the
// NAT classes of both ends, under a named policy. Pure, thread-safe.
#ifndef NATSCOPE_ANALYZER_SITE_PAIR_VERDICT_H_
#define NATSCOPE_ANALYZER_SITE_PAIR_VERDICT_H_

#include <string>

#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

struct PairJudgement {
  v1::PairVerdict verdict = v1::PAIR_VERDICT_UNSPECIFIED;
  // One sentence: why.
  std::string reason;
  // Which classes decided: the side the reason names, or both (DIRECT,
  // and the rules about both ends). What the verdict rests on is theirs.
  bool client_decides = true;
  bool connector_decides = true;
};

// Judges one client class against one connector class. Rules, first match
// wins (the connector side is named first in reasons):
//  1. UDP blocked on either end -> RELAY_ONLY.
//  1b. STUN discovery unavailable on the connector -> RELAY_ONLY (the
//     admin console's rule: such a connector cannot go peer-to-peer).
//  2. QUIC blocked on either end -> RELAY_ONLY (the product's tunnels are
//     QUIC; the seed counts blocked QUIC as breaking NAT traversal).
//  3. PRODUCT_STRICT (and UNSPECIFIED): endpoint-dependent mapping on
//     either end -> RELAY_ONLY.
//  4. Endpoint-dependent mapping on both ends -> RELAY_ONLY.
//  5. Endpoint-dependent mapping on one end and address-and-port-dependent
//     filtering on the other -> RELAY_ONLY.
//  6. Anything the rules above need but that was not measured (unknown
//     mapping, or unknown filtering opposite an endpoint-dependent mapping)
//     -> PAIR_VERDICT_UNSPECIFIED ("cannot tell").
//  7. Otherwise DIRECT; downgraded to DIRECT_UNRELIABLE when either end is
//     behind double NAT (the measurement covers both layers; the brittle
//     inner mapping is a risk on top) or has restricted outbound ports or
//     destinations.
// "Endpoint-dependent" means address-dependent or address-and-port-
// dependent; MAPPING_NO_NAT counts as endpoint-independent.
//
// Dual stack: when both classes carry an IPv6 class and IPv4's verdict is
// not DIRECT, the IPv6 classes are judged by the same rules and the better
// verdict wins, its reason saying "over IPv6" (a pair is direct-capable if
// either family is).
PairJudgement JudgePair(const v1::NatClass& client,
                        const v1::NatClass& connector, v1::PairPolicy policy);

// The rules above for one family, ignoring the classes' `ipv6`.
PairJudgement JudgeFamily(const v1::NatClass& client,
                          const v1::NatClass& connector, v1::PairPolicy policy);

// What the judgement of `client` against `connector` rests on
// (PairCell.source): the sources of the deciding classes; LOG when any of
// them is LOG, UNSPECIFIED when any is known from nothing, else PROBE.
v1::EvidenceSource PairSource(const PairJudgement& judgement,
                              const v1::NatClass& client,
                              const v1::NatClass& connector);

// True for MAPPING_ADDRESS_DEPENDENT and MAPPING_ADDRESS_AND_PORT_DEPENDENT.
bool IsEndpointDependent(v1::MappingBehavior mapping);

// Display name of a policy: "textbook" or "product-strict".
const char* PolicyName(v1::PairPolicy policy);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_PAIR_VERDICT_H_
