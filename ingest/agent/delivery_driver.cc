#include "ingest/agent/delivery_driver.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "ingest/enroll/credential.h"

namespace natscope::ingest {

DeliveryDriver::DeliveryDriver(
    DeliveryDriverOptions options, Spool* spool, IngestTransport* transport,
    std::function<void(const std::string&)> set_credential,
    EnrollmentRetry* enrollment, std::function<double()> uniform,
    const Clock& clock, AgentState* state)
    : options_(std::move(options)),
      spool_(spool),
      transport_(transport),
      set_credential_(std::move(set_credential)),
      enrollment_(enrollment),
      uniform_(std::move(uniform)),
      clock_(clock),
      state_(state) {}

absl::Status DeliveryDriver::Credential(const std::atomic<bool>* stop) {
  absl::StatusOr<v1::AgentCredential> credential =
      LoadCredentialFile(options_.state_dir);
  if (absl::IsNotFound(credential.status())) {
    credential = enrollment_->Enroll(stop);
  }
  if (!credential.ok()) return credential.status();
  set_credential_(credential->secret());
  state_->SetAgentId(credential->agent_id());
  LogEvent(LogLevel::kInfo, absl::StrCat("agent ", credential->agent_id(),
                                         " of site ", options_.identity.site(),
                                         " shipping to ", options_.server));
  return absl::OkStatus();
}

void DeliveryDriver::Run(const std::atomic<bool>* stop) {
  const absl::Status enrolled = Credential(stop);
  if (!enrolled.ok()) {
    if (!absl::IsCancelled(enrolled)) state_->Fatal(enrolled);
    return;
  }
  DeliveryLoop loop(spool_, transport_, options_.identity, options_.delivery,
                    uniform_);
  while (!stop->load()) {
    if (!Step(loop, stop)) return;
  }
}

bool DeliveryDriver::Step(DeliveryLoop& loop, const std::atomic<bool>* stop) {
  absl::StatusOr<DeliveryLoop::Result> result =
      loop.Step(state_->Counters(spool_->counters()));
  state_->SetDeliveryCounters(loop.counters());
  if (!result.ok()) return StepFailed(result.status(), stop);
  Handle(*result, stop);
  return true;
}

bool DeliveryDriver::StepFailed(const absl::Status& error,
                                const std::atomic<bool>* stop) {
  if (absl::IsUnauthenticated(error)) {
    state_->SetError("credential rejected: enrolling again");
    absl::StatusOr<v1::AgentCredential> credential = enrollment_->Enroll(stop);
    if (credential.ok()) {
      set_credential_(credential->secret());
      return true;
    }
    if (!IsRetryable(credential.status()) &&
        !absl::IsCancelled(credential.status())) {
      state_->Fatal(credential.status());
      return false;
    }
  }
  state_->SetError(absl::StrCat("delivery: ", error.message()));
  clock_.SleepFor(options_.error_wait, stop);
  return true;
}

void DeliveryDriver::Handle(const DeliveryLoop::Result& result,
                            const std::atomic<bool>* stop) {
  switch (result.outcome) {
    case DeliveryLoop::Outcome::kDelivered:
      state_->SetLastAck(spool_->epoch(), result.sequence, result.records);
      break;
    case DeliveryLoop::Outcome::kIdle:
      clock_.SleepFor(options_.idle, stop);
      break;
    case DeliveryLoop::Outcome::kRetryLater:
      state_->SetError(absl::StrCat(result.error.message(), "; retrying in ",
                                    absl::FormatDuration(absl::Trunc(
                                        result.wait, absl::Milliseconds(1)))));
      clock_.SleepFor(result.wait, stop);
      break;
    case DeliveryLoop::Outcome::kNewEpoch:
      state_->SetError(absl::StrCat(
          "batch ", result.sequence,
          " conflicts with other records the server holds under this "
          "agent's (epoch, sequence): this host's state directory looks "
          "cloned or restored (give each host its own); sending the records "
          "again under a new epoch, ",
          spool_->epoch()));
      break;
    case DeliveryLoop::Outcome::kDeadLettered:
      state_->SetError(absl::StrCat(
          "batch ", result.sequence,
          " rejected by the server, kept in the dead-letter file: ",
          result.error.message()));
      break;
  }
}

}  // namespace natscope::ingest
