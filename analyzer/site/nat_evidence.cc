#include "analyzer/site/nat_evidence.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analyzer/site/pair_verdict.h"
#include "analyzer/verdict_names.h"
#include "common/proto_time.h"

namespace natscope::analyzer {
namespace {

// The probe's result in the log's terms; kNone when its mapping is
// unknown (nothing to compare).
LogNat ProbeNat(const v1::ProbeSummary& probe) {
  if (!probe.udp_reachable()) return LogNat::kDiscoveryFailed;
  if (IsEndpointDependent(probe.mapping_behavior())) return LogNat::kDependent;
  if (probe.mapping_behavior() == v1::MAPPING_ENDPOINT_INDEPENDENT ||
      probe.mapping_behavior() == v1::MAPPING_NO_NAT) {
    return LogNat::kIndependent;
  }
  return LogNat::kNone;
}

}  // namespace

LogNat LogNatOf(absl::string_view log_nat_type) {
  if (absl::EqualsIgnoreCase(log_nat_type, "endpoint-independent")) {
    return LogNat::kIndependent;
  }
  if (absl::EqualsIgnoreCase(log_nat_type, "endpoint-dependent")) {
    return LogNat::kDependent;
  }
  // Some product versions log "unknown" with a code when discovery failed.
  if (absl::StartsWithIgnoreCase(log_nat_type, "unknown")) {
    return LogNat::kDiscoveryFailed;
  }
  return LogNat::kNone;
}

AgentEvidence EvidenceOf(const v1::AgentView& view, absl::Time now,
                         const AgentViewOptions& options) {
  AgentEvidence e;
  e.role = view.identity().role();
  if (view.has_probe()) {
    e.probe = &view.probe();
    // A probe dated in the future (clock skew) counts as fresh, as in
    // FreshnessOf.
    e.probe_fresh =
        now - FromProtoTime(view.probe().time()) <= options.stale_after;
  }
  const LogNat log = LogNatOf(view.log_nat_type());
  if (log != LogNat::kNone && view.has_log_nat_type_time()) {
    const absl::Duration age = now - FromProtoTime(view.log_nat_type_time());
    if (age <= options.log_max_age) {
      e.log = log;
      e.log_confidence = age <= options.log_fresh_for ? v1::CONFIDENCE_MEDIUM
                                                      : v1::CONFIDENCE_LOW;
      e.log_line = absl::StrCat("the product's log at ",
                                FormatProtoTime(view.log_nat_type_time()),
                                " says stun_nat_type: ", view.log_nat_type());
    }
  }
  e.relay_unavailable = view.relay_unavailable_events();
  e.relay_listener_errors = view.relay_listener_errors();
  return e;
}

v1::NatClass LogNatClass(LogNat log) {
  v1::NatClass c;
  c.set_source(v1::EVIDENCE_SOURCE_LOG);
  if (log == LogNat::kIndependent) {
    c.set_mapping(v1::MAPPING_ENDPOINT_INDEPENDENT);
  } else if (log == LogNat::kDependent) {
    // The log does not say which endpoint-dependent kind. Address-and-
    // port-dependent is what symmetric NATs and AWS NAT gateways do, and
    // every pair policy treats both kinds alike.
    c.set_mapping(v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  }
  c.set_label(NatClassLabel(c));
  return c;
}

NatChoice ChooseNatClass(const AgentEvidence& e) {
  NatChoice out;
  if (e.probe != nullptr && e.probe_fresh) {
    out.nat_class = NatClassOf(e.probe);
    const LogNat measured = ProbeNat(*e.probe);
    if (e.log == LogNat::kNone || measured == LogNat::kNone) {
      out.source = v1::EVIDENCE_SOURCE_PROBE;
    } else {
      out.source = e.log == measured ? v1::EVIDENCE_SOURCE_BOTH_AGREE
                                     : v1::EVIDENCE_SOURCE_BOTH_DISAGREE;
    }
    return out;
  }
  if (e.log != LogNat::kNone) {
    out.nat_class = LogNatClass(e.log);
    out.source = v1::EVIDENCE_SOURCE_LOG;
    return out;
  }
  // A stale probe is still the best there is.
  out.nat_class = NatClassOf(e.probe);
  out.source = e.probe != nullptr ? v1::EVIDENCE_SOURCE_PROBE
                                  : v1::EVIDENCE_SOURCE_UNSPECIFIED;
  return out;
}

std::string ProbeMappingEvidence(const v1::ProbeSummary& probe) {
  if (!probe.udp_reachable()) {
    return absl::StrCat("the probe at ", FormatProtoTime(probe.time()),
                        " got no STUN answer over UDP");
  }
  return absl::StrCat(
      "the probe at ", FormatProtoTime(probe.time()), " measured ",
      MappingName(probe.mapping_behavior()), " mapping",
      probe.public_address().empty()
          ? ""
          : absl::StrCat(" (public address ", probe.public_address(), ")"));
}

}  // namespace natscope::analyzer
