#include "analyzer/site/agent_view.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "analyzer/site/probe_verdicts.h"
#include "analyzer/verdict_names.h"
#include "analyzer/reported_nat_type.h"
#include "analyzer/site/agent_findings.h"
#include "common/proto_time.h"

namespace natscope::analyzer {
namespace {

bool HasFinding(const v1::ProbeSummary& probe, v1::FindingCode code) {
  for (const v1::Finding& f : probe.findings()) {
    if (f.code() == code) return true;
  }
  return false;
}

void CountWindow(const AgentFacts& facts, v1::AgentView* view) {
  const AgentActivity& a = facts.activity;
  v1::TunnelCounts* tunnels = view->mutable_tunnels();
  tunnels->set_direct(a.direct);
  tunnels->set_relayed(a.relayed);
  view->set_relay_unavailable_events(a.relay_unavailable);
  if (a.last_tunnel != absl::InfinitePast()) {
    *tunnels->mutable_last_tunnel() = ToProtoTime(a.last_tunnel);
  }
}

absl::Time LastSeen(const AgentFacts& facts) {
  absl::Time last = facts.last_arrival;
  if (facts.latest_probe != nullptr && facts.latest_probe->has_time()) {
    last = std::max(last, FromProtoTime(facts.latest_probe->time()));
  }
  last = std::max(last, facts.log_nat_type_time);
  last = std::max(last, facts.activity.last_tunnel);
  last = std::max(last, facts.activity.sdwan_state_time);
  return last;
}

}  // namespace

v1::Freshness FreshnessOf(absl::Time last_seen, absl::Time now,
                          const AgentViewOptions& options) {
  if (last_seen == absl::InfinitePast()) return v1::FRESHNESS_SILENT;
  const absl::Duration age = now - last_seen;
  if (age <= options.stale_after) return v1::FRESHNESS_FRESH;
  if (age <= options.silent_after) return v1::FRESHNESS_STALE;
  return v1::FRESHNESS_SILENT;
}

std::string NatClassLabel(const v1::NatClass& c) {
  if (c.udp_blocked()) return "UDP blocked";
  std::string out = absl::StrCat(ClassicNatName(c.mapping(), c.filtering()),
                                 " (", MappingName(c.mapping()), " mapping, ",
                                 FilteringName(c.filtering()), " filtering)");
  if (c.quic_blocked()) absl::StrAppend(&out, ", QUIC blocked");
  if (c.outbound_ports_restricted()) {
    absl::StrAppend(&out, ", outbound ports restricted");
  }
  if (c.double_nat()) absl::StrAppend(&out, ", double NAT");
  return out;
}

v1::NatClass NatClassOf(const v1::ProbeSummary* probe) {
  v1::NatClass c;
  if (probe != nullptr) {
    if (!probe->udp_reachable()) {
      // Mapping and filtering mean nothing without an answer; one class
      // for every blocked host.
      c.set_udp_blocked(true);
    } else {
      c.set_mapping(probe->mapping_behavior());
      c.set_filtering(probe->filtering_behavior());
      c.set_quic_blocked(
          (probe->has_quic_reachable() && !probe->quic_reachable()) ||
          HasFinding(*probe, v1::FINDING_QUIC_BLOCKED));
      c.set_outbound_ports_restricted(
          HasFinding(*probe, v1::FINDING_OUTBOUND_PORTS_RESTRICTED));
      c.set_double_nat(HasFinding(*probe, v1::FINDING_DOUBLE_NAT));
    }
  }
  c.set_label(NatClassLabel(c));
  return c;
}

v1::AgentView BuildAgentView(const AgentFacts& facts, absl::Time now,
                             const AgentViewOptions& options) {
  v1::AgentView view;
  *view.mutable_identity() = facts.identity;
  if (facts.latest_probe != nullptr) {
    *view.mutable_probe() = SummarizeProbe(*facts.latest_probe);
    *view.mutable_agent_probe() =
        facts.agent_verdict == nullptr ? view.probe() : *facts.agent_verdict;
    for (std::string& line :
         VerdictDifferences(view.agent_probe(), view.probe())) {
      view.add_verdict_differences(std::move(line));
    }
  }
  if (!facts.log_nat_type.empty()) {
    view.set_log_nat_type(facts.log_nat_type);
    if (facts.log_nat_type_time != absl::InfinitePast()) {
      *view.mutable_log_nat_type_time() = ToProtoTime(facts.log_nat_type_time);
    }
  }
  view.set_sdwan_state(facts.activity.sdwan_state);
  view.set_reported_nat_type(
      ReportedNatType(view.log_nat_type(), facts.latest_probe));
  CountWindow(facts, &view);
  const absl::Time last_seen = LastSeen(facts);
  if (last_seen != absl::InfinitePast()) {
    *view.mutable_last_seen() = ToProtoTime(last_seen);
  }
  view.set_freshness(FreshnessOf(last_seen, now, options));
  *view.mutable_nat_class() =
      NatClassOf(view.has_probe() ? &view.probe() : nullptr);
  for (v1::Finding& f : DeriveAgentFindings(view)) {
    *view.add_derived_findings() = std::move(f);
  }
  return view;
}

}  // namespace natscope::analyzer
