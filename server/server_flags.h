// natscope-server's command line: every flag with its default and help,
// and the checks that need nothing started.
#ifndef NATSCOPE_SERVER_SERVER_FLAGS_H_
#define NATSCOPE_SERVER_SERVER_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/flags.h"
#include "common/http/http.h"
#include "common/tls/tls.h"
#include "server/intake/intake_flags.h"
#include "server/stun/responder_flags.h"

namespace natscope::server {

struct ServerFlags {
  std::string listen = "127.0.0.1:7700";
  // Off when empty.
  std::string http_listen;
  StunFlagValues stun;
  intake::IntakeFlagValues intake;
  std::string data_dir;
  std::string postgres;
  std::string postgres_passfile;
  std::string postgres_bin_dir;
  std::string enrollment_token;
  std::string enrollment_token_file;
  std::string admin_token_file;
  int64_t max_receive_message_bytes = 8 << 20;
  int64_t max_batch_bytes = 8 << 20;
  int64_t ingest_rate = 10;
  int64_t ingest_burst = 50;
  int64_t auth_failure_rate = 2;
  int64_t auth_failure_burst = 60;
  int64_t max_threads = 64;
  int64_t max_concurrent_streams = 32;
  std::string port_file;
  int64_t pool_size = 8;
  tls::ServerTlsOptions tls;
  absl::Duration retention = absl::Hours(24 * 30);
  absl::Duration trend_retention = absl::Hours(24 * 400);
  absl::Duration report_retention = absl::Hours(24 * 400);
  absl::Duration forget_after = absl::Hours(24 * 30);
  std::string log_format = "text";
  std::string aws_ip_ranges;
  absl::Duration aws_ip_ranges_check = absl::Seconds(30);
  // Testing only: report schedules at second granularity, polled every
  // second (server/reports/scheduler_core.h, SetReportSecondsForTesting).
  bool testonly_report_seconds = false;
};

// Registers every flag of natscope-server on `flags`, bound to `*f`.
void RegisterServerFlags(FlagSet& flags, ServerFlags* f);

// --data_dir, or its default: /var/lib/natscope as root, else
// ~/.local/share/natscope.
std::string DataDirOf(const ServerFlags& f);

// The HTTP listener's options from --http_listen and the TLS flags.
natscope::http::ListenerOptions HttpListenerOptionsOf(const ServerFlags& f);

// Checks ranges and combinations, sets the log format, reads
// --enrollment_token_file into f->enrollment_token, and points libpq at
// --postgres_passfile (PGPASSFILE) after checking it is private.
// InvalidArgument naming the flag; the secret files' errors
// (common/secret_file.h).
absl::Status FinishServerFlags(ServerFlags* f);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVER_FLAGS_H_
