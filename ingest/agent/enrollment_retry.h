// Enrolling until it works: the agent keeps trying while the server is
// unreachable (jittered backoff, 0.5 s doubling to 30 s) and, when the
// server refuses (agent id taken, token expired or used up: an admin must
// act), tries again rarely (1 min doubling to 1 h), re-reading the token
// file each time in case it was replaced. Every failure is logged and
// kept as the agent's last error, saying when it tries again.
//
// Sleeps only on the injected Clock. Not thread-safe: one thread (the
// delivery thread) enrolls.
#ifndef NATSCOPE_INGEST_AGENT_ENROLLMENT_RETRY_H_
#define NATSCOPE_INGEST_AGENT_ENROLLMENT_RETRY_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "ingest/agent/agent_state.h"
#include "ingest/upload/backoff.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

// One enrollment attempt with `token` (empty: none), e.g. RunEnroll; it
// stores the credential it returns. Errors as RunEnroll's.
using EnrollAttempt =
    std::function<absl::StatusOr<v1::AgentCredential>(const std::string&)>;

struct EnrollmentRetryOptions {
  // The token to enroll with. Empty: read `token_file` before every
  // attempt (empty too: enroll without a token).
  std::string token;
  std::string token_file;
  // While the server cannot be reached (a retryable status, see
  // IsRetryable): 0.5 s doubling to 30 s.
  BackoffOptions unreachable;
  // After ALREADY_EXISTS or PERMISSION_DENIED: 1 min doubling to 1 h.
  BackoffOptions refused{absl::Minutes(1), absl::Hours(1)};
};

class EnrollmentRetry {
 public:
  // `uniform` returns values in [0, 1) (the backoffs' jitter). `clock` and
  // `state` must outlive this.
  EnrollmentRetry(EnrollmentRetryOptions options, EnrollAttempt attempt,
                  std::function<double()> uniform, const Clock& clock,
                  AgentState* state);

  // Attempts until one succeeds, `*stop` becomes true (CANCELLED), or an
  // error retrying cannot fix: the token file's error (NOT_FOUND,
  // PERMISSION_DENIED, INVALID_ARGUMENT), or an attempt's non-retryable
  // error other than a refusal (e.g. INVALID_ARGUMENT), unchanged. Each
  // call starts both backoffs afresh.
  absl::StatusOr<v1::AgentCredential> Enroll(const std::atomic<bool>* stop);

 private:
  absl::StatusOr<std::string> Token() const;

  const EnrollmentRetryOptions options_;
  const EnrollAttempt attempt_;
  const std::function<double()> uniform_;
  const Clock& clock_;
  AgentState* const state_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_ENROLLMENT_RETRY_H_
