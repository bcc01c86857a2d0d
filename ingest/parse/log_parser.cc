#include "ingest/parse/log_parser.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "analyzer/batch_summary.h"
#include "common/utf8.h"
#include "google/protobuf/util/time_util.h"
#include "ingest/parse/line_time.h"

namespace natscope::ingest {
namespace {

// RE2 20220601 speaks re2::StringPiece, which is not absl::string_view.
re2::StringPiece Piece(absl::string_view s) { return {s.data(), s.size()}; }
absl::string_view View(re2::StringPiece s) { return {s.data(), s.size()}; }

struct Level {
  absl::string_view text;
  v1::LogSeverity severity;
};
constexpr Level kLevels[] = {
    {"DEBUG", v1::LOG_SEVERITY_DEBUG},  {"TRACE", v1::LOG_SEVERITY_DEBUG},
    {"INFO", v1::LOG_SEVERITY_INFO},    {"WARN", v1::LOG_SEVERITY_WARN},
    {"WARNING", v1::LOG_SEVERITY_WARN}, {"ERROR", v1::LOG_SEVERITY_ERROR},
    {"FATAL", v1::LOG_SEVERITY_ERROR},
};

// The first "[LEVEL]" in the line, and the "[component]" right after it
// (spaces allowed between): "[INFO] [libsdwan] ...". A hand-written scan:
// this runs on every matched line and a regular expression costs more
// than the rest of the parse.
void FindSeverity(absl::string_view line, ParsedLine* out) {
  out->severity = v1::LOG_SEVERITY_UNSPECIFIED;
  out->component = {};
  for (size_t open = line.find('['); open != absl::string_view::npos;
       open = line.find('[', open + 1)) {
    const absl::string_view rest = line.substr(open + 1);
    for (const Level& level : kLevels) {
      if (rest.size() <= level.text.size() || rest[level.text.size()] != ']' ||
          rest.substr(0, level.text.size()) != level.text) {
        continue;
      }
      out->severity = level.severity;
      size_t i = level.text.size() + 1;
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
      if (i < rest.size() && rest[i] == '[') {
        const size_t close = rest.find(']', i + 1);
        if (close != absl::string_view::npos && close > i + 1) {
          out->component = rest.substr(i + 1, close - i - 1);
        }
      }
      return;
    }
  }
}

// The value of `"key": value` anywhere in `json`: a string's contents, or
// a number/boolean/null token. Empty when the key is absent.
absl::string_view JsonValue(absl::string_view json, absl::string_view key) {
  for (size_t at = json.find(key); at != absl::string_view::npos;
       at = json.find(key, at + 1)) {
    if (at == 0 || json[at - 1] != '"' || at + key.size() >= json.size() ||
        json[at + key.size()] != '"') {
      continue;
    }
    size_t i = at + key.size() + 1;
    while (i < json.size() && json[i] == ' ') ++i;
    if (i >= json.size() || json[i] != ':') continue;  // A value, not a key.
    ++i;
    while (i < json.size() && json[i] == ' ') ++i;
    if (i >= json.size()) return {};
    if (json[i] == '"') {
      size_t end = i + 1;
      while (end < json.size() && json[end] != '"')
        end += json[end] == '\\' ? 2 : 1;
      if (end > json.size()) end = json.size();
      return json.substr(i + 1, end - i - 1);
    }
    if (json[i] == '{' || json[i] == '[') return {};  // Objects are not fields.
    size_t end = i;
    while (end < json.size() && std::strchr(",}] \t", json[end]) == nullptr)
      ++end;
    return json.substr(i, end - i);
  }
  return {};
}

// True when `text` is 7-bit ASCII without NUL, checked 8 bytes at a time:
// nearly every log line, and then clean UTF-8 without the full check.
bool IsPlainAscii(absl::string_view text) {
  const char* p = text.data();
  size_t n = text.size();
  uint64_t high = 0, zero = 0;
  constexpr uint64_t kLow = 0x0101010101010101ull,
                     kHigh = 0x8080808080808080ull;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    high |= word;
    zero |= (word - kLow) & ~word;
  }
  for (; n > 0; ++p, --n) {
    high |= static_cast<unsigned char>(*p);
    if (*p == '\0') zero |= kHigh;
  }
  return ((high | zero) & kHigh) == 0;
}

// True when `pattern` starts with `literal` as plain text, so a match can
// only start where the literal does.
bool StartsWithLiteral(absl::string_view pattern, absl::string_view literal) {
  if (literal.empty() || pattern.substr(0, literal.size()) != literal)
    return false;
  return literal.find_first_of("\\.+*?()|[]{}^$") == absl::string_view::npos;
}

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const absl::Duration since_epoch = t - absl::UnixEpoch();
  const int64_t seconds =
      absl::ToInt64Seconds(absl::Floor(since_epoch, absl::Seconds(1)));
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
}

}  // namespace

