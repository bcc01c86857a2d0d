#include "analyzer/verdict_names.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace natscope::analyzer {
namespace {

template <typename Enum>
struct Words {
  Enum value;
  const char* token;
  const char* name;
};

constexpr Words<v1::MappingBehavior> kMappings[] = {
    {v1::MAPPING_NO_NAT, "no-nat", "no NAT"},
    {v1::MAPPING_ENDPOINT_INDEPENDENT, "endpoint-independent",
     "endpoint-independent"},
    {v1::MAPPING_ADDRESS_DEPENDENT, "address-dependent", "address-dependent"},
    {v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT, "address-and-port-dependent",
     "address-and-port-dependent"},
};

constexpr Words<v1::FilteringBehavior> kFilterings[] = {
    {v1::FILTERING_ENDPOINT_INDEPENDENT, "endpoint-independent",
     "endpoint-independent"},
    {v1::FILTERING_ADDRESS_DEPENDENT, "address-dependent", "address-dependent"},
    {v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT, "address-and-port-dependent",
     "address-and-port-dependent"},
};

constexpr Words<v1::Role> kRoles[] = {
    {v1::ROLE_CLIENT, "client", "client"},
    {v1::ROLE_CONNECTOR, "connector", "connector"},
};

constexpr Words<v1::EvidenceSource> kSources[] = {
    {v1::EVIDENCE_SOURCE_PROBE, "probe", "probe"},
    {v1::EVIDENCE_SOURCE_LOG, "log", "log"},
    {v1::EVIDENCE_SOURCE_BOTH_AGREE, "both-agree", "probe and log agree"},
    {v1::EVIDENCE_SOURCE_BOTH_DISAGREE, "both-disagree",
     "probe and log disagree"},
};

constexpr Words<v1::StunDiscoveryState> kStunStates[] = {
    {v1::STUN_DISCOVERY_AVAILABLE, "available", "available"},
    {v1::STUN_DISCOVERY_UNAVAILABLE, "unavailable", "unavailable"},
};

// The entry of `value` in `table`, or the `unknown` entry's words.
template <typename Enum, size_t N>
const Words<Enum>& Find(const Words<Enum> (&table)[N], Enum value,
                        const Words<Enum>& unknown) {
  for (const Words<Enum>& words : table) {
    if (words.value == value) return words;
  }
  return unknown;
}

constexpr Words<v1::MappingBehavior> kUnknownMapping = {
    v1::MAPPING_UNKNOWN, "unknown", "unknown"};
constexpr Words<v1::FilteringBehavior> kUnknownFiltering = {
    v1::FILTERING_UNKNOWN, "unknown", "unknown"};
constexpr Words<v1::Role> kUnknownRole = {v1::ROLE_UNSPECIFIED, "unspecified",
                                          "unspecified"};
constexpr Words<v1::EvidenceSource> kNoSource = {
    v1::EVIDENCE_SOURCE_UNSPECIFIED, "none", "nothing known"};
constexpr Words<v1::StunDiscoveryState> kUnknownStun = {
    v1::STUN_DISCOVERY_UNKNOWN, "unknown", "unknown"};

}  // namespace

const char* MappingToken(v1::MappingBehavior mapping) {
  return Find(kMappings, mapping, kUnknownMapping).token;
}

const char* MappingName(v1::MappingBehavior mapping) {
  return Find(kMappings, mapping, kUnknownMapping).name;
}

const char* FilteringToken(v1::FilteringBehavior filtering) {
  return Find(kFilterings, filtering, kUnknownFiltering).token;
}

const char* FilteringName(v1::FilteringBehavior filtering) {
  return Find(kFilterings, filtering, kUnknownFiltering).name;
}

const char* RoleName(v1::Role role) {
  return Find(kRoles, role, kUnknownRole).name;
}

const char* SourceToken(v1::EvidenceSource source) {
  return Find(kSources, source, kNoSource).token;
}

const char* SourceName(v1::EvidenceSource source) {
  return Find(kSources, source, kNoSource).name;
}

const char* StunDiscoveryName(v1::StunDiscoveryState state) {
  return Find(kStunStates, state, kUnknownStun).name;
}

std::string FindingToken(v1::FindingCode code) {
  std::string name = v1::FindingCode_Name(code);
  if (name.empty()) return absl::StrCat(static_cast<int>(code));
  constexpr absl::string_view kPrefix = "FINDING_";
  if (absl::StartsWith(name, kPrefix)) name.erase(0, kPrefix.size());
  for (char& c : name) {
    c = c == '_' ? '-' : absl::ascii_tolower(static_cast<unsigned char>(c));
  }
  return name;
}

std::optional<v1::FindingCode> ParseFindingToken(absl::string_view token) {
  std::string upper = absl::AsciiStrToUpper(token);
  for (char& c : upper) {
    if (c == '-') c = '_';
  }
  if (!absl::StartsWith(upper, "FINDING_")) upper = "FINDING_" + upper;
  v1::FindingCode code;
  if (!v1::FindingCode_Parse(upper, &code) || code == v1::FINDING_UNSPECIFIED) {
    return std::nullopt;
  }
  return code;
}

std::optional<v1::Role> ParseRole(absl::string_view name) {
  for (const Words<v1::Role>& words : kRoles) {
    if (name == words.name) return words.value;
  }
  return std::nullopt;
}

}  // namespace natscope::analyzer
