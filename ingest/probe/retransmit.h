// When to (re)send a STUN request over UDP (RFC 8489 §6.2.1). Pure.
//
// Transmissions go out at 0, RTO, 3 RTO, 7 RTO, ... (the interval doubles),
// at most `max_transmissions` of them, and the transaction gives up when
// `timeout` has passed since the first. The RFC's defaults (RTO 500 ms,
// Rc 7, Rm 16) take 39.5 s to give up; natscope bounds the wait instead, so
// a blocked path is concluded quickly.
#ifndef NATSCOPE_INGEST_PROBE_RETRANSMIT_H_
#define NATSCOPE_INGEST_PROBE_RETRANSMIT_H_

#include <vector>

#include "absl/time/time.h"

namespace natscope::ingest {

struct RetransmitPolicy {
  absl::Duration initial_rto = absl::Milliseconds(500);
  int max_transmissions = 7;
  absl::Duration timeout = absl::Seconds(3);
};

// Offsets from the first transmission at which to send, in order; the
// first is always 0 and every offset is < policy.timeout.
std::vector<absl::Duration> TransmissionOffsets(const RetransmitPolicy& policy);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_RETRANSMIT_H_
