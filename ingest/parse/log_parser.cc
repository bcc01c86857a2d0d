#include "ingest/parse/log_parser.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/utf8.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::ingest {
namespace {

// RE2 20220601 speaks re2::StringPiece, which is not absl::string_view.
re2::StringPiece Piece(absl::string_view s) { return {s.data(), s.size()}; }
absl::string_view View(re2::StringPiece s) { return {s.data(), s.size()}; }

v1::LogSeverity SeverityFromText(absl::string_view text) {
  if (text == "DEBUG" || text == "TRACE") return v1::LOG_SEVERITY_DEBUG;
  if (text == "INFO") return v1::LOG_SEVERITY_INFO;
  if (text == "WARN" || text == "WARNING") return v1::LOG_SEVERITY_WARN;
  if (text == "ERROR" || text == "FATAL") return v1::LOG_SEVERITY_ERROR;
  return v1::LOG_SEVERITY_UNSPECIFIED;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  *out = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

// Parses an RFC 3339-like timestamp; the zone defaults to UTC.
std::optional<absl::Time> ParseLineTime(absl::string_view text) {
  std::string s(text);
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  absl::Time t;
  std::string err;
  for (const char* format :
       {"%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%dT%H:%M:%E*SZ", "%Y-%m-%dT%H:%M:%E*S"}) {
    if (absl::ParseTime(format, s, absl::UTCTimeZone(), &t, &err)) return t;
  }
  return std::nullopt;
}

}  // namespace

std::vector<RuleSpec> BuiltinRules() {
  return {
      // Client: "[INFO] [libsdwan] stun_nat_type: endpoint-independent".
      {"stun_nat_type", "stun_nat_type:",
       R"(stun_nat_type:\s*(?P<nat_type>\S+))"},
      // "[INFO] [libsdwan] sdwan_state: Offline User".
      {"sdwan_state", "sdwan_state:", R"(sdwan_state:\s*(?P<state>.*\S))"},
      // Connector: "listen::maintain_relay_connectivity: relay 1.2.3.4:443
      // is not available, disconnect".
      {"relay_unavailable", "maintain_relay_connectivity",
       R"(maintain_relay_connectivity: relay (?P<relay>.+?) is not available)"},
      // Connector analytics (TWINGATE_LOG_ANALYTICS=v2): one JSON object.
      {"analytics", "ANALYTICS", R"(ANALYTICS (?P<json>\{.*\}))"},
  };
}

absl::StatusOr<std::unique_ptr<LogParser>> LogParser::Create(
    std::vector<RuleSpec> specs) {
  std::vector<Rule> rules;
  absl::flat_hash_set<std::string> names;
  for (RuleSpec& spec : specs) {
    if (spec.name.empty()) {
      return absl::InvalidArgumentError("a parser rule has an empty name");
    }
    if (!names.insert(spec.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parser rule \"", spec.name, "\" is defined twice"));
    }
    auto re = std::make_unique<RE2>(spec.pattern, RE2::Quiet);
    if (!re->ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("parser rule \"", spec.name, "\": bad pattern: ",
                       re->error()));
    }
    rules.push_back({std::move(spec), std::move(re)});
  }
  return std::unique_ptr<LogParser>(new LogParser(std::move(rules)));
}

LogParser::LogParser(std::vector<Rule> rules)
    : rules_(std::move(rules)),
      severity_re_(R"(\[(DEBUG|TRACE|INFO|WARN|WARNING|ERROR|FATAL)\]\s*(?:\[([^\]]+)\])?)"),
      timestamp_re_(
          R"(^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?))") {}

std::optional<v1::LogEvent> LogParser::Parse(absl::string_view raw,
                                             absl::string_view source_file,
                                             absl::Time read_time) const {
  // RE2 matches UTF-8; invalid bytes would silently end a capture, and
  // proto strings must be UTF-8 anyway. Only lines that pass a literal
  // pre-filter pay for the check.
  std::string clean;
  absl::string_view line = raw;
  bool checked = false;
  for (const Rule& rule : rules_) {
    if (!rule.spec.literal.empty() && !absl::StrContains(raw, rule.spec.literal)) {
      continue;
    }
    if (!checked) {
      checked = true;
      if (!IsCleanUtf8(raw)) {
        clean = SanitizeUtf8(raw);
        line = clean;
      }
    }
    const int groups = rule.re->NumberOfCapturingGroups();
    std::vector<re2::StringPiece> captures(groups + 1);
    if (!rule.re->Match(Piece(line), 0, line.size(), RE2::UNANCHORED,
                        captures.data(), groups + 1)) {
      continue;
    }
    v1::LogEvent event;
    event.set_kind(rule.spec.name);
    event.set_source_file(std::string(source_file));
    // Proto strings must be UTF-8; a log line may be anything.
    event.set_raw_line(std::string(line));
    for (const auto& [name, index] : rule.re->NamedCapturingGroups()) {
      (*event.mutable_fields())[name] = captures[index].as_string();
    }
    re2::StringPiece severity, component;
    if (RE2::PartialMatch(Piece(line), severity_re_, &severity, &component)) {
      event.set_severity(SeverityFromText(View(severity)));
      event.set_component(component.as_string());
    }
    re2::StringPiece stamp;
    std::optional<absl::Time> line_time;
    if (RE2::PartialMatch(Piece(line), timestamp_re_, &stamp)) {
      line_time = ParseLineTime(View(stamp));
    }
    SetTime(line_time.value_or(read_time), event.mutable_time());
    return event;
  }
  return std::nullopt;
}

}  // namespace natscope::ingest
