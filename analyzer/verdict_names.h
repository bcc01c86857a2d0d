// The words for the verdict vocabulary's enums: one table per enum, each
// value with its token (kebab-case, one word: CLI tables, JSON-ish
// output, NAT type strings) and its name (prose: labels, evidence,
// reports). Every part of natscope that shows these enums reads them here.
// Pure; thread-safe.
#ifndef NATSCOPE_ANALYZER_VERDICT_NAMES_H_
#define NATSCOPE_ANALYZER_VERDICT_NAMES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/analysis.pb.h"
#include "natscope/v1/verdict.pb.h"

namespace natscope::analyzer {

// "no-nat", "endpoint-independent", "address-dependent",
// "address-and-port-dependent", "unknown".
const char* MappingToken(v1::MappingBehavior mapping);
// "no NAT", "endpoint-independent", ..., "unknown".
const char* MappingName(v1::MappingBehavior mapping);

// "endpoint-independent", "address-dependent",
// "address-and-port-dependent", "unknown".
const char* FilteringToken(v1::FilteringBehavior filtering);
const char* FilteringName(v1::FilteringBehavior filtering);

// A finding code's token: its enum name without FINDING_, in lower case
// with dashes ("aws-nat-gateway", "udp-blocked"): how every command, flag
// and line names a finding.
std::string FindingToken(v1::FindingCode code);
// The code a token names (any letter case, dashes or underscores, with or
// without the finding- prefix); nullopt for anything else.
std::optional<v1::FindingCode> ParseFindingToken(absl::string_view token);

// What a verdict rests on, as a token ("probe", "log", "both-agree",
// "both-disagree", "none") and in words ("probe", "log", "probe and log
// agree", "probe and log disagree", "nothing known").
const char* SourceToken(v1::EvidenceSource source);
const char* SourceName(v1::EvidenceSource source);

// "available", "unavailable", "unknown".
const char* StunDiscoveryName(v1::StunDiscoveryState state);

// "client", "connector", "unspecified".
const char* RoleName(v1::Role role);
// The role named `name` ("client" or "connector"); nullopt for any other.
std::optional<v1::Role> ParseRole(absl::string_view name);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_VERDICT_NAMES_H_
