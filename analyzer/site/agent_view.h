// The latest state of one agent from its latest probe report and recent log
// events: NAT class, log-reported NAT type, tunnel counts, freshness and the
// findings the server derives for the agent alone. Pure: `now` is passed
// in; thread-safe.
#ifndef NATSCOPE_ANALYZER_SITE_AGENT_VIEW_H_
#define NATSCOPE_ANALYZER_SITE_AGENT_VIEW_H_

#include <string>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

struct AgentViewOptions {
  // Freshness thresholds (see natscope.v1.Freshness). The default STALE
  // threshold is three default probe intervals.
  absl::Duration stale_after = absl::Minutes(15);
  absl::Duration silent_after = absl::Hours(24);
  // Analytics and relay_unavailable lines older than this before `now` are
  // not counted.
  absl::Duration tunnel_window = absl::Hours(24);
};

// Tunnel and relay lines of one agent already counted over the tunnel
// window by the store, which keeps every line but should not ship them all
// here.
struct WindowCounts {
  uint32_t direct = 0;             // analytics lines, tunnel_path "direct"
  uint32_t relayed = 0;            // analytics lines, tunnel_path "relayed"
  uint32_t relay_unavailable = 0;  // relay_unavailable lines
  absl::Time last_tunnel = absl::InfinitePast();  // newest counted analytics line
};

// What the store knows about one agent.
struct AgentFacts {
  v1::AgentIdentity identity;
  // The latest probe report; nullptr when there is none. Not owned; must
  // outlive the BuildAgentView call.
  const v1::ProbeReport* latest_probe = nullptr;
  // Recent log events in any order. Kinds used: "stun_nat_type" (field
  // nat_type), "analytics" (tunnel_path), "relay_unavailable",
  // "sdwan_state" (state); others are ignored. Ties in time: the later
  // element wins.
  absl::Span<const v1::LogEvent> events;
  // When set, the tunnel window's counts; "analytics" and
  // "relay_unavailable" events are then not counted again. Not owned.
  const WindowCounts* window = nullptr;
  // When the newest fact arrived at the server, or InfinitePast() when
  // unknown. last_seen is the newest of this, the probe time and the event
  // times.
  absl::Time last_arrival = absl::InfinitePast();
};

v1::AgentView BuildAgentView(const AgentFacts& facts, absl::Time now,
                             const AgentViewOptions& options = {});

// FRESH, STALE or SILENT; SILENT when `last_seen` is InfinitePast(). A
// `last_seen` in the future (clock skew) counts as FRESH.
v1::Freshness FreshnessOf(absl::Time last_seen, absl::Time now,
                          const AgentViewOptions& options = {});

// The pair-matrix class from a probe summary (nullptr: all unknown), with
// its label set.
v1::NatClass NatClassOf(const v1::ProbeSummary* probe);

// "UDP blocked", or "<classic> (<mapping> mapping, <filtering> filtering)"
// followed by ", QUIC blocked", ", outbound ports restricted", ", double
// NAT" as they apply.
std::string NatClassLabel(const v1::NatClass& nat_class);

// Short names for evidence and labels, e.g. "endpoint-independent",
// "address-and-port-dependent", "no NAT", "unknown".
const char* MappingName(v1::MappingBehavior mapping);
const char* FilteringName(v1::FilteringBehavior filtering);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_AGENT_VIEW_H_