// The kinds are the analyzer's (analyzer/batch_summary.h): what the server
// makes of a line is decided by the same table that names it here.
std::vector<RuleSpec> BuiltinRules() {
  using analyzer::LogKind;
  return {
      // Client: "[INFO] [libsdwan] stun_nat_type: endpoint-independent";
      // any other value ("endpoint-dependent", "unknown(7)") verbatim.
      {analyzer::KindName(LogKind::kStunNatType),
       "stun_nat_type:",
       R"(stun_nat_type:\s*(?P<nat_type>\S+))",
       {}},
      // "[INFO] [libsdwan] sdwan_state: Offline User".
      {analyzer::KindName(LogKind::kSdwanState), "sdwan_state:", R"(sdwan_state:\s*(?P<state>.*\S))", {}},
      // Connector: "listen::maintain_relay_connectivity: relay 1.2.3.4:443
      // is not available, disconnect".
      {analyzer::KindName(LogKind::kRelayUnavailable),
       "maintain_relay_connectivity",
       R"(maintain_relay_connectivity: relay (?P<relay>.+?) is not available)",
       {}},
      // Connector: 'listen::channel_event: Failed to preconnect a relay
      // listener "ice://any": 110 (Connection timed out)'. The listener is
      // what the connector's peer-to-peer candidates go through; failing
      // to open it leaves STUN discovery unavailable.
      {analyzer::KindName(LogKind::kRelayListenerFailed),
       "preconnect a relay listener",
       R"re(preconnect a relay listener "(?P<listener>[^"]*)":\s*(?P<error>.*\S))re",
       {}},
      // Connector analytics (TWINGATE_LOG_ANALYTICS=v2): one JSON object
      // after the word; the log-shipper schema names tunnel_path (direct |
      // relayed) and tunnel_proto.
      // The object runs to the end of the line; a line cut at the length
      // limit still yields the keys before the cut.
      {analyzer::KindName(LogKind::kAnalytics),
       "ANALYTICS",
       R"(ANALYTICS (?P<json>\{.*))",
       {"tunnel_path", "tunnel_proto"}},
  };
}

absl::StatusOr<std::unique_ptr<LogParser>> LogParser::Create(
    std::vector<RuleSpec> specs, absl::TimeZone zone) {
  std::vector<Rule> rules;
  absl::flat_hash_set<std::string> names;
  bool every_rule_has_literal = !specs.empty();
  std::vector<std::string> literals;
  for (RuleSpec& spec : specs) {
    if (spec.name.empty()) {
      return absl::InvalidArgumentError(
          "a parser rule has an empty name: give every rule a name");
    }
    if (!names.insert(spec.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("parser rule \"", spec.name,
                       "\" is defined twice: rename one of them"));
    }
    auto re = std::make_unique<RE2>(spec.pattern, RE2::Quiet);
    if (!re->ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "parser rule \"", spec.name, "\": bad pattern: ", re->error()));
    }
    Rule rule{std::move(spec), std::move(re), {}, -1, false};
    rule.anchored_at_literal =
        StartsWithLiteral(rule.spec.pattern, rule.spec.literal);
    for (const auto& [name, index] : rule.re->NamedCapturingGroups()) {
      if (name == "json" && !rule.spec.json_keys.empty()) {
        rule.json_group = index;
      } else {
        rule.groups.emplace_back(name, index);
      }
    }
    std::sort(rule.groups.begin(), rule.groups.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    if (rule.spec.literal.empty()) every_rule_has_literal = false;
    literals.push_back(rule.spec.literal);
    rules.push_back(std::move(rule));
  }
  auto parser =
      std::unique_ptr<LogParser>(new LogParser(std::move(rules), zone));
  if (every_rule_has_literal) {
    parser->search_ = std::make_unique<LiteralSearch>(std::move(literals));
  }
  return parser;
}

LogParser::LogParser(std::vector<Rule> rules, absl::TimeZone zone)
    : rules_(std::move(rules)), zone_(zone) {}

