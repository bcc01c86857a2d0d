#include "ingest/agent/enrollment_retry.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ingest/enroll/enroll.h"
#include "ingest/upload/uploader.h"

namespace natscope::ingest {

EnrollmentRetry::EnrollmentRetry(EnrollmentRetryOptions options,
                                 EnrollAttempt attempt,
                                 std::function<double()> uniform,
                                 const Clock& clock, AgentState* state)
    : options_(std::move(options)),
      attempt_(std::move(attempt)),
      uniform_(std::move(uniform)),
      clock_(clock),
      state_(state) {}

absl::StatusOr<std::string> EnrollmentRetry::Token() const {
  if (!options_.token.empty() || options_.token_file.empty()) {
    return options_.token;
  }
  return ReadTokenFile(options_.token_file);
}

absl::StatusOr<v1::AgentCredential> EnrollmentRetry::Enroll(
    const std::atomic<bool>* stop) {
  Backoff unreachable(options_.unreachable, uniform_);
  Backoff refused(options_.refused, uniform_);
  while (!stop->load()) {
    absl::StatusOr<std::string> token = Token();
    if (!token.ok()) return token.status();
    absl::StatusOr<v1::AgentCredential> credential = attempt_(*token);
    if (credential.ok()) return credential;
    const absl::Status& status = credential.status();
    if (absl::IsAlreadyExists(status) || absl::IsPermissionDenied(status)) {
      // Waits for an admin: try again rarely rather than in a tight loop.
      const absl::Duration wait = refused.Next();
      state_->SetError(absl::StrCat(
          status.message(), "; trying again in ",
          absl::FormatDuration(absl::Trunc(wait, absl::Seconds(1)))));
      clock_.SleepFor(wait, stop);
      continue;
    }
    if (!IsRetryable(status)) return credential;
    state_->SetError(absl::StrCat(status.message(), "; retrying"));
    clock_.SleepFor(unreachable.Next(), stop);
  }
  return absl::CancelledError("stopped before enrolling");
}

}  // namespace natscope::ingest
