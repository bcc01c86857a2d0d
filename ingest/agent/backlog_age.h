// The age of the agent's oldest unshipped record, for the
// natscope_agent_backlog_age_seconds metric. The spool keeps no times, but
// it ships records in the order they were appended, so remembering when
// each run of appends happened (to the second) is enough: the oldest
// unshipped record is the one after the first `acked`.
//
//   BacklogAge backlog(spool_counters.pending_records, start);
//   backlog.Appended(clock.Now());            // after each Spool::Append
//   backlog.OldestAge(spool.counters().records_acked, clock.Now());
//
// Records already waiting at start count from `start` (their times are
// unknown). Memory is bounded: past kMaxBuckets distinct seconds, later
// appends share the last one's time (their ages then read high).
// Not thread-safe: AgentState guards it.
#ifndef NATSCOPE_INGEST_AGENT_BACKLOG_AGE_H_
#define NATSCOPE_INGEST_AGENT_BACKLOG_AGE_H_

#include <cstddef>
#include <cstdint>
#include <deque>

#include "absl/time/time.h"

namespace natscope::ingest {

class BacklogAge {
 public:
  static constexpr size_t kMaxBuckets = 86400;  // A day at one per second.

  BacklogAge(uint64_t pending, absl::Time start);

  // One more record was appended at `now`.
  void Appended(absl::Time now);
  // How long the record after the first `acked` (counted since start,
  // pending ones included) has waited; zero when all are acknowledged.
  absl::Duration OldestAge(uint64_t acked, absl::Time now);

 private:
  // Records numbered up to `end` (and after the previous bucket's) were
  // appended from `time` on, within a second.
  struct Bucket {
    uint64_t end = 0;
    absl::Time time;
  };
  std::deque<Bucket> buckets_;
  uint64_t appended_ = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_BACKLOG_AGE_H_
