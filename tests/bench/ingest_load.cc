#include "tests/bench/ingest_load.h"

#include "ingest/upload/uploader.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::bench {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(120);
const char kIngestMethod[] = "/natscope.v1.AgentService/Ingest";

std::shared_ptr<grpc::Channel> Connect(const std::string& server) {
  grpc::ChannelArguments args;
  // One TCP connection per client thread, as separate hosts would have.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(),
                                   args);
}

bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         code == grpc::StatusCode::DEADLINE_EXCEEDED;
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("code ", status.error_code(), ": ",
                      status.error_message());
}

// Enrolls agents index % threads == thread into (*credentials)[index].
absl::Status EnrollSome(const IngestOptions& options, int thread,
                        std::vector<std::string>* credentials) {
  auto stub = v1::AgentService::NewStub(Connect(options.server));
  for (int i = thread; i < options.shape.agents; i += options.threads) {
    v1::EnrollRequest request;
    request.set_enrollment_token(options.enrollment_token);
    *request.mutable_identity() = AgentOf(options.shape, i);
    grpc::Status status;
    for (int attempt = 0; attempt < 5; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
      v1::EnrollResponse response;
      status = stub->Enroll(&context, request, &response);
      if (status.ok()) {
        (*credentials)[i] = response.credential();
        break;
      }
      if (!Retryable(status.error_code())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("Enroll of ", request.identity().agent_id(), " failed (",
                       Describe(status),
                       "): is the server up, and is "
                       "--enrollment_token the server's?"));
    }
  }
  return absl::OkStatus();
}

// Agent `agent`'s batch `batch` (1-based), as natscope-agent would send it.
v1::IngestRequest BatchOf(const IngestOptions& options, int agent, int batch) {
  const FleetShape& shape = options.shape;
  v1::IngestRequest request;
  *request.mutable_agent() = AgentOf(shape, agent);
  request.set_epoch(options.epoch);
  request.set_sequence(batch);
  for (int r = 0; r < shape.records; ++r) {
    *request.add_records()->mutable_log() =
        EventOf(shape, agent, batch, r, options.event_base);
  }
  v1::AgentCounters& counters = *request.mutable_counters();
  counters.set_lines_read(int64_t{batch} * shape.records * 100);
  counters.set_records_spooled(int64_t{batch} * shape.records);
  counters.set_records_shipped(int64_t{batch - 1} * shape.records);
  return request;
}

