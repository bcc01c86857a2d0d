// ValidateConfig: every rule a config must satisfy, each problem reported
// with the path of the field it concerns.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ingest/config/config.h"
#include "ingest/parse/log_parser.h"
#include "re2/re2.h"

namespace natscope::ingest {
namespace {

class Problems {
 public:
  void Add(absl::string_view field, absl::string_view problem) {
    list_.push_back(absl::StrCat(field, ": ", problem));
  }
  absl::Status ToStatus() const {
    if (list_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrJoin(list_, "\n"));
  }

 private:
  std::vector<std::string> list_;
};

bool IsHostPort(absl::string_view text) {
  absl::string_view host, port;
  if (absl::StartsWith(text, "[")) {
    const size_t end = text.find("]:");
    if (end == absl::string_view::npos) return false;
    host = text.substr(1, end - 1);
    port = text.substr(end + 2);
  } else {
    const size_t colon = text.find(':');
    if (colon == absl::string_view::npos || text.rfind(':') != colon)
      return false;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  int number = 0;
  return !host.empty() && absl::SimpleAtoi(port, &number) && number >= 1 &&
         number <= 65535;
}

void CheckHostPort(absl::string_view field, const std::string& value,
                   Problems* p) {
  if (!IsHostPort(value)) {
    p->Add(
        field,
        absl::StrCat("\"", value, "\" is not HOST:PORT (e.g. ",
                     "\"natscope.example.com:7700\", \"[2001:db8::1]:7700\")"));
  }
}

void CheckAbsolutePath(absl::string_view field, const std::string& value,
                       Problems* p) {
  if (value.empty()) {
    p->Add(field, "empty");
  } else if (value[0] != '/') {
    p->Add(field, absl::StrCat("\"", value, "\" must be an absolute path"));
  }
}

void CheckDuration(absl::string_view field, const std::string& value,
                   absl::Duration min, absl::Duration max, Problems* p) {
  absl::Duration d;
  if (!absl::ParseDuration(value, &d)) {
    p->Add(field,
           absl::StrCat(
               "\"", value,
               "\" is not a duration (write e.g. \"250ms\", \"30s\", \"5m\")"));
  } else if (d < min) {
    p->Add(field, absl::StrCat("must be at least ", absl::FormatDuration(min)));
  } else if (d > max) {
    p->Add(field, absl::StrCat("must be at most ", absl::FormatDuration(max)));
  }
}

void CheckRange(absl::string_view field, uint64_t value, uint64_t min,
                uint64_t max, Problems* p) {
  if (value < min || value > max) {
    p->Add(field, absl::StrCat(value, " is out of range: ", min, " to ", max));
  }
}

void CheckIdentity(const v1::IdentityConfig& id, Problems* p) {
  static const RE2* const kId = new RE2(R"([A-Za-z0-9._-]{1,128})");
  if (!RE2::FullMatch(id.agent_id(), *kId)) {
    p->Add("identity.agent_id",
           absl::StrCat("\"", id.agent_id(),
                        "\" must be 1 to 128 characters from A-Z a-z 0-9 . _ - "
                        "(it defaults to the host's name; set it explicitly)"));
  }
  if (id.site().empty()) {
    p->Add("identity.site", "required: the site (remote network) of this host");
  } else if (!RE2::FullMatch(id.site(), *kId)) {
    p->Add("identity.site", absl::StrCat("\"", id.site(),
                                         "\" must be 1 to 128 characters from "
                                         "A-Z a-z 0-9 . _ -"));
  }
  if (id.role() != v1::ROLE_CLIENT && id.role() != v1::ROLE_CONNECTOR) {
    p->Add("identity.role", "required: ROLE_CLIENT or ROLE_CONNECTOR");
  }
}

void CheckTls(const v1::AgentConfig& c, Problems* p) {
  const v1::TlsConfig& tls = c.tls();
  if (tls.ca_file().empty() && !tls.plaintext()) {
    p->Add("tls", "set ca_file, or plaintext: true to send in the clear");
  } else if (!tls.ca_file().empty() && tls.plaintext()) {
    p->Add("tls", "ca_file and plaintext: true are both set; keep one");
  } else if (!tls.ca_file().empty()) {
    CheckAbsolutePath("tls.ca_file", tls.ca_file(), p);
  }
  if (tls.plaintext() && !tls.server_name().empty()) {
    p->Add("tls.server_name", "only applies to TLS; remove it or set ca_file");
  }
}

void CheckJournal(int i, const v1::LogSource& source, Problems* p) {
  const std::string field = absl::StrCat("logs[", i, "].journal");
  if (!source.path().empty()) {
    p->Add(field, "set either path or journal, not both");
  }
  const v1::JournalSource& journal = source.journal();
  if (journal.unit().empty() && journal.syslog_identifier().empty()) {
    p->Add(field, "name a unit (\"connector.service\") or syslog_identifier");
  }
  if (!journal.directory().empty()) {
    CheckAbsolutePath(field + ".directory", journal.directory(), p);
  }
}

void CheckLogs(const v1::AgentConfig& c, Problems* p) {
  for (int i = 0; i < c.logs_size(); ++i) {
    if (c.logs(i).has_journal()) {
      CheckJournal(i, c.logs(i), p);
      continue;
    }
    const std::string field = absl::StrCat("logs[", i, "].path");
    CheckAbsolutePath(field, c.logs(i).path(), p);
    for (int j = 0; j < i; ++j) {
      if (!c.logs(i).path().empty() && c.logs(i).path() == c.logs(j).path()) {
        p->Add(field, absl::StrCat("\"", c.logs(i).path(), "\" repeats logs[",
                                   j, "]"));
        break;
      }
    }
  }
}

void CheckRules(const v1::AgentConfig& c, Problems* p) {
  static const RE2* const kName = new RE2(R"([a-z][a-z0-9_]{0,63})");
  std::set<std::string> builtin;
  for (const RuleSpec& rule : BuiltinRules()) builtin.insert(rule.name);
  std::set<std::string> seen;
  for (int i = 0; i < c.rules_size(); ++i) {
    const v1::ParserRule& rule = c.rules(i);
    const std::string at = absl::StrCat("rules[", i, "]");
    if (!RE2::FullMatch(rule.name(), *kName)) {
      p->Add(at + ".name",
             absl::StrCat("\"", rule.name(),
                          "\" must match [a-z][a-z0-9_]*, at most 64 "
                          "characters"));
    } else if (builtin.count(rule.name()) > 0) {
      p->Add(at + ".name",
             absl::StrCat("\"", rule.name(),
                          "\" is a built-in rule; choose another name"));
    } else if (!seen.insert(rule.name()).second) {
      p->Add(at + ".name",
             absl::StrCat("\"", rule.name(), "\" is used by an earlier rule"));
    }
    if (rule.pattern().empty()) {
      p->Add(at + ".pattern", "empty");
      continue;
    }
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(rule.pattern(), options);
    if (!re.ok()) {
      p->Add(at + ".pattern",
             absl::StrCat("rule \"", rule.name(),
                          "\" does not compile: ", re.error()));
    }
  }
}

void CheckProbe(const v1::ProbeConfig& probe, Problems* p) {
  for (int i = 0; i < probe.stun_servers_size(); ++i) {
    CheckHostPort(absl::StrCat("probe.stun_servers[", i, "]"),
                  probe.stun_servers(i), p);
  }
  if (!probe.quic_server().empty())
    CheckHostPort("probe.quic_server", probe.quic_server(), p);
  for (int i = 0; i < probe.ports_size(); ++i) {
    CheckRange(absl::StrCat("probe.ports[", i, "]"), probe.ports(i), 1, 65535,
               p);
  }
  if (probe.destinations_size() > 16) {  // ProbeOptions::kMaxDestinations
    p->Add("probe.destinations", absl::StrCat(probe.destinations_size(),
                                              " given, at most 16"));
  }
  for (int i = 0; i < probe.destinations_size(); ++i) {
    CheckHostPort(absl::StrCat("probe.destinations[", i, "]"),
                  probe.destinations(i), p);
  }
  CheckDuration("probe.interval", probe.interval(), absl::Seconds(10),
                absl::Hours(24), p);
  const absl::Duration interval = ConfigDuration(probe.interval());
  CheckDuration("probe.jitter", probe.jitter(), absl::ZeroDuration(),
                absl::Hours(24), p);
  CheckDuration("probe.request_gap", probe.request_gap(), absl::Seconds(1),
                absl::Hours(1), p);
  if (interval > absl::ZeroDuration() &&
      ConfigDuration(probe.jitter()) >= interval) {
    p->Add("probe.jitter", "must be less than probe.interval");
  }
}

}  // namespace

absl::Status ValidateParserRules(const v1::AgentConfig& c) {
  Problems p;
  CheckRules(c, &p);
  return p.ToStatus();
}

absl::Status ValidateConfig(const v1::AgentConfig& c) {
  Problems p;
  if (c.server().empty()) {
    p.Add("server", "required: natscope-server's gRPC address, HOST:PORT");
  } else {
    CheckHostPort("server", c.server(), &p);
  }
  CheckTls(c, &p);
  CheckAbsolutePath("state_dir", c.state_dir(), &p);
  CheckIdentity(c.identity(), &p);
  if (!c.enrollment_token_file().empty()) {
    CheckAbsolutePath("enrollment_token_file", c.enrollment_token_file(), &p);
  }
  CheckLogs(c, &p);
  CheckRules(c, &p);
  CheckProbe(c.probe(), &p);
  CheckRange("spool_cap_bytes", c.spool_cap_bytes(), uint64_t{1} << 20,
             uint64_t{1} << 40, &p);
  CheckRange("batch.max_records", c.batch().max_records(), 1, 10000, &p);
  CheckRange("batch.max_bytes", c.batch().max_bytes(), 4096, 3 << 20, &p);
  CheckDuration("batch.max_delay", c.batch().max_delay(), absl::ZeroDuration(),
                absl::Minutes(1), &p);
  CheckDuration("status_interval", c.status_interval(), absl::Seconds(1),
                absl::Minutes(5), &p);
  CheckDuration("poll_interval", c.poll_interval(), absl::Milliseconds(10),
                absl::Seconds(10), &p);
  CheckDuration("rpc_deadline", c.rpc_deadline(), absl::Seconds(1),
                absl::Minutes(5), &p);
  CheckDuration("checkin_interval", c.checkin_interval(), absl::Seconds(5),
                absl::Hours(1), &p);
  CheckRange("max_line_bytes", c.max_line_bytes(), 256, 1 << 20, &p);
  return p.ToStatus();
}

}  // namespace natscope::ingest
