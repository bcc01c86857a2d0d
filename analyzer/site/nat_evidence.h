// Which evidence an agent's verdicts rest on: its probe, the product's own
// log lines, or both. The rules (documented with the fields they fill in
// analysis.proto: AgentView.nat_class_source, StunDiscovery):
//   - a probe is fresh when at most AgentViewOptions::stale_after old; a
//     fresh probe decides, and a usable log line agrees or disagrees;
//   - a stun_nat_type line is usable when LogNatOf knows its value and it
//     is at most log_max_age old; without a fresh probe it decides;
//   - with neither, a stale probe still decides (source PROBE).
// Pure; thread-safe.
#ifndef NATSCOPE_ANALYZER_SITE_NAT_EVIDENCE_H_
#define NATSCOPE_ANALYZER_SITE_NAT_EVIDENCE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "analyzer/site/agent_view.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

// What a stun_nat_type value says.
enum class LogNat {
  kNone,             // Empty, or a value the analyzer does not know.
  kIndependent,      // "endpoint-independent" (any letter case).
  kDependent,        // "endpoint-dependent".
  kDiscoveryFailed,  // Starts with "unknown", e.g. "unknown(7)".
};
LogNat LogNatOf(absl::string_view log_nat_type);

// What one agent's facts offer as evidence as of `now`.
struct AgentEvidence {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  // The server's summary of the latest probe; null when none. Not owned.
  const v1::ProbeSummary* probe = nullptr;
  bool probe_fresh = false;
  // kNone too when the line is older than log_max_age.
  LogNat log = LogNat::kNone;
  // "the product's log at <time> says stun_nat_type: <value>"; empty
  // when `log` is kNone.
  std::string log_line;
  // MEDIUM for a line at most log_fresh_for old, LOW when older.
  v1::Confidence log_confidence = v1::CONFIDENCE_UNSPECIFIED;
  // Over the tunnel window.
  uint32_t relay_unavailable = 0;
  uint32_t relay_listener_errors = 0;
};

// Reads `view`'s identity, probe, log_nat_type, log_nat_type_time and
// relay counts. `view` must outlive the result (it points at the probe).
AgentEvidence EvidenceOf(const v1::AgentView& view, absl::Time now,
                         const AgentViewOptions& options);

struct NatChoice {
  v1::NatClass nat_class;  // Label set.
  v1::EvidenceSource source = v1::EVIDENCE_SOURCE_UNSPECIFIED;
};

// The agent's class and what it rests on (rules above).
NatChoice ChooseNatClass(const AgentEvidence& evidence);

// The class the log alone gives: source LOG, the mapping the value names
// (endpoint-dependent as MAPPING_ADDRESS_AND_PORT_DEPENDENT), filtering
// unknown, label set.
v1::NatClass LogNatClass(LogNat log);

// "the probe at <time> measured <mapping> mapping (public address A)".
std::string ProbeMappingEvidence(const v1::ProbeSummary& probe);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_SITE_NAT_EVIDENCE_H_
