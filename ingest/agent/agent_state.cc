#include "ingest/agent/agent_state.h"

#include <utility>

#include "common/log.h"
#include "google/protobuf/util/time_util.h"

namespace natscope::ingest {

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(t));
}

AgentState::AgentState(const Clock& clock)
    : clock_(clock), backlog_(0, clock.Now()) {}

void AgentState::AddRecordSpooled() {
  ++records_spooled_;
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&backlog_mu_);
  backlog_.Appended(now);
}

void AgentState::SetBacklogAtStart(uint64_t pending) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&backlog_mu_);
  backlog_ = BacklogAge(pending, now);
}

absl::Duration AgentState::OldestUnshippedAge(uint64_t acked) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&backlog_mu_);
  return backlog_.OldestAge(acked, now);
}

void AgentState::SetError(const std::string& message) {
  LogEvent(LogLevel::kWarning, message);
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  last_error_.set_message(message);
  *last_error_.mutable_time() = ToTimestamp(now);
}

v1::AgentError AgentState::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

void AgentState::Fatal(absl::Status status) {
  {
    absl::MutexLock lock(&mu_);
    fatal_status_ = std::move(status);
  }
  halt_.store(true);
}

absl::Status AgentState::fatal_status() const {
  absl::MutexLock lock(&mu_);
  return fatal_status_;
}

void AgentState::SetDeliveryCounters(const DeliveryCounters& counters) {
  absl::MutexLock lock(&mu_);
  delivery_ = counters;
}

void AgentState::SetLastAck(uint64_t epoch, uint64_t sequence,
                            uint32_t records) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  last_ack_.set_epoch(epoch);
  last_ack_.set_sequence(sequence);
  last_ack_.set_records(records);
  *last_ack_.mutable_time() = ToTimestamp(now);
}

v1::BatchAck AgentState::last_ack() const {
  absl::MutexLock lock(&mu_);
  return last_ack_;
}

void AgentState::SetAgentId(const std::string& agent_id) {
  absl::MutexLock lock(&mu_);
  agent_id_ = agent_id;
}

std::string AgentState::agent_id() const {
  absl::MutexLock lock(&mu_);
  return agent_id_;
}

v1::AgentCounters AgentState::Counters(const SpoolCounters& spool) const {
  v1::AgentCounters c;
  c.set_lines_read(lines_read_.load());
  c.set_lines_truncated(lines_truncated_.load());
  c.set_records_spooled(records_spooled_.load());
  c.set_probes(probes_.load());
  c.set_backpressure_pauses(pauses_.load());
  c.set_spool_bytes(spool.bytes);
  c.set_spool_capacity_bytes(spool.capacity_bytes);
  c.set_records_dropped(spool.records_dropped);
  absl::MutexLock lock(&mu_);
  c.set_records_shipped(delivery_.records_shipped);
  c.set_retries(delivery_.retries);
  c.set_dead_letters(delivery_.dead_letters);
  c.set_batch_conflicts(delivery_.batch_conflicts);
  return c;
}

}  // namespace natscope::ingest
