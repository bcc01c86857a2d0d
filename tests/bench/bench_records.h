// The synthetic fleet of `server_load ingest`: agent and site names, and
// the log events each agent ships, generated deterministically so that the
// gRPC load and the psql \copy baseline store the very same rows.
// Pure functions; thread-safe.
#ifndef NATSCOPE_TESTS_BENCH_BENCH_RECORDS_H_
#define NATSCOPE_TESTS_BENCH_BENCH_RECORDS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::bench {

// Shape of the simulated fleet and of what it sends.
struct FleetShape {
  // Names are <prefix>-agent-NNNNNN and <prefix>-site-NNNNN.
  std::string prefix = "ingest";
  int agents = 1000;
  int sites = 50;
  int batches = 25;  // per agent
  int records = 20;  // per batch
};

// A deterministic 64-bit mix of three numbers (splitmix64 rounds).
uint64_t Mix(uint64_t a, uint64_t b = 0, uint64_t c = 0);

// The identity of agent `index` (0-based): its site is index % sites, and
// one agent in ten is a connector.
v1::AgentIdentity AgentOf(const FleetShape& shape, int index);

// Record `record` of batch `batch` (1-based) of agent `index`: a parsed
// product log line (stun_nat_type, sdwan_state, relay_unavailable or
// analytics, as natscope-agent's built-in rules produce them) with a raw
// line of about 200 bytes on average. `base` is the time of the first
// batch; later records are a little later.
v1::LogEvent EventOf(const FleetShape& shape, int index, int batch, int record,
                     absl::Time base);

// `event` of agent `agent` as one line of PostgreSQL COPY text format
// (tab-separated, with a trailing newline) for the columns
// (site, agent_id, epoch, sequence, event_time, source_file, severity,
//  component, kind, fields, raw_line, received_at) of log_events.
std::string CopyLine(const v1::AgentIdentity& agent, uint64_t epoch,
                     uint64_t sequence, const v1::LogEvent& event,
                     absl::Time received);

}  // namespace natscope::bench

#endif  // NATSCOPE_TESTS_BENCH_BENCH_RECORDS_H_
