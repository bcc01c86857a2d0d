// natscope-server's intake, assembled from its flags: the rules (built-in
// plus --intake_rules), the core that stores (intake_core.h), the syslog
// listener (--syslog_listen) and the OTLP/HTTP handler for /v1/logs
// (--otlp, served by the --http_listen listener).
#ifndef NATSCOPE_SERVER_INTAKE_INTAKE_SERVER_H_
#define NATSCOPE_SERVER_INTAKE_INTAKE_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/http.h"
#include "common/metrics/metrics.h"
#include "common/tls/tls.h"
#include "ingest/parse/log_parser.h"
#include "server/intake/intake_core.h"
#include "server/intake/intake_flags.h"
#include "server/intake/syslog/syslog_listener.h"
#include "server/store/fact_store.h"
#include "server/store/token_store.h"

namespace natscope::server::intake {

struct IntakeServerOptions {
  IntakeFlagValues flags;
  // The server's certificate (--tls_cert, --tls_key): syslog over TLS.
  tls::ServerTlsOptions tls;
  // --retention: record times older than this are re-dated.
  absl::Duration retention = absl::Hours(24 * 30);
  // OTLP requests stored at once (--pool_size: each holds a database
  // connection); more are answered 429 at once rather than queued.
  int max_concurrent_otlp = 8;
};

// What Start checks before anything is started: the flags and the rules
// file. For a program to refuse bad flags before it starts its database.
absl::Status CheckIntakeServer(const IntakeServerOptions& options);

class IntakeServer {
 public:
  // Compiles the rules and starts the syslog listener when --syslog_listen
  // is set. The stores are not owned and must outlive the server.
  static absl::StatusOr<std::unique_ptr<IntakeServer>> Start(
      const IntakeServerOptions& options, TokenStore* tokens,
      FactStore* facts);

  ~IntakeServer();

  // The /v1/logs handler (FrontendOptions::otlp_logs); empty with --otlp
  // off. Valid while the server lives.
  natscope::http::Handler OtlpHandler();
  // The syslog listener's port; 0 when off.
  int syslog_port() const;
  // For the start-up line: "syslog (TLS) on port N, OTLP at /v1/logs".
  std::string Describe() const;
  // Lets syslog connections finish what they sent (SyslogListener::Stop).
  // Idempotent. Call before the stores go.
  void Stop();

 private:
  IntakeServer() = default;

  IntakeServerOptions options_;
  std::unique_ptr<ingest::LogParser> parser_;
  std::unique_ptr<IntakeCore> core_;
  // core_ behind the OTLP concurrency bound.
  std::unique_ptr<IntakeSink> otlp_sink_;
  std::unique_ptr<SyslogListener> syslog_;
  // The syslog listener's counters on /metrics; released before it.
  std::vector<metrics::CallbackHandle> syslog_metrics_;
};

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_INTAKE_SERVER_H_
