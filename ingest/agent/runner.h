// The `natscope-agent run` loop: tail a log file, parse it, probe on a
// schedule, and ship both to natscope-server in numbered batches.
//
// Batches are numbered (epoch, sequence); a batch is resent unchanged until
// the server acknowledges it, so within one run the server stores each
// record exactly once. (Surviving restarts without loss or duplicates needs
// the durable spool of the agent pipeline.)
#ifndef NATSCOPE_INGEST_AGENT_RUNNER_H_
#define NATSCOPE_INGEST_AGENT_RUNNER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ingest/probe/prober.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {

struct RunnerOptions {
  v1::AgentIdentity identity;
  std::string server;
  std::string enrollment_token;
  // Log file to follow; empty for none.
  std::string log_file;
  // Read the log file from its start (else only lines written from now on).
  bool from_start = true;
  // Scheduled probes; no STUN server means no probes.
  ProbeOptions probe;
  absl::Duration probe_interval = absl::Minutes(5);
  absl::Duration poll_interval = absl::Milliseconds(250);
  absl::Duration rpc_deadline = absl::Seconds(10);
  int max_batch_records = 500;
};

// Runs until `*stop` becomes true. Returns an error only for what retrying
// cannot fix (a rejected enrollment, a bad configuration); transient
// failures are logged to stderr and retried with backoff.
absl::Status RunAgent(const RunnerOptions& options, const std::atomic<bool>* stop);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_RUNNER_H_
