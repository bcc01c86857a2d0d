#include "ingest/agent/delivery_driver.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/metrics/metrics.h"
#include "ingest/enroll/credential.h"

namespace natscope::ingest {
namespace {

// natscope_agent_delivery_errors_total{code}: `error`'s gRPC code name.
void CountError(const absl::Status& error) {
  static metrics::CounterFamily& errors = metrics::DefaultRegistry().Counter(
      "natscope_agent_delivery_errors_total",
      "Failed batch deliveries by gRPC code (UNAVAILABLE, "
      "RESOURCE_EXHAUSTED, ...): retried ones, dead-lettered batches and "
      "conflicts included; enrolment attempts not.",
      {"code"});
  errors.With({absl::StatusCodeToString(error.code())}).Increment();
}

}  // namespace

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
  last_contact_ = clock_.Now();  // The first check-in after an idle interval.
  while (!stop->load()) {
    if (!Step(loop, stop)) return;
  }
}

bool DeliveryDriver::Step(DeliveryLoop& loop, const std::atomic<bool>* stop) {
  absl::StatusOr<DeliveryLoop::Result> result =
      loop.Step(state_->Counters(spool_->counters()));
  state_->SetDeliveryCounters(loop.counters());
  if (!result.ok()) return StepFailed(result.status(), stop);
  if (result->outcome == DeliveryLoop::Outcome::kIdle &&
      clock_.Now() - last_contact_ >= options_.checkin_interval) {
    return CheckIn(loop, stop);
  }
  Handle(*result, stop);
  return true;
}

bool DeliveryDriver::CheckIn(DeliveryLoop& loop, const std::atomic<bool>* stop) {
  // Failed or not, the next one is an interval away: a server that is down
  // is not asked more often than that.
  last_contact_ = clock_.Now();
  absl::StatusOr<DeliveryLoop::Result> result =
      loop.CheckIn(state_->Counters(spool_->counters()));
  if (!result.ok()) return StepFailed(result.status(), stop);
  Answered(*result);
  return true;
}

void DeliveryDriver::Answered(const DeliveryLoop::Result& result) {
  last_contact_ = clock_.Now();
  if (!result.probe_requested.has_value() ||
      *result.probe_requested == last_request_) {
    return;
  }
  // Once per request: the server repeats it until a probe started after it
  // arrives, which may take a while (or, with a skewed clock, look older).
  last_request_ = *result.probe_requested;
  LogEvent(LogLevel::kInfo, "the server asked for a probe",
           {{"requested_at", absl::FormatTime(absl::RFC3339_sec, last_request_,
                                              absl::UTCTimeZone())}});
  if (options_.request_probe) options_.request_probe();
}

bool DeliveryDriver::StepFailed(const absl::Status& error,
                                const std::atomic<bool>* stop) {
  CountError(error);
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
      Answered(result);
      break;
    case DeliveryLoop::Outcome::kCheckedIn:
      Answered(result);
      break;
    case DeliveryLoop::Outcome::kIdle:
      clock_.SleepFor(options_.idle, stop);
      break;
    case DeliveryLoop::Outcome::kRetryLater:
      CountError(result.error);
      state_->SetError(absl::StrCat(result.error.message(), "; retrying in ",
                                    absl::FormatDuration(absl::Trunc(
                                        result.wait, absl::Milliseconds(1)))));
      clock_.SleepFor(result.wait, stop);
      break;
    case DeliveryLoop::Outcome::kNewEpoch:
      CountError(result.error);
      state_->SetError(absl::StrCat(
          "batch ", result.sequence,
          " conflicts with other records the server holds under this "
          "agent's (epoch, sequence): this host's state directory looks "
          "cloned or restored (give each host its own); sending the records "
          "again under a new epoch, ",
          spool_->epoch()));
      break;
    case DeliveryLoop::Outcome::kDeadLettered:
      CountError(result.error);
      state_->SetError(absl::StrCat(
          "batch ", result.sequence,
          " rejected by the server, kept in the dead-letter file: ",
          result.error.message()));
      break;
  }
}

}  // namespace natscope::ingest
