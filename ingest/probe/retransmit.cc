#include "ingest/probe/retransmit.h"

namespace natscope::ingest {

std::vector<absl::Duration> TransmissionOffsets(const RetransmitPolicy& policy) {
  std::vector<absl::Duration> offsets;
  absl::Duration at = absl::ZeroDuration();
  absl::Duration rto = policy.initial_rto;
  while (static_cast<int>(offsets.size()) < policy.max_transmissions &&
         (offsets.empty() || at < policy.timeout)) {
    offsets.push_back(at);
    at += rto;
    rto *= 2;
  }
  return offsets;
}

}  // namespace natscope::ingest