std::vector<const RuleSpec*> LogParser::rules() const {
  std::vector<const RuleSpec*> out;
  for (const Rule& rule : rules_) out.push_back(&rule.spec);
  return out;
}

bool LogParser::MatchRule(const Rule& rule, absl::string_view line,
                          std::vector<re2::StringPiece>* captures) {
  const int groups = static_cast<int>(captures->size());
  if (!rule.anchored_at_literal) {
    return rule.re->Match(Piece(line), 0, line.size(), RE2::UNANCHORED,
                          captures->data(), groups);
  }
  // The leftmost match starts at the first occurrence of the literal from
  // which an anchored match succeeds; RE2 then never scans the prefix.
  for (size_t at = line.find(rule.spec.literal); at != absl::string_view::npos;
       at = line.find(rule.spec.literal, at + 1)) {
    if (rule.re->Match(Piece(line), at, line.size(), RE2::ANCHOR_START,
                       captures->data(), groups)) {
      return true;
    }
  }
  return false;
}

bool LogParser::Match(absl::string_view raw, absl::Time read_time,
                      ParsedLine* out) const {
  // RE2 matches UTF-8; invalid bytes would silently end a capture, and
  // proto strings must be UTF-8 anyway. Only lines that pass a literal
  // pre-filter pay for the check.
  bool checked = false;
  absl::string_view line = raw;
  for (const Rule& rule : rules_) {
    if (!rule.spec.literal.empty() &&
        raw.find(rule.spec.literal) == absl::string_view::npos) {
      continue;
    }
    if (!checked) {
      checked = true;
      if (!IsPlainAscii(raw) && !IsCleanUtf8(raw)) {
        out->clean = SanitizeUtf8(raw);
        line = out->clean;
      }
    }
    const int groups = rule.re->NumberOfCapturingGroups() + 1;
    out->captures.resize(static_cast<size_t>(groups));
    if (!MatchRule(rule, line, &out->captures)) continue;
    out->rule = &rule.spec;
    out->line = line;
    out->fields.clear();
    for (const auto& [name, index] : rule.groups) {
      out->fields.emplace_back(name, View(out->captures[index]));
    }
    if (rule.json_group >= 0) {
      const absl::string_view json = View(out->captures[rule.json_group]);
      for (const std::string& key : rule.spec.json_keys) {
        const absl::string_view value = JsonValue(json, key);
        if (!value.empty()) out->fields.emplace_back(key, value);
      }
    }
    FindSeverity(line, out);
    out->time = ParseLineTime(line, read_time, zone_).value_or(read_time);
    return true;
  }
  return false;
}

void LogParser::ForEachCandidate(
    absl::string_view text,
    absl::FunctionRef<void(absl::string_view)> fn) const {
  const auto emit = [&fn](absl::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    if (search_ != nullptr) {
      const size_t hit = search_->Find(text, pos);
      if (hit == absl::string_view::npos) return;
      const void* nl =
          hit == pos ? nullptr : memrchr(text.data() + pos, '\n', hit - pos);
      if (nl != nullptr) start = static_cast<const char*>(nl) - text.data() + 1;
    }
    const void* nl =
        std::memchr(text.data() + start, '\n', text.size() - start);
    const size_t end = nl == nullptr
                           ? text.size()
                           : static_cast<const char*>(nl) - text.data();
    emit(text.substr(start, end - start));
    pos = end + 1;
  }
}

std::optional<v1::LogEvent> LogParser::Parse(absl::string_view line,
                                             absl::string_view source_file,
                                             absl::Time read_time) const {
  ParsedLine parsed;
  if (!Match(line, read_time, &parsed)) return std::nullopt;
  return ToLogEvent(parsed, source_file);
}

v1::LogEvent ToLogEvent(const ParsedLine& parsed,
                        absl::string_view source_file) {
  v1::LogEvent event;
  SetTime(parsed.time, event.mutable_time());
  event.set_source_file(SanitizeUtf8(source_file));
  event.set_severity(parsed.severity);
  event.set_component(std::string(parsed.component));
  event.set_kind(parsed.rule->name);
  for (const auto& [name, value] : parsed.fields) {
    (*event.mutable_fields())[std::string(name)] = std::string(value);
  }
  event.set_raw_line(std::string(parsed.line));
  return event;
}

}  // namespace natscope::ingest