// Every batch, serialized, at agent * batches + batch - 1: built before the
// clock starts so that the client spends its CPU on sending only (the
// \copy baseline reads a file written beforehand, too).
std::vector<std::string> SerializeBatches(const IngestOptions& options) {
  const FleetShape& shape = options.shape;
  std::vector<std::string> payloads(int64_t{shape.agents} * shape.batches);
  std::vector<std::thread> workers;
  for (int t = 0; t < options.threads; ++t) {
    workers.emplace_back([&, t] {
      for (int agent = t; agent < shape.agents; agent += options.threads) {
        for (int batch = 1; batch <= shape.batches; ++batch) {
          const v1::IngestRequest plain = BatchOf(options, agent, batch);
          const absl::StatusOr<v1::IngestRequest> wire =
              ingest::ToWire(plain, options.compress, options.event_base);
          payloads[int64_t{agent} * shape.batches + batch - 1] =
              wire.ok() ? wire->SerializeAsString() : plain.SerializeAsString();
        }
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  return payloads;
}

// One outstanding Ingest call, sent through the generic stub from its
// serialized form.
struct Call {
  int agent = 0;
  grpc::ClientContext context;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> reader;
};

bool ParseResponse(grpc::ByteBuffer& buffer, v1::IngestResponse* response) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return response->ParseFromString(bytes);
}

// Sends every batch of the agents of `thread`, `window` calls at a time,
// and adds what happened to `*total`.
void IngestSome(const IngestOptions& options,
                const std::vector<std::string>& credentials,
                const std::vector<std::string>& payloads, int thread,
                int window, absl::Mutex* mu, IngestStats* total) {
  const FleetShape& shape = options.shape;
  grpc::GenericStub stub(Connect(options.server));
  grpc::CompletionQueue cq;
  IngestStats stats;
  std::deque<int> ready;
  std::vector<int> next_sequence(shape.agents, 1);
  for (int i = thread; i < shape.agents; i += options.threads)
    ready.push_back(i);
  const int64_t max_retries = 20 * int64_t{shape.agents} + 100;
  int outstanding = 0;

  auto start = [&](int agent) {
    auto* call = new Call;
    call->agent = agent;
    call->context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
    call->context.AddMetadata("authorization",
                              absl::StrCat("Bearer ", credentials[agent]));
    const std::string& payload =
        payloads[int64_t{agent} * shape.batches + next_sequence[agent] - 1];
    grpc::Slice slice(payload.data(), payload.size(),
                      grpc::Slice::STATIC_SLICE);
    const grpc::ByteBuffer request(&slice, 1);
    call->reader =
        stub.PrepareUnaryCall(&call->context, kIngestMethod, request, &cq);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
    ++outstanding;
  };
  auto fill = [&] {
    while (outstanding < window && !ready.empty()) {
      start(ready.front());
      ready.pop_front();
    }
  };

  fill();
  void* tag = nullptr;
  bool ok = false;
  while (outstanding > 0 && cq.Next(&tag, &ok)) {
    --outstanding;
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    v1::IngestResponse response;
    if (call->status.ok() && !ParseResponse(call->response, &response)) {
      call->status = grpc::Status(grpc::StatusCode::INTERNAL,
                                  "IngestResponse does not parse");
    }
    if (call->status.ok()) {
      stats.rows += response.records_committed();
      if (response.duplicate()) {
        ++stats.duplicates;
      } else {
        ++stats.batches;
      }
      // The next batch of this agent goes to the back: agents interleave.
      if (++next_sequence[call->agent] <= shape.batches) {
        ready.push_back(call->agent);
      }
    } else if (Retryable(call->status.error_code()) &&
               stats.retries < max_retries) {
      ++stats.retries;
      // As agents do, back off before retrying a refused call (here
      // briefly, and this thread's other calls wait too): retrying at
      // once would only load the server further.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      ready.push_back(call->agent);
    } else {
      ++stats.failed_agents;
      if (stats.first_error.empty()) {
        stats.first_error =
            absl::StrCat("Ingest of ", AgentOf(shape, call->agent).agent_id(),
                         " failed: ", Describe(call->status));
      }
    }
    fill();
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  absl::MutexLock lock(mu);
  total->rows += stats.rows;
  total->batches += stats.batches;
  total->duplicates += stats.duplicates;
  total->retries += stats.retries;
  total->failed_agents += stats.failed_agents;
  if (total->first_error.empty()) total->first_error = stats.first_error;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

absl::Status RequireLoopback(const std::string& address) {
  if (absl::StartsWith(address, "127.") ||
      absl::StartsWith(address, "localhost:") ||
      absl::StartsWith(address, "[::1]:")) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--server=", address,
                   " is not a loopback address: the benchmark only "
                   "talks to a natscope-server on this host (127.0.0.1:PORT)"));
}

absl::StatusOr<IngestStats> RunIngest(const IngestOptions& options) {
  const int threads = options.threads;
  IngestStats total;
  std::vector<std::string> credentials(options.shape.agents);

  auto t0 = std::chrono::steady_clock::now();
  std::vector<absl::Status> enrolled(threads);
  {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back(
          [&, t] { enrolled[t] = EnrollSome(options, t, &credentials); });
    }
    for (std::thread& worker : workers) worker.join();
  }
  for (const absl::Status& status : enrolled) {
    if (!status.ok()) return status;
  }
  total.enroll_seconds = SecondsSince(t0);
  std::cerr << "server_load: enrolled " << options.shape.agents << " agents in "
            << total.enroll_seconds << " s; sending "
            << int64_t{options.shape.agents} * options.shape.batches
            << " batches of " << options.shape.records << " records"
            << std::endl;

  const std::vector<std::string> payloads = SerializeBatches(options);
  for (const std::string& payload : payloads) {
    total.payload_bytes += static_cast<int64_t>(payload.size());
  }
  absl::Mutex mu;
  t0 = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      // Spread the window evenly; every thread has at least one call.
      const int window = std::max(
          1, options.inflight / threads + (t < options.inflight % threads));
      workers.emplace_back([&, t, window] {
        IngestSome(options, credentials, payloads, t, window, &mu, &total);
      });
    }
    for (std::thread& worker : workers) worker.join();
  }
  total.seconds = SecondsSince(t0);
  return total;
}

absl::StatusOr<int64_t> WriteCopyFile(const FleetShape& shape, uint64_t epoch,
                                      absl::Time event_base,
                                      absl::Time received,
                                      const std::string& path) {
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  int64_t rows = 0;
  for (int agent = 0; agent < shape.agents; ++agent) {
    const v1::AgentIdentity identity = AgentOf(shape, agent);
    for (int batch = 1; batch <= shape.batches; ++batch) {
      for (int r = 0; r < shape.records; ++r) {
        const std::string line =
            CopyLine(identity, epoch, batch,
                     EventOf(shape, agent, batch, r, event_base), received);
        std::fwrite(line.data(), 1, line.size(), out);
        ++rows;
      }
    }
  }
  if (std::fclose(out) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, " (disk full?)"));
  }
  return rows;
}

}  // namespace natscope::bench
