// The `natscope-agent run` daemon: follows the product's logs, parses them,
// probes on a schedule, and delivers every record to natscope-server
// exactly once, through restarts, rotation and outages.
//
// Reading, probing and delivery run on three threads around the durable
// spool (ingest/spool): a line's record and the file position after it are
// spooled together; a batch's identity (epoch, sequence, records) is fixed
// on disk before it is first sent; the spool is trimmed only after the
// server acknowledged the batch, which it does only after committing it.
// See ingest/spool/README.md for the argument.
#ifndef NATSCOPE_INGEST_AGENT_RUNNER_H_
#define NATSCOPE_INGEST_AGENT_RUNNER_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "analyzer/evidence/aws_ranges.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

struct RunnerOptions {
  // Validated configuration (see ingest/config).
  v1::AgentConfig config;
  // The site's enrollment token, used when state_dir holds no credential.
  // Empty: read config.enrollment_token_file, else enroll without a token.
  std::string enrollment_token;
  std::string version = "0.1.0";
  std::shared_ptr<const analyzer::AwsRanges> aws_ranges;
  // Skip the gateway queries (NAT-PMP, PCP, UPnP) of scheduled probes.
  bool no_gateways = false;
};

// Runs until `*stop` becomes true. Returns an error only for what retrying
// cannot fix (a refused enrollment, an unusable state directory);
// transient failures are logged to stderr and retried with backoff.
absl::Status RunAgent(const RunnerOptions& options, const std::atomic<bool>* stop);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_RUNNER_H_
