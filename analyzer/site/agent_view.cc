#include "analyzer/site/agent_view.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "analyzer/site/probe_verdicts.h"
#include "analyzer/verdict_names.h"
#include "analyzer/reported_nat_type.h"
#include "analyzer/site/agent_findings.h"
#include "analyzer/site/nat_evidence.h"
#include "analyzer/site/pair_verdict.h"
#include "analyzer/site/stun_discovery.h"
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
  view->set_relay_listener_errors(a.relay_listener_errors);
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

// What the view's probe and log say, weighed: the NAT class and its
// source, a connector's STUN discovery, and the findings with theirs.
void JudgeEvidence(absl::Time now, const AgentViewOptions& options,
                   v1::AgentView* view) {
  const AgentEvidence evidence = EvidenceOf(*view, now, options);
  NatChoice choice = ChooseNatClass(evidence);
  *view->mutable_nat_class() = std::move(choice.nat_class);
  view->set_nat_class_source(choice.source);
  if (view->identity().role() == v1::ROLE_CONNECTOR) {
    *view->mutable_stun_discovery() = JudgeStunDiscovery(evidence);
    // A connector without STUN discovery relays whatever its NAT does; a
    // UDP-blocked class relays already and stays one class.
    v1::NatClass* c = view->mutable_nat_class();
    if (view->stun_discovery().state() == v1::STUN_DISCOVERY_UNAVAILABLE &&
        !c->udp_blocked()) {
      c->set_stun_discovery_unavailable(true);
      c->set_label(NatClassLabel(*c));
    }
  }
  for (v1::Finding& f : DeriveAgentFindings(*view, evidence)) {
    *view->add_derived_findings() = std::move(f);
  }
  for (v1::Finding& f : AgentFindingsOf(*view)) {
    *view->add_findings() = std::move(f);
  }
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
  const std::string six =
      c.has_ipv6() ? absl::StrCat("; IPv6: ", NatClassLabel(c.ipv6())) : "";
  if (c.udp_blocked()) return absl::StrCat("UDP blocked", six);
  std::string out;
  if (c.source() == v1::EVIDENCE_SOURCE_LOG) {
    // The log names the mapping kind only: say so, and where it came from.
    const char* kind = c.mapping() == v1::MAPPING_ENDPOINT_INDEPENDENT
                           ? "endpoint-independent"
                           : (IsEndpointDependent(c.mapping())
                                  ? "endpoint-dependent"
                                  : "unknown");
    out = absl::StrCat(kind, " (from the product's log)");
  } else {
    out = absl::StrCat(ClassicNatName(c.mapping(), c.filtering()), " (",
                       MappingName(c.mapping()), " mapping, ",
                       FilteringName(c.filtering()), " filtering)");
  }
  if (c.quic_blocked()) absl::StrAppend(&out, ", QUIC blocked");
  if (c.outbound_ports_restricted()) {
    absl::StrAppend(&out, ", outbound ports restricted");
  }
  if (c.outbound_ips_restricted()) {
    absl::StrAppend(&out, ", outbound destinations restricted");
  }
  if (c.double_nat()) absl::StrAppend(&out, ", double NAT");
  if (c.stun_discovery_unavailable()) {
    absl::StrAppend(&out, ", STUN discovery unavailable");
  }
  return absl::StrCat(out, six);
}

v1::NatClass NatClassOf(const v1::ProbeSummary* probe) {
  v1::NatClass c;
  if (probe != nullptr) {
    c.set_source(v1::EVIDENCE_SOURCE_PROBE);
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
      c.set_outbound_ips_restricted(
          HasFinding(*probe, v1::FINDING_OUTBOUND_IPS_RESTRICTED));
      c.set_double_nat(HasFinding(*probe, v1::FINDING_DOUBLE_NAT));
    }
    if (probe->has_ipv6()) *c.mutable_ipv6() = NatClassOf(&probe->ipv6());
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
  JudgeEvidence(now, options, &view);
  return view;
}

}  // namespace natscope::analyzer
