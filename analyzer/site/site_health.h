// One site's health from its agents' views: counts by NAT behaviour, the
// pair-verdict matrix, the peer-to-peer-capable share, aggregated findings
// (including those only the server can derive) and a score to sort sites
// worst first. Pure, thread-safe.
#ifndef NATSCOPE_ANALYZER_SITE_SITE_HEALTH_H_
#define NATSCOPE_ANALYZER_SITE_SITE_HEALTH_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "natscope/v1/analysis.pb.h"

namespace natscope::analyzer {

struct SiteHealthOptions {
  // The fleet's product needs endpoint-independent mapping on both sides.
  v1::PairPolicy policy = v1::PAIR_POLICY_PRODUCT_STRICT;
};

// Builds the health of `site` from the views of its agents (see
// BuildAgentView); every view counts, whatever its freshness (filter
// before calling to leave silent agents out). Agents with ROLE_UNSPECIFIED
// count only in by_freshness. Counts by mapping, filtering and classic
// type follow what each agent's class rests on (the log's mapping when it
// replaced the probe). Each pair cell says what its verdict rests on
// (PairSource). Findings: each agent's findings (AgentView.findings, with
// their sources), plus FINDING_RELAYED_DESPITE_COMPATIBLE (warning;
// source BOTH_DISAGREE, or LOG when the agent's class is the log's) for
// an agent whose analytics lines counted relayed tunnels although every
// pair it takes part in is judged DIRECT (and there is at least one).
// stun_discovery counts the connectors' AgentView.stun_discovery.
v1::SiteHealthView BuildSiteHealth(absl::string_view site,
                                   absl::Span<const v1::AgentView> agents,
                                   const SiteHealthOptions& options = {});

// Higher is worse. 10000 * (1 - p2p_capable_share) when the site has
// clients and connectors (else 0), plus, per SiteFinding, 100 (critical),
// 10 (warning) or 1 (info) per affected agent.
int64_t SiteSeverityScore(const v1::SiteHealthView& health);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_SITE_HEALTH_H_
