// natscope-server's intake flags (syslog listener, OTLP/HTTP logs, the
// rules applied to intake lines), validated. Pure apart from reading the
// --intake_rules file.
#ifndef NATSCOPE_SERVER_INTAKE_INTAKE_FLAGS_H_
#define NATSCOPE_SERVER_INTAKE_INTAKE_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/flags.h"
#include "common/tls/tls.h"
#include "ingest/parse/log_parser.h"

namespace natscope::server::intake {

// The raw flag values; the initial values are the defaults.
struct IntakeFlagValues {
  std::string syslog_listen;            // HOST:PORT; empty: syslog off.
  bool syslog_plaintext = false;        // Plaintext off loopback.
  int64_t syslog_max_connections = 256;
  int64_t syslog_max_message_bytes = 64 << 10;
  std::string intake_rules;             // Agent config whose rules apply.
  bool otlp = true;                     // POST /v1/logs on --http_listen.
  int64_t intake_max_request_bytes = 8 << 20;  // OTLP, once inflated.
  int64_t intake_max_records = 10000;          // OTLP records per request.
  absl::Duration intake_dedup_window = absl::Minutes(10);
};

void RegisterIntakeFlags(FlagSet& flags, IntakeFlagValues* values);

// InvalidArgument, one line naming the flag, for a value out of range, a
// bad --syslog_listen, or plaintext syslog on a public address without
// --syslog_plaintext (TLS uses the server's --tls_cert/--tls_key, `tls`).
absl::Status CheckIntakeFlags(const IntakeFlagValues& values,
                              const tls::ServerTlsOptions& tls);

// The rules intake applies: the built-in ones, then the `rules` of the
// agent config file --intake_rules names (the same file the operator gives
// agents; its other fields are not read), checked as the agent checks
// them. NotFound/PermissionDenied for an unreadable file, InvalidArgument
// for a bad one, each naming --intake_rules.
absl::StatusOr<std::vector<ingest::RuleSpec>> IntakeRules(
    const IntakeFlagValues& values);

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_INTAKE_FLAGS_H_
