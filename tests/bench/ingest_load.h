// `server_load ingest` and `server_load tsv`: many simulated agents enroll
// with natscope-server and ship log-event batches over gRPC, as fast as the
// server acknowledges them; and the same rows as a file for psql \copy.
#ifndef NATSCOPE_TESTS_BENCH_INGEST_LOAD_H_
#define NATSCOPE_TESTS_BENCH_INGEST_LOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/bench/bench_records.h"

namespace natscope::bench {

struct IngestOptions {
  // natscope-server's gRPC address, on loopback (plaintext).
  std::string server;
  std::string enrollment_token;
  FleetShape shape;
  // Epoch of every batch; each agent sends sequences 1..shape.batches.
  uint64_t epoch = 1;
  // Event times start here (see EventOf).
  absl::Time event_base;
  // Client threads, each with its own connection and completion queue,
  // each driving agents index % threads == its number.
  int threads = 4;
  // Ingest calls outstanding at once over all threads; every agent has at
  // most one (an agent sends its next batch once the last is acknowledged).
  int inflight = 64;
  // Send the records as natscope-agent does, zlib-compressed in
  // compressed_records (ingest/upload's ToWire); else as plain records.
  bool compress = true;
};

struct IngestStats {
  int64_t rows = 0;     // records_committed, summed
  int64_t batches = 0;  // acknowledged, not duplicate
  int64_t duplicates = 0;
  int64_t retries = 0;        // UNAVAILABLE / RESOURCE_EXHAUSTED, sent again
  int64_t failed_agents = 0;  // gave up after a non-retryable error
  std::string first_error;
  double enroll_seconds = 0;
  double seconds = 0;         // first Ingest sent to last acknowledged
  int64_t payload_bytes = 0;  // serialized IngestRequests
};

// Refuses addresses that are not loopback: the bench never leaves the host.
absl::Status RequireLoopback(const std::string& address);

// Enrolls every agent (concurrently), then sends all their batches.
// Fails when enrollment fails; otherwise the stats say what happened.
absl::StatusOr<IngestStats> RunIngest(const IngestOptions& options);

// Writes every row RunIngest would store, with `epoch`, received at
// `received`, to `path` in COPY text format; returns the number of rows.
absl::StatusOr<int64_t> WriteCopyFile(const FleetShape& shape, uint64_t epoch,
                                      absl::Time event_base,
                                      absl::Time received,
                                      const std::string& path);

}  // namespace natscope::bench

#endif  // NATSCOPE_TESTS_BENCH_INGEST_LOAD_H_
