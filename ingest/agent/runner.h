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
//
// The threads are small units of their own, each reading and sleeping on
// one injected Clock: ReaderLoop with StatusWriter (the calling thread),
// ProbeLoop, and DeliveryDriver with EnrollmentRetry; AgentState is what
// they share. RunAgent(options, stop) wires them to the real clock,
// server, prober and network; RunAgent(options, parts, stop) takes those
// parts from the caller, so a test runs a simulated day of the agent
// (agent_day_test.cc).
#ifndef NATSCOPE_INGEST_AGENT_RUNNER_H_
#define NATSCOPE_INGEST_AGENT_RUNNER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "analyzer/evidence/aws_ranges.h"
#include "common/clock.h"
#include "ingest/agent/enrollment_retry.h"
#include "ingest/agent/probe_loop.h"
#include "ingest/agent/status_writer.h"
#include "ingest/journal/journal_follower.h"
#include "ingest/netwatch/network_changes.h"
#include "ingest/spool/spool_fs.h"
#include "ingest/upload/uploader.h"
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
  // Where the site and role came from, for status.json
  // (AgentStatus.identity_source).
  std::string identity_source;
};

// Runs until `*stop` becomes true. Returns an error only for what retrying
// cannot fix (a refused enrollment, an unusable state directory);
// transient failures are logged to stderr and retried with backoff.
absl::Status RunAgent(const RunnerOptions& options,
                      const std::atomic<bool>* stop);

// What the agent talks to besides its files. Borrowed: everything must
// outlive the RunAgent call.
struct AgentParts {
  // Required. Every read of the time and every wait goes through it.
  const Clock* clock = nullptr;
  // Required: where batches go (the Uploader). Used by the delivery
  // thread only.
  IngestTransport* transport = nullptr;
  // Required: hands a credential's secret to `transport`. Delivery thread.
  std::function<void(const std::string&)> set_credential;
  // Required: one enrollment attempt (RunEnroll). Delivery thread.
  EnrollAttempt enroll;
  // One probe (ingest/probe's Probe). Empty, or no probe.stun_servers in
  // the configuration: no probes. Probe thread.
  ProbeFunction probe;
  // News of network changes, which bring a probe forward; null: probes
  // follow their schedule alone. Probe thread.
  NetworkChanges* network = nullptr;
  // The spool's file system; null: the real one (PosixSpoolFs).
  SpoolFs* spool_fs = nullptr;
  // Where statuses go; empty: state_dir/status.json (WriteStatus).
  StatusSink write_status;
  // Opens the journal for the config's journal sources; empty: libsystemd
  // (OpenSystemJournal). Reading thread.
  JournalFollower::Opener open_journal;
};

// RunAgent with the caller's parts: the same threads, loops and files.
// InvalidArgument when a required part is missing.
absl::Status RunAgent(const RunnerOptions& options, const AgentParts& parts,
                      const std::atomic<bool>* stop);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_RUNNER_H_
