// The IntakeSink that stores: what every intake listener (syslog, OTLP)
// hands its decoded messages to.
//
// Per message: its intake token must be a valid intake token (a site token
// of purpose TOKEN_PURPOSE_INTAKE, not revoked or expired); the token's
// site is the message's site, whatever the message says. Its host becomes
// a log-only agent of that site (agent id: the hostname, with characters
// outside [A-Za-z0-9._-] replaced by '-'), with the message's role or the
// token's default. Its text is parsed with the agent's own LogParser (the
// built-in rules plus the operator's, ingest/parse/log_parser.h), and a
// line that matches is stored under the same limits and time checks as an
// agent's batch (server/service/batch_limits.h), once (intake_digest.h).
//
// Refusal reasons that concern the token begin with "intake token", so
// that a listener can answer a request whose every message was refused
// for its token as unauthenticated (otlp_handler.h).
// Thread-safe.
#ifndef NATSCOPE_SERVER_INTAKE_INTAKE_CORE_H_
#define NATSCOPE_SERVER_INTAKE_INTAKE_CORE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "ingest/parse/log_parser.h"
#include "natscope/v1/admin.pb.h"
#include "server/intake/intake.h"
#include "server/service/batch_limits.h"
#include "server/store/fact_store.h"
#include "server/store/token_store.h"

namespace natscope::server::intake {

struct IntakeCoreOptions {
  // Bounds of every stored field, and the window record times must fall
  // in (re-dated otherwise), as for agents' batches.
  FieldLimits limits;
  TimeWindow time_window;
  // Messages with no time of their own are recognised as resent within
  // windows of this length (intake_digest.h).
  absl::Duration dedup_bucket = absl::Minutes(10);
  // How long a token lookup is trusted: a revoked token stops working
  // within this time.
  absl::Duration token_cache_ttl = absl::Seconds(5);
  // Retry delay carried by an Unavailable answer (common/retry_after.h).
  absl::Duration unavailable_retry_delay = absl::Seconds(5);
  // Time for token expiry and the cache; must outlive the core.
  const Clock* clock = &RealClock::Get();
};

class IntakeCore final : public IntakeSink {
 public:
  // Not owned; each must outlive the core. `parser` holds the rules.
  IntakeCore(TokenStore* tokens, FactStore* facts,
             const ingest::LogParser* parser, IntakeCoreOptions options);

  absl::StatusOr<SubmitResult> Submit(std::vector<IntakeMessage> messages,
                                      absl::Time received) override;

 private:
  // The records of one host in a submission, with where each came from.
  struct HostBatch;
  using HostBatches = std::map<std::pair<std::string, std::string>, HostBatch>;

  // The token's info when it is a usable intake token, else the refusal
  // reason ("intake token ..."). Unavailable when the store is down.
  absl::StatusOr<v1::EnrollmentTokenInfo> IntakeToken(const std::string& token);
  // Checks and parses message `index`: adds its record to its host's
  // batch in `*hosts`, or counts it unmatched or rejected in `*result`.
  // An error only when the submission must be retried.
  absl::Status AddMessage(size_t index, const IntakeMessage& message,
                          absl::Time received, ingest::ParsedLine* parsed,
                          HostBatches* hosts, SubmitResult* result);
  // Stores each host's batch; an error only when the submission must be
  // retried.
  absl::Status StoreHosts(HostBatches* hosts, absl::Time received,
                          SubmitResult* result);

  TokenStore* tokens_;
  FactStore* facts_;
  const ingest::LogParser* parser_;
  IntakeCoreOptions options_;

  struct CachedToken {
    absl::StatusOr<v1::EnrollmentTokenInfo> info;
    absl::Time fetched;
  };
  absl::Mutex mu_;
  // By the token's hash; bounded (cleared when full).
  std::map<std::string, CachedToken> token_cache_ ABSL_GUARDED_BY(mu_);
};

// The agent id intake gives a host named `hostname`: at most 128 bytes
// of it, each character outside [A-Za-z0-9._-] replaced by '-'; "" when
// `hostname` is empty or only '-' would remain.
std::string IntakeAgentId(absl::string_view hostname);

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_INTAKE_CORE_H_
