// Writes the agent's status (state_dir/status.json, see
// ingest/state/agent_status.h) every interval: identity, counters, the last
// acknowledged batch, the last error, and where reading stands in each
// file. A failure to write is logged once, not at every interval.
//
// Reads only the injected Clock. Not thread-safe: call from one thread
// (the reading thread, which owns the file positions it reports).
#ifndef NATSCOPE_INGEST_AGENT_STATUS_WRITER_H_
#define NATSCOPE_INGEST_AGENT_STATUS_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "ingest/agent/agent_state.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

// Where a status goes: WriteStatus(state_dir, status) in production.
using StatusSink = std::function<absl::Status(const v1::AgentStatus&)>;

struct StatusWriterOptions {
  absl::Duration interval = absl::Seconds(10);
  // What the status says about this process.
  absl::Time started;
  int64_t pid = 0;
  std::string version;
  std::string server;
  v1::AgentIdentity identity;
  std::string identity_source;  // AgentStatus.identity_source.
};

class StatusWriter {
 public:
  // `counters` and `files` are called on every write from the calling
  // thread (e.g. AgentState::Counters with the spool's, and
  // ReaderLoop::FilePositions). `clock` and `state` must outlive this.
  StatusWriter(StatusWriterOptions options, StatusSink sink,
               std::function<v1::AgentCounters()> counters,
               std::function<std::vector<v1::FilePosition>()> files,
               const Clock& clock, const AgentState* state);

  // Writes when `interval` has passed since the last write (the first call
  // always writes).
  void MaybeWrite();
  // Writes now (e.g. the last status before exiting).
  void Write();

 private:
  v1::AgentStatus Build() const;

  const StatusWriterOptions options_;
  const StatusSink sink_;
  const std::function<v1::AgentCounters()> counters_;
  const std::function<std::vector<v1::FilePosition>()> files_;
  const Clock& clock_;
  const AgentState* const state_;
  absl::Time next_ = absl::InfinitePast();
  bool reported_failure_ = false;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_STATUS_WRITER_H_
