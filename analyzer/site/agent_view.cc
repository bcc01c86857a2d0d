#include "analyzer/site/agent_view.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "analyzer/batch_summary.h"
#include "analyzer/reported_nat_type.h"
#include "analyzer/site/agent_findings.h"
#include "analyzer/site/proto_time.h"

namespace natscope::analyzer {
namespace {

bool HasFinding(const v1::ProbeSummary& probe, v1::FindingCode code) {
  for (const v1::Finding& f : probe.findings()) {
    if (f.code() == code) return true;
  }
  return false;
}

v1::ProbeSummary Summarize(const v1::ProbeReport& report) {
  v1::ProbeSummary out;
  *out.mutable_time() = report.time();
  out.set_mapping_behavior(report.mapping_behavior());
  out.set_filtering_behavior(report.filtering_behavior());
  out.set_classic_nat_type(
      report.classic_nat_type().empty()
          ? std::string(ClassicNatName(report.mapping_behavior(),
                                       report.filtering_behavior()))
          : report.classic_nat_type());
  out.set_udp_reachable(report.udp_reachable());
  if (report.has_quic_reachable()) {
    out.set_quic_reachable(report.quic_reachable());
  }
  out.set_public_address(report.public_address());
  *out.mutable_findings() = report.findings();
  return out;
}

// The newest event of `kind` (later element wins ties), or nullptr.
const v1::LogEvent* NewestEvent(absl::Span<const v1::LogEvent> events,
                                LogKind kind) {
  const v1::LogEvent* best = nullptr;
  for (const v1::LogEvent& e : events) {
    if (KindOf(e.kind()) != kind) continue;
    if (best == nullptr ||
        FromProtoTime(e.time()) >= FromProtoTime(best->time())) {
      best = &e;
    }
  }
  return best;
}

std::string Field(const v1::LogEvent& e, const std::string& key) {
  auto it = e.fields().find(key);
  return it == e.fields().end() ? "" : it->second;
}

void CountWindow(const AgentFacts& facts, absl::Time now,
                 const AgentViewOptions& options, v1::AgentView* view) {
  const absl::Time since = now - options.tunnel_window;
  absl::Time last = absl::InfinitePast();
  v1::TunnelCounts* tunnels = view->mutable_tunnels();
  if (facts.window != nullptr) {
    tunnels->set_direct(facts.window->direct);
    tunnels->set_relayed(facts.window->relayed);
    view->set_relay_unavailable_events(facts.window->relay_unavailable);
    last = facts.window->last_tunnel;
  }
  for (const v1::LogEvent& e : facts.events) {
    if (facts.window != nullptr) break;
    const absl::Time t = FromProtoTime(e.time());
    if (t < since) continue;
    const LogKind kind = KindOf(e.kind());
    if (kind == LogKind::kRelayUnavailable) {
      view->set_relay_unavailable_events(view->relay_unavailable_events() + 1);
      continue;
    }
    if (kind != LogKind::kAnalytics) continue;
    const std::string path = Field(e, "tunnel_path");
    if (path == "direct") {
      tunnels->set_direct(tunnels->direct() + 1);
    } else if (path == "relayed") {
      tunnels->set_relayed(tunnels->relayed() + 1);
    } else {
      continue;
    }
    last = std::max(last, t);
  }
  if (last != absl::InfinitePast()) {
    *tunnels->mutable_last_tunnel() = ToProtoTime(last);
  }
}

absl::Time LastSeen(const AgentFacts& facts) {
  absl::Time last = facts.last_arrival;
  if (facts.latest_probe != nullptr && facts.latest_probe->has_time()) {
    last = std::max(last, FromProtoTime(facts.latest_probe->time()));
  }
  for (const v1::LogEvent& e : facts.events) {
    last = std::max(last, FromProtoTime(e.time()));
  }
  return last;
}

}  // namespace

const char* MappingName(v1::MappingBehavior mapping) {
  switch (mapping) {
    case v1::MAPPING_NO_NAT:
      return "no NAT";
    case v1::MAPPING_ENDPOINT_INDEPENDENT:
      return "endpoint-independent";
    case v1::MAPPING_ADDRESS_DEPENDENT:
      return "address-dependent";
    case v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT:
      return "address-and-port-dependent";
    default:
      return "unknown";
  }
}

const char* FilteringName(v1::FilteringBehavior filtering) {
  switch (filtering) {
    case v1::FILTERING_ENDPOINT_INDEPENDENT:
      return "endpoint-independent";
    case v1::FILTERING_ADDRESS_DEPENDENT:
      return "address-dependent";
    case v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT:
      return "address-and-port-dependent";
    default:
      return "unknown";
  }
}

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
    *view.mutable_probe() = Summarize(*facts.latest_probe);
  }
  if (const v1::LogEvent* e = NewestEvent(facts.events, LogKind::kStunNatType)) {
    view.set_log_nat_type(Field(*e, "nat_type"));
    *view.mutable_log_nat_type_time() = e->time();
  }
  if (const v1::LogEvent* e = NewestEvent(facts.events, LogKind::kSdwanState)) {
    view.set_sdwan_state(Field(*e, "state"));
  }
  view.set_reported_nat_type(
      ReportedNatType(view.log_nat_type(), facts.latest_probe));
  CountWindow(facts, now, options, &view);
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
