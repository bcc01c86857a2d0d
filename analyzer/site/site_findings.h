// Findings of a site's agents aggregated per code, with site-level
// summaries and remediation in the seed's troubleshooting order. Pure.
#ifndef NATSCOPE_ANALYZER_SITE_SITE_FINDINGS_H_
#define NATSCOPE_ANALYZER_SITE_SITE_FINDINGS_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

// One finding found on one agent.
struct AgentFindingRef {
  // Not owned; must outlive the AggregateFindings call.
  const v1::AgentView* agent = nullptr;
  v1::Finding finding;
};

// Position of `code` in the order to troubleshoot, lower first: UDP, QUIC,
// outbound ports, double NAT, CGNAT, STUN discovery, AWS NAT gateway,
// endpoint-dependent mapping, log/probe disagreement, relayed despite
// compatible; unknown codes last.
int TroubleshootingRank(v1::FindingCode code);

// Site-level remediation for `code`, plain language, connector side first.
const std::string& SiteRemediation(v1::FindingCode code);

// One SiteFinding per code: worst severity, affected agents (connectors
// first, then clients, each sorted by id, each once) with what each one's
// finding rests on (its first finding of the code with a source), their
// evidence prefixed "<agent id>: ", a summary counting connectors and
// clients, and SiteRemediation. Sorted by TroubleshootingRank.
std::vector<v1::SiteFinding> AggregateFindings(
    absl::Span<const AgentFindingRef> found);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_SITE_FINDINGS_H_
