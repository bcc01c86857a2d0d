#include "server/intake/intake_flags.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/text_format.h"
#include "ingest/config/agent_settings.h"
#include "ingest/config/config.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::server::intake {
namespace {

absl::Status Bad(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

}  // namespace

void RegisterIntakeFlags(FlagSet& flags, IntakeFlagValues* v) {
  flags.String("syslog_listen", &v->syslog_listen,
               "Accept syslog from log shippers (rsyslog, syslog-ng, NXLog) "
               "on this TCP HOST:PORT: RFC 5424 or RFC 3164 messages, "
               "octet-counted or newline-framed (RFC 6587), over TLS (RFC "
               "5425) with --tls_cert/--tls_key. Each message carries its "
               "site's intake token in [natscope@32473 token=\"...\"] "
               "(docs/intake.md). Empty: off. Port 0 picks a free one.");
  flags.Bool("syslog_plaintext", &v->syslog_plaintext,
             "Accept syslog without TLS on a non-loopback --syslog_listen "
             "address (tokens then cross the network in the clear).");
  flags.Int("syslog_max_connections", &v->syslog_max_connections,
            "Syslog connections open at once; more are closed at once.");
  flags.Int("syslog_max_message_bytes", &v->syslog_max_message_bytes,
            "Longest syslog message; longer newline-framed ones are cut, an "
            "octet count above it closes the connection.");
  flags.String("intake_rules", &v->intake_rules,
               "An agent config file (natscope-agent's textproto) whose "
               "`rules` apply to intake lines after the built-in rules, as "
               "agents apply them; its other fields are not read.");
  flags.Bool("otlp", &v->otlp,
             "Accept OTLP/HTTP logs (POST /v1/logs, protobuf or JSON, gzip "
             "or not) on --http_listen, with a site's intake token as "
             "bearer token.");
  flags.Int("intake_max_request_bytes", &v->intake_max_request_bytes,
            "Largest OTLP request body, once inflated; larger ones get 413.");
  flags.Int("intake_max_records", &v->intake_max_records,
            "Most log records in one OTLP request.");
  flags.Duration("intake_dedup_window", &v->intake_dedup_window,
                 "A message with no time of its own that arrives again "
                 "within this window of its first arrival counts once.");
}

absl::Status CheckIntakeFlags(const IntakeFlagValues& v,
                              const tls::ServerTlsOptions& tls) {
  if (v.syslog_max_connections < 1 || v.syslog_max_connections > 65536) {
    return Bad("--syslog_max_connections must be 1 to 65536");
  }
  if (v.syslog_max_message_bytes < 480 ||
      v.syslog_max_message_bytes > (1 << 20)) {
    return Bad("--syslog_max_message_bytes must be 480 to 1048576 (RFC 5425 "
               "asks receivers for at least 2048)");
  }
  if (v.intake_max_request_bytes < 1024 ||
      v.intake_max_request_bytes > (256 << 20)) {
    return Bad("--intake_max_request_bytes must be 1024 to 268435456");
  }
  if (v.intake_max_records < 1 || v.intake_max_records > 1000000) {
    return Bad("--intake_max_records must be 1 to 1000000");
  }
  if (v.intake_dedup_window < absl::Seconds(1) ||
      v.intake_dedup_window > absl::Hours(24)) {
    return Bad("--intake_dedup_window must be 1s to 24h");
  }
  if (v.syslog_listen.empty()) return absl::OkStatus();
  const bool has_tls = !tls.cert_file.empty();
  if (!has_tls && !v.syslog_plaintext &&
      !tls::IsLoopbackAddress(v.syslog_listen)) {
    return Bad(absl::StrCat(
        "--syslog_listen=", v.syslog_listen,
        " is not a loopback address: give --tls_cert=FILE --tls_key=FILE to "
        "accept syslog over TLS, or --syslog_plaintext to accept it in the "
        "clear"));
  }
  if (has_tls && v.syslog_plaintext) {
    return Bad("--syslog_plaintext and --tls_cert together: choose one");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ingest::RuleSpec>> IntakeRules(
    const IntakeFlagValues& v) {
  std::vector<ingest::RuleSpec> rules = ingest::BuiltinRules();
  if (v.intake_rules.empty()) return rules;
  std::ifstream in(v.intake_rules);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        "--intake_rules: cannot read ", v.intake_rules));
  }
  std::stringstream text;
  text << in.rdbuf();
  v1::AgentConfig config;
  google::protobuf::TextFormat::Parser parser;
  // Fields this build does not know (a newer agent's) are not ours to read.
  parser.AllowUnknownField(true);
  if (!parser.ParseFromString(text.str(), &config)) {
    return Bad(absl::StrCat("--intake_rules: ", v.intake_rules,
                            " is not an agent config (textproto)"));
  }
  if (absl::Status ok = ingest::ValidateParserRules(config); !ok.ok()) {
    return Bad(absl::StrCat(
        "--intake_rules: ", v.intake_rules, ": ",
        absl::StrReplaceAll(ok.message(), {{"\n", "; "}})));
  }
  for (ingest::RuleSpec& rule : ingest::OperatorRules(config)) {
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace natscope::server::intake
