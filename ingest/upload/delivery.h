// Moves batches from the spool to natscope-server, one attempt at a time:
// the oldest unacknowledged batch is sent; on success it is acked in the
// spool (which may then trim); on a retryable failure the same batch
// (same epoch, sequence and records) is sent again after a backoff that
// honours the server's retry delay; a batch the server rejects as
// INVALID_ARGUMENT is written to the spool's dead-letter file, counted and
// acked, so it is never retried forever; a batch refused as ALREADY_EXISTS
// (its (epoch, sequence) was committed with other records: this agent's
// state was cloned or restored) moves the spool to a new epoch, is counted,
// and goes again at once, so its records are kept.
//
// CheckIn sends a request with no records instead (sequence 0, outside the
// spool), for an agent that had nothing to send for a while: it hears the
// server's probe requests, and the server sees it alive. Either answer may
// carry a probe request (Result::probe_requested).
//
// The loop never sleeps or reads a clock: Step says how long to wait, and
// the caller waits (and can stop meanwhile). Not thread-safe: call from one
// delivery thread; other threads may Append to the spool meanwhile.
#ifndef NATSCOPE_INGEST_UPLOAD_DELIVERY_H_
#define NATSCOPE_INGEST_UPLOAD_DELIVERY_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ingest/spool/spool.h"
#include "ingest/upload/backoff.h"
#include "ingest/upload/uploader.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {

struct DeliveryOptions {
  int max_batch_records = 500;
  size_t max_batch_bytes = 1 << 20;
  BackoffOptions backoff;
  // Source of a new epoch after a batch conflict (nonzero); nullptr means
  // random. For tests.
  std::function<uint64_t()> new_epoch;
};

struct DeliveryCounters {
  uint64_t batches_delivered = 0;  // acknowledged (stored or duplicate)
  uint64_t records_shipped = 0;    // records in those batches
  uint64_t retries = 0;            // failed attempts to be retried
  uint64_t dead_letters = 0;       // batches rejected as malformed
  uint64_t batch_conflicts = 0;    // refused as ALREADY_EXISTS, new epoch
};

class DeliveryLoop {
 public:
  enum class Outcome {
    kIdle,          // nothing to send
    kDelivered,     // acknowledged and acked in the spool
    kRetryLater,    // failed; the same batch goes again after `wait`
    kDeadLettered,  // rejected as malformed, dead-lettered and acked
    kNewEpoch,      // conflict: the spool moved to a new epoch; go on
    kCheckedIn,     // CheckIn answered
  };
  struct Result {
    Outcome outcome = Outcome::kIdle;
    absl::Duration wait;    // before the next Step (zero: go on)
    uint64_t sequence = 0;  // the batch concerned
    int records = 0;
    bool duplicate = false;  // the server had it already
    absl::Status error;      // why it was retried or dead-lettered
    // kDelivered, kCheckedIn: when an admin asked this agent to probe, if
    // the server says the request is pending (its time, the server's
    // clock); unset when none.
    std::optional<absl::Time> probe_requested;
  };

  // `spool` and `transport` must outlive the loop. `uniform` is the
  // backoff's random source (see Backoff).
  DeliveryLoop(Spool* spool, IngestTransport* transport,
               v1::AgentIdentity identity, DeliveryOptions options,
               std::function<double()> uniform);

  // One attempt. `counters` (the caller's: lines read, probes, ...) are
  // sent with the batch, completed with the spool's and this loop's.
  // Errors: UNAUTHENTICATED (the credential was refused: enroll again, then
  // Step again, the batch is still first in line); any other
  // non-retryable server status (e.g. PERMISSION_DENIED) unchanged; spool
  // I/O errors.
  absl::StatusOr<Result> Step(const v1::AgentCounters& counters);

  // A check-in: a request with no records under the spool's epoch and
  // sequence 0, with `counters` as Step sends them; the spool is left as it
  // is. kCheckedIn, or the server's status unchanged (no retry, no dead
  // letter: the caller checks in again later).
  absl::StatusOr<Result> CheckIn(const v1::AgentCounters& counters);

  const DeliveryCounters& counters() const { return counters_; }
  void set_identity(v1::AgentIdentity identity) {
    identity_ = std::move(identity);
  }

 private:
  // `counters` completed with the spool's and this loop's, and the
  // identity, set on `request`.
  void Complete(const v1::AgentCounters& counters, v1::IngestRequest* request);

  Spool* spool_;
  IngestTransport* transport_;
  v1::AgentIdentity identity_;
  DeliveryOptions options_;
  Backoff backoff_;
  DeliveryCounters counters_;
  absl::BitGen gen_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_UPLOAD_DELIVERY_H_
