// The latest state of one agent from its latest probe report and recent log
// events: NAT class and what it rests on (probe, log, or both), a
// connector's STUN discovery, log-reported NAT type, tunnel counts,
// freshness and the agent's findings, each with its source. Pure: `now`
// is passed in; thread-safe.
#ifndef NATSCOPE_ANALYZER_SITE_AGENT_VIEW_H_
#define NATSCOPE_ANALYZER_SITE_AGENT_VIEW_H_

#include <string>

#include "absl/time/time.h"
#include "analyzer/agent_activity.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

struct AgentViewOptions {
  // Freshness thresholds (see natscope.v1.Freshness). The default STALE
  // threshold is three default probe intervals. A probe is fresh evidence
  // for as long as the agent would be fresh on it alone: at most
  // `stale_after` old; an older one gives way to the product's log
  // (AgentView.nat_class_source).
  absl::Duration stale_after = absl::Minutes(15);
  absl::Duration silent_after = absl::Hours(24);
  // A stun_nat_type line older than this is not evidence (it is still
  // shown verbatim). The product writes the line when its discovery runs
  // (at start, when the network changes), not periodically, so a quiet
  // connector's line is legitimately days old; past a week the host may
  // have moved without the product saying so.
  absl::Duration log_max_age = absl::Hours(24 * 7);
  // Findings read from a line at most this old are CONFIDENCE_MEDIUM (the
  // product's word, without the probe's detail); older ones (up to
  // log_max_age) CONFIDENCE_LOW.
  absl::Duration log_fresh_for = absl::Hours(24);
  // Analytics and relay_unavailable lines older than this before `now` are
  // not counted (the store counts them: FactStore::RecentActivity).
  absl::Duration tunnel_window = absl::Hours(24);
};

// What the server knows about one agent: typed facts, as the stores keep
// them.
struct AgentFacts {
  v1::AgentIdentity identity;
  // The latest probe report with the server's verdicts (Reclassify,
  // probe_verdicts.h); nullptr when there is none. Not owned; must outlive
  // the BuildAgentView call.
  const v1::ProbeReport* latest_probe = nullptr;
  // The agent's own verdict on that probe (SummarizeProbe of the report as
  // it sent it); nullptr when it is latest_probe's. Not owned.
  const v1::ProbeSummary* agent_verdict = nullptr;
  // The product's newest stun_nat_type line: its nat_type field verbatim
  // (empty when none) and when it was written.
  std::string log_nat_type;
  absl::Time log_nat_type_time = absl::InfinitePast();
  // Tunnel and relay lines counted over the tunnel window, and the newest
  // sdwan_state line.
  AgentActivity activity;
  // When the newest fact arrived at the server, or InfinitePast() when
  // unknown. last_seen is the newest of this, the probe time and the log
  // lines' times.
  absl::Time last_arrival = absl::InfinitePast();
};

v1::AgentView BuildAgentView(const AgentFacts& facts, absl::Time now,
                             const AgentViewOptions& options = {});

// FRESH, STALE or SILENT; SILENT when `last_seen` is InfinitePast(). A
// `last_seen` in the future (clock skew) counts as FRESH.
v1::Freshness FreshnessOf(absl::Time last_seen, absl::Time now,
                          const AgentViewOptions& options = {});

// The pair-matrix class from a probe summary (nullptr: all unknown, source
// UNSPECIFIED; else source PROBE), with its label set.
v1::NatClass NatClassOf(const v1::ProbeSummary* probe);

// "UDP blocked"; for a class from the log "<endpoint-independent |
// endpoint-dependent | unknown> (from the product's log)"; else
// "<classic> (<mapping> mapping, <filtering> filtering)". Followed by ",
// QUIC blocked", ", outbound ports restricted", ", outbound destinations
// restricted", ", double NAT", ", STUN discovery unavailable" as they
// apply.
std::string NatClassLabel(const v1::NatClass& nat_class);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_AGENT_VIEW_H_
