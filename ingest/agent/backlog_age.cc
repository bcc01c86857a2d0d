#include "ingest/agent/backlog_age.h"

#include <algorithm>

namespace natscope::ingest {

BacklogAge::BacklogAge(uint64_t pending, absl::Time start)
    : appended_(pending) {
  if (pending > 0) buckets_.push_back({pending, start});
}

void BacklogAge::Appended(absl::Time now) {
  ++appended_;
  if (!buckets_.empty() && (now - buckets_.back().time < absl::Seconds(1) ||
                            buckets_.size() >= kMaxBuckets)) {
    buckets_.back().end = appended_;
    return;
  }
  buckets_.push_back({appended_, now});
}

absl::Duration BacklogAge::OldestAge(uint64_t acked, absl::Time now) {
  while (!buckets_.empty() && buckets_.front().end <= acked) {
    buckets_.pop_front();
  }
  if (buckets_.empty()) return absl::ZeroDuration();
  return std::max(absl::ZeroDuration(), now - buckets_.front().time);
}

}  // namespace natscope::ingest
