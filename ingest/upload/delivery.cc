#include "ingest/upload/delivery.h"

#include <utility>

#include "absl/random/random.h"
#include "common/status_macros.h"
#include "ingest/upload/retry_delay.h"

namespace natscope::ingest {

namespace {

std::optional<absl::Time> ProbeRequestOf(const v1::IngestResponse& response) {
  if (!response.probe_requested()) return std::nullopt;
  return absl::FromUnixSeconds(response.probe_requested_at().seconds()) +
         absl::Nanoseconds(response.probe_requested_at().nanos());
}

}  // namespace

DeliveryLoop::DeliveryLoop(Spool* spool, IngestTransport* transport,
                           v1::AgentIdentity identity, DeliveryOptions options,
                           std::function<double()> uniform)
    : spool_(spool),
      transport_(transport),
      identity_(std::move(identity)),
      options_(options),
      backoff_(options.backoff, std::move(uniform)) {}

absl::StatusOr<DeliveryLoop::Result> DeliveryLoop::Step(
    const v1::AgentCounters& counters) {
  ASSIGN_OR_RETURN(
      std::optional<v1::IngestRequest> batch,
      spool_->NextBatch(options_.max_batch_records, options_.max_batch_bytes));
  Result result;
  if (!batch) return result;
  result.sequence = batch->sequence();
  result.records = batch->records_size();
  Complete(counters, &*batch);

  absl::StatusOr<v1::IngestResponse> response = transport_->Ingest(*batch);
  if (response.ok()) {
    RETURN_IF_ERROR(spool_->Ack(batch->sequence()));
    backoff_.Reset();
    ++counters_.batches_delivered;
    counters_.records_shipped += batch->records_size();
    result.outcome = Outcome::kDelivered;
    result.duplicate = response->duplicate();
    result.probe_requested = ProbeRequestOf(*response);
    return result;
  }
  result.error = response.status();
  if (absl::IsInvalidArgument(response.status())) {
    // Retrying cannot fix a malformed batch; keep it for the operator.
    RETURN_IF_ERROR(spool_->DeadLetter(*batch, response.status().ToString()));
    backoff_.Reset();
    ++counters_.dead_letters;
    result.outcome = Outcome::kDeadLettered;
    return result;
  }
  if (absl::IsAlreadyExists(response.status())) {
    // Another copy of this agent committed other records under this key:
    // ours were never stored. A new epoch gives them keys of their own.
    uint64_t epoch = 0;
    while (epoch == 0 || epoch == spool_->epoch()) {
      epoch = options_.new_epoch ? options_.new_epoch()
                                 : absl::Uniform<uint64_t>(gen_, 1, UINT64_MAX);
    }
    RETURN_IF_ERROR(spool_->StartNewEpoch(epoch));
    ++counters_.batch_conflicts;
    result.outcome = Outcome::kNewEpoch;
    return result;
  }
  if (IsRetryable(response.status())) {
    ++counters_.retries;
    result.outcome = Outcome::kRetryLater;
    result.wait = backoff_.Next(GetRetryDelay(response.status()));
    return result;
  }
  return response.status();
}

void DeliveryLoop::Complete(const v1::AgentCounters& counters,
                            v1::IngestRequest* request) {
  *request->mutable_agent() = identity_;
  v1::AgentCounters* sent = request->mutable_counters();
  *sent = counters;
  const SpoolCounters spool = spool_->counters();
  sent->set_spool_bytes(spool.bytes);
  sent->set_spool_capacity_bytes(spool.capacity_bytes);
  sent->set_records_dropped(counters.records_dropped() + spool.records_dropped);
  sent->set_records_shipped(counters_.records_shipped);
  sent->set_retries(counters_.retries);
  sent->set_dead_letters(counters_.dead_letters);
  sent->set_batch_conflicts(counters_.batch_conflicts);
}

absl::StatusOr<DeliveryLoop::Result> DeliveryLoop::CheckIn(
    const v1::AgentCounters& counters) {
  v1::IngestRequest request;
  request.set_epoch(spool_->epoch());
  request.set_sequence(0);  // No batch: nothing of the spool is named.
  Complete(counters, &request);
  ASSIGN_OR_RETURN(v1::IngestResponse response, transport_->Ingest(request));
  Result result;
  result.outcome = Outcome::kCheckedIn;
  result.probe_requested = ProbeRequestOf(response);
  return result;
}

}  // namespace natscope::ingest
