// Turns lines of the product's client and connector logs into LogEvents.
//
// Each rule is a literal that must appear in the line (a cheap pre-filter)
// and an RE2 pattern whose named groups become the event's fields. Lines
// carry a platform-specific prefix ("[Timestamp][Connector]: ", a syslog
// header, a bare timestamp); rules match on what follows it, so the prefix
// never matters. Patterns are compiled once, in Create(); a LogParser is
// immutable afterwards and safe to share between threads.
//
// Two ways in: Parse() builds a LogEvent for one line; the hot path of a
// reader (natscope-agent parse, the tailer) calls ForEachCandidate() on a
// whole block of lines, which skips every line without a rule's literal
// using one SIMD pass, then Match() into a reused ParsedLine, which
// allocates nothing once warm.
#ifndef NATSCOPE_INGEST_PARSE_LOG_PARSER_H_
#define NATSCOPE_INGEST_PARSE_LOG_PARSER_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/parse/literal_search.h"
#include "natscope/v1/agent.pb.h"
#include "re2/re2.h"

namespace natscope::ingest {

struct RuleSpec {
  // Becomes LogEvent.kind, e.g. "stun_nat_type". Unique within a parser.
  std::string name;
  // A substring every matching line contains; lines without it skip the
  // regular expression. May be empty (then every line is tried, which is
  // much slower on big files).
  std::string literal;
  // RE2 syntax; named groups (?P<name>...) become LogEvent.fields.
  std::string pattern;
  // When the pattern has a group named "json" holding a JSON object, the
  // values of these keys (first occurrence at any depth; strings without
  // their quotes, escapes kept as written; numbers, booleans) become fields
  // instead of the whole object.
  std::vector<std::string> json_keys;
};

// The rules for the product's own log lines (see shared/samples).
std::vector<RuleSpec> BuiltinRules();

// One matched line, as views into the line and the parser; valid until the
// next Match() into the same object or the line's storage changes. Reuse
// one per thread to keep the hot path free of allocations.
struct ParsedLine {
  const RuleSpec* rule = nullptr;
  // The line, with invalid UTF-8 replaced (then it points into `clean`).
  absl::string_view line;
  // (name, value) in the rule's group order, then its json_keys order.
  std::vector<std::pair<absl::string_view, absl::string_view>> fields;
  v1::LogSeverity severity = v1::LOG_SEVERITY_UNSPECIFIED;
  // The bracketed component after the severity, e.g. "libsdwan".
  absl::string_view component;
  // The line's own timestamp, else the read time.
  absl::Time time;

  // Scratch space owned by the caller's object.
  std::string clean;
  std::vector<re2::StringPiece> captures;
};

class LogParser {
 public:
  // Compiles `rules`. InvalidArgument names the rule and carries RE2's
  // error when a pattern does not compile, or when a name is repeated or
  // empty. Timestamps written without a zone are taken to be in `zone`.
  static absl::StatusOr<std::unique_ptr<LogParser>> Create(
      std::vector<RuleSpec> rules, absl::TimeZone zone = absl::UTCTimeZone());

  // Returns the event for the first rule that matches `line` (without its
  // newline), or nullopt. `read_time` is used when the line carries no
  // timestamp of its own; `source_file` is copied into the event.
  std::optional<v1::LogEvent> Parse(absl::string_view line,
                                    absl::string_view source_file,
                                    absl::Time read_time) const;

  // Like Parse(), into `*out`; false when no rule matches.
  bool Match(absl::string_view line, absl::Time read_time,
             ParsedLine* out) const;

  // Calls `fn` with every line of `text` (lines separated by '\n'; a
  // trailing "\r" is dropped) that contains some rule's literal, in order.
  // Lines without one cannot match any rule and are skipped.
  void ForEachCandidate(absl::string_view text,
                        absl::FunctionRef<void(absl::string_view)> fn) const;

  // The rules, in matching order.
  std::vector<const RuleSpec*> rules() const;

 private:
  struct Rule {
    RuleSpec spec;
    std::unique_ptr<RE2> re;
    // Named groups as (name, index), in index order; "json" excluded when
    // the rule has json_keys.
    std::vector<std::pair<std::string, int>> groups;
    int json_group = -1;
    // The pattern starts with the literal: match anchored where it occurs.
    bool anchored_at_literal = false;
  };
  // Runs `rule` over `line`, filling `*captures` (sized to the groups + 1).
  static bool MatchRule(const Rule& rule, absl::string_view line,
                        std::vector<re2::StringPiece>* captures);
  LogParser(std::vector<Rule> rules, absl::TimeZone zone);

  std::vector<Rule> rules_;
  absl::TimeZone zone_;
  // Null when some rule has no literal: every line is a candidate then.
  std::unique_ptr<LiteralSearch> search_;
};

// The event for a ParsedLine, with `source_file` copied in.
v1::LogEvent ToLogEvent(const ParsedLine& parsed,
                        absl::string_view source_file);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PARSE_LOG_PARSER_H_
