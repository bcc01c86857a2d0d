// What the agent's threads tell each other and the status file: counters,
// the last error, the last acknowledged batch, the enrolled agent id, and
// whether the run is ending (stopped, or a fatal error).
//
// Usage (see runner.cc):
//   AgentState state(clock);
//   std::thread probes([&] { probe_loop.Run(state.halt_flag()); });
//   ...
//   state.Fatal(status);   // any thread: every loop winds down
//
// Thread-safe: every thread of the run shares one.
#ifndef NATSCOPE_INGEST_AGENT_AGENT_STATE_H_
#define NATSCOPE_INGEST_AGENT_AGENT_STATE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "google/protobuf/timestamp.pb.h"
#include "ingest/agent/backlog_age.h"
#include "ingest/spool/spool.h"
#include "ingest/upload/delivery.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

// `t` as a protobuf Timestamp, to the microsecond.
google::protobuf::Timestamp ToTimestamp(absl::Time t);

class AgentState {
 public:
  // `clock` stamps errors and acknowledgements; it must outlive this.
  explicit AgentState(const Clock& clock);
  AgentState(const AgentState&) = delete;
  AgentState& operator=(const AgentState&) = delete;

  // Logs `message` (common/log, warning) and keeps it, stamped with the
  // clock, as the last error the status file shows.
  void SetError(const std::string& message);
  v1::AgentError last_error() const;

  // Ends the run with `status` (e.g. enrollment refused for good): halts
  // every loop, and RunAgent returns it.
  void Fatal(absl::Status status);
  // Halts every loop without an error (the daemon is stopping).
  void Halt() { halt_.store(true); }
  bool halted() const { return halt_.load(); }
  // The flag the loops sleep on (Clock::SleepUntil's `stop`): true once
  // halted. Lives as long as this.
  const std::atomic<bool>* halt_flag() const { return &halt_; }
  // OK unless Fatal was called.
  absl::Status fatal_status() const;

  // Reading and probing.
  void AddLinesRead(uint64_t n) { lines_read_ += n; }
  void SetLinesTruncated(uint64_t n) { lines_truncated_.store(n); }
  // One record appended to the spool, now.
  void AddRecordSpooled();
  void AddProbe() { ++probes_; }
  void AddPause() { ++pauses_; }

  // Delivery.
  void SetDeliveryCounters(const DeliveryCounters& counters);
  // Batch `sequence` of `epoch`, `records` long, was acknowledged now.
  void SetLastAck(uint64_t epoch, uint64_t sequence, uint32_t records);
  v1::BatchAck last_ack() const;
  void SetAgentId(const std::string& agent_id);
  // Empty until enrolled.
  std::string agent_id() const;

  // The spool held `pending` unacknowledged records when it was opened.
  void SetBacklogAtStart(uint64_t pending);
  // How long the oldest unacknowledged record has waited, given the
  // spool's records_acked (see BacklogAge).
  absl::Duration OldestUnshippedAge(uint64_t acked);

  // The counters sent with every batch and written to the status file:
  // this run's, completed with the spool's.
  v1::AgentCounters Counters(const SpoolCounters& spool) const;

 private:
  const Clock& clock_;
  std::atomic<bool> halt_{false};
  std::atomic<uint64_t> lines_read_{0}, lines_truncated_{0},
      records_spooled_{0}, probes_{0}, pauses_{0};

  mutable absl::Mutex mu_;
  absl::Status fatal_status_ ABSL_GUARDED_BY(mu_);
  std::string agent_id_ ABSL_GUARDED_BY(mu_);
  DeliveryCounters delivery_ ABSL_GUARDED_BY(mu_);
  v1::BatchAck last_ack_ ABSL_GUARDED_BY(mu_);
  v1::AgentError last_error_ ABSL_GUARDED_BY(mu_);

  absl::Mutex backlog_mu_;
  BacklogAge backlog_ ABSL_GUARDED_BY(backlog_mu_);
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_AGENT_STATE_H_
