#include "ingest/agent/status_writer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace natscope::ingest {

StatusWriter::StatusWriter(StatusWriterOptions options, StatusSink sink,
                           std::function<v1::AgentCounters()> counters,
                           std::function<std::vector<v1::FilePosition>()> files,
                           const Clock& clock, const AgentState* state)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      counters_(std::move(counters)),
      files_(std::move(files)),
      clock_(clock),
      state_(state) {}

void StatusWriter::MaybeWrite() {
  if (clock_.Now() < next_) return;
  Write();
  next_ = clock_.Now() + options_.interval;
}

v1::AgentStatus StatusWriter::Build() const {
  v1::AgentStatus status;
  *status.mutable_written_at() = ToTimestamp(clock_.Now());
  status.set_interval_seconds(absl::ToDoubleSeconds(options_.interval));
  *status.mutable_started_at() = ToTimestamp(options_.started);
  status.set_pid(options_.pid);
  status.set_version(options_.version);
  status.set_server(options_.server);
  *status.mutable_identity() = options_.identity;
  status.set_identity_source(options_.identity_source);
  *status.mutable_counters() = counters_();
  status.set_enrolled_agent_id(state_->agent_id());
  *status.mutable_last_ack() = state_->last_ack();
  *status.mutable_last_error() = state_->last_error();
  for (v1::FilePosition& file : files_()) {
    *status.add_files() = std::move(file);
  }
  return status;
}

void StatusWriter::Write() {
  const absl::Status written = sink_(Build());
  if (!written.ok() && !reported_failure_) {
    reported_failure_ = true;
    LogEvent(LogLevel::kInfo,
             absl::StrCat("cannot write status: ", written.message()));
  }
}

}  // namespace natscope::ingest
