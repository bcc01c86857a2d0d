// state_dir/status.json: what `natscope-agent run` tells about itself, and
// what `natscope-agent status` shows.
//
// The running agent rewrites the file atomically every status_interval;
// `status` reads it, so it works without talking to the agent and tells a
// dead agent from a live one by the file's age. Functions are stateless
// and thread-compatible.
#ifndef NATSCOPE_INGEST_STATE_AGENT_STATUS_H_
#define NATSCOPE_INGEST_STATE_AGENT_STATUS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

// The file name inside state_dir.
inline constexpr char kStatusFileName[] = "status.json";

// Writes `status` as proto3 JSON to state_dir/status.json, atomically,
// mode 0644 (it holds no secret). Errors name the path (see
// WriteFileAtomically); ResourceExhausted when the disk is full.
absl::Status WriteStatus(const std::string& state_dir,
                         const v1::AgentStatus& status);

// Reads state_dir/status.json. NotFound when absent; InvalidArgument when
// it does not parse.
absl::StatusOr<v1::AgentStatus> ReadStatus(const std::string& state_dir);

// A status file is stale when older than three intervals, and at least
// 30 s: the agent is not running, or is stuck.
bool IsStale(const v1::AgentStatus& status, absl::Time now);

// The human summary `natscope-agent status` prints.
std::string FormatStatus(const v1::AgentStatus& status, absl::Time now);

// Exit codes of RunStatusCommand, as `systemctl status` uses them.
inline constexpr int kStatusRunning = 0;
inline constexpr int kStatusUnreadable = 1;  // missing or corrupt
inline constexpr int kStatusStale = 3;       // agent not running

// `natscope-agent status`: prints FormatStatus (or, with `json`, one JSON
// object {"state": "running"|"stale"|"missing"|"unreadable",
// "age_seconds": N, "path": ..., "status": {...}}) to `out`. A missing,
// unreadable or stale file is explained with what to do. Returns one of
// the exit codes above.
int RunStatusCommand(const std::string& state_dir, bool json, absl::Time now,
                     std::ostream& out);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_STATE_AGENT_STATUS_H_
