#include "analyzer/site/stun_discovery.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace natscope::analyzer {
namespace {

using State = v1::StunDiscoveryState;

// What the log says, with its lines; UNKNOWN when it says nothing.
State FromLog(const AgentEvidence& e, std::vector<std::string>* lines) {
  if (e.relay_listener_errors > 0) {
    lines->push_back(absl::StrCat(
        "the product's log shows ", e.relay_listener_errors,
        " failure(s) to preconnect a relay listener in the last 24 hours"));
  }
  if (e.relay_unavailable > 0) {
    lines->push_back(absl::StrCat("the product's log shows ",
                                  e.relay_unavailable,
                                  " relay(s) not available in the last 24 "
                                  "hours"));
  }
  if (e.log != LogNat::kNone) lines->push_back(e.log_line);
  // Errors within the window outweigh a NAT type line, which the product
  // writes once when its discovery runs and which may predate them.
  if (e.relay_listener_errors > 0 || e.relay_unavailable > 0 ||
      e.log == LogNat::kDiscoveryFailed) {
    return v1::STUN_DISCOVERY_UNAVAILABLE;
  }
  return e.log == LogNat::kNone ? v1::STUN_DISCOVERY_UNKNOWN
                                : v1::STUN_DISCOVERY_AVAILABLE;
}

State FromProbe(const v1::ProbeSummary& probe) {
  return probe.udp_reachable() ? v1::STUN_DISCOVERY_AVAILABLE
                               : v1::STUN_DISCOVERY_UNAVAILABLE;
}

std::string ProbeLine(const v1::ProbeSummary& probe, bool fresh) {
  return absl::StrCat(fresh ? "the probe at " : "the last probe, at ",
                      FormatProtoTime(probe.time()),
                      probe.udp_reachable() ? ", got a STUN answer over UDP"
                                            : ", got no STUN answer over UDP");
}

}  // namespace

v1::StunDiscovery JudgeStunDiscovery(const AgentEvidence& e) {
  v1::StunDiscovery out;
  std::vector<std::string> log_lines;
  const State log = FromLog(e, &log_lines);
  if (e.probe != nullptr && e.probe_fresh) {
    const State probe = FromProbe(*e.probe);
    out.set_state(probe);
    out.add_evidence(ProbeLine(*e.probe, true));
    if (log == v1::STUN_DISCOVERY_UNKNOWN) {
      out.set_source(v1::EVIDENCE_SOURCE_PROBE);
      return out;
    }
    out.set_source(log == probe ? v1::EVIDENCE_SOURCE_BOTH_AGREE
                                : v1::EVIDENCE_SOURCE_BOTH_DISAGREE);
  } else if (log != v1::STUN_DISCOVERY_UNKNOWN) {
    out.set_state(log);
    out.set_source(v1::EVIDENCE_SOURCE_LOG);
  } else if (e.probe != nullptr) {
    out.set_state(FromProbe(*e.probe));
    out.set_source(v1::EVIDENCE_SOURCE_PROBE);
    out.add_evidence(ProbeLine(*e.probe, false));
    return out;
  } else {
    return out;  // UNKNOWN, UNSPECIFIED.
  }
  for (std::string& line : log_lines) out.add_evidence(std::move(line));
  return out;
}

}  // namespace natscope::analyzer
