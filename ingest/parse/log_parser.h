// Turns lines of the product's client and connector logs into LogEvents.
//
// Each rule is a literal that must appear in the line (a cheap pre-filter)
// and an RE2 pattern whose named groups become the event's fields. Lines
// carry a platform-specific prefix ("[Timestamp][Connector]: ", a syslog
// header, a bare timestamp); rules match on what follows it, so the prefix
// never matters. Patterns are compiled once, in Create(); a LogParser is
// immutable afterwards and safe to share between threads.
#ifndef NATSCOPE_INGEST_PARSE_LOG_PARSER_H_
#define NATSCOPE_INGEST_PARSE_LOG_PARSER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"
#include "re2/re2.h"

namespace natscope::ingest {

struct RuleSpec {
  // Becomes LogEvent.kind, e.g. "stun_nat_type". Unique within a parser.
  std::string name;
  // A substring every matching line contains; lines without it skip the
  // regular expression. May be empty (then every line is tried).
  std::string literal;
  // RE2 syntax; named groups (?P<name>...) become LogEvent.fields.
  std::string pattern;
};

// The rules for the product's own log lines (see shared/samples).
std::vector<RuleSpec> BuiltinRules();

class LogParser {
 public:
  // Compiles `rules`. InvalidArgument names the rule and carries RE2's
  // error when a pattern does not compile, or when a name is repeated.
  static absl::StatusOr<std::unique_ptr<LogParser>> Create(
      std::vector<RuleSpec> rules);

  // Returns the event for the first rule that matches `line` (without its
  // newline), or nullopt. `read_time` is used when the line carries no
  // timestamp of its own; `source_file` is copied into the event.
  std::optional<v1::LogEvent> Parse(absl::string_view line,
                                    absl::string_view source_file,
                                    absl::Time read_time) const;

 private:
  struct Rule {
    RuleSpec spec;
    std::unique_ptr<RE2> re;
  };
  explicit LogParser(std::vector<Rule> rules);

  std::vector<Rule> rules_;
  RE2 severity_re_;
  RE2 timestamp_re_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PARSE_LOG_PARSER_H_
