// Test-only: a hostile gRPC client of natscope-server, for tests/security.
// Each command makes the calls an attacker (or a broken agent) would and
// prints one line "CODE message" per call outcome (OK for success), so
// that a shell test can assert the defence.
//
//   hostile enroll   --server=H:P --token=T --agent_id=ID --site=S
//                    [--current_credential=C]       prints OK <credential>
//   hostile ingest   --server=H:P --credential=C [--epoch=E --sequence=N]
//                    [--nat_type=X] [--time=UNIX] [--raw_line_bytes=N]
//                    [--hostname_bytes=N] [--sent=UNIX]
//   hostile bomb     --server=H:P --credential=C --inflated_bytes=N
//                    [--grpc_gzip]   records that inflate to N bytes
//   hostile flood    --server=H:P --threads=T --calls=N   bogus tokens;
//                    prints the count of each status code
//   hostile call     --server=H:P --token=T     one ListSites
#include <zlib.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/flags.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/agent.grpc.pb.h"
#include "natscope/v1/query.grpc.pb.h"

namespace natscope {
namespace {

struct Options {
  std::string server = "127.0.0.1:7700";
  std::string token, agent_id = "hostile-1", site = "lab", current_credential;
  std::string credential, nat_type;
  int64_t epoch = 1, sequence = 1, time = 0, sent = 0;
  int64_t raw_line_bytes = 0, hostname_bytes = 0, inflated_bytes = 0;
  bool grpc_gzip = false;
  int64_t threads = 8, calls = 1000;
};

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
      "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : absl::StrCat("CODE_", i);
}

int Report(const grpc::Status& status, const std::string& detail = "") {
  std::cout << CodeName(status.error_code()) << " "
            << (status.ok() ? detail : status.error_message()) << "\n";
  return status.ok() ? 0 : 1;
}

std::shared_ptr<grpc::Channel> Channel(const Options& o) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(-1);
  if (o.grpc_gzip) args.SetCompressionAlgorithm(GRPC_COMPRESS_GZIP);
  return grpc::CreateCustomChannel(o.server, grpc::InsecureChannelCredentials(),
                                   args);
}

void Prepare(grpc::ClientContext* context, const std::string& bearer) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(60));
  if (!bearer.empty()) context->AddMetadata("authorization", "Bearer " + bearer);
}

int Enroll(const Options& o) {
  auto stub = v1::AgentService::NewStub(Channel(o));
  grpc::ClientContext context;
  Prepare(&context, "");
  v1::EnrollRequest request;
  request.set_enrollment_token(o.token);
  request.set_current_credential(o.current_credential);
  request.mutable_identity()->set_agent_id(o.agent_id);
  request.mutable_identity()->set_site(o.site);
  request.mutable_identity()->set_role(v1::ROLE_CLIENT);
  v1::EnrollResponse response;
  const grpc::Status status = stub->Enroll(&context, request, &response);
  return Report(status, response.credential());
}

int Ingest(const Options& o) {
  auto stub = v1::AgentService::NewStub(Channel(o));
  grpc::ClientContext context;
  Prepare(&context, o.credential);
  v1::IngestRequest request;
  request.set_epoch(o.epoch);
  request.set_sequence(o.sequence);
  if (o.hostname_bytes > 0) {
    request.mutable_agent()->set_hostname(std::string(o.hostname_bytes, 'h'));
  }
  if (o.sent > 0) request.mutable_sent()->set_seconds(o.sent);
  v1::LogEvent* event = request.add_records()->mutable_log();
  event->set_kind("stun_nat_type");
  (*event->mutable_fields())["nat_type"] =
      o.nat_type.empty() ? "endpoint-independent" : o.nat_type;
  if (o.time > 0) event->mutable_time()->set_seconds(o.time);
  event->set_raw_line(o.raw_line_bytes > 0
                          ? std::string(o.raw_line_bytes, 'x')
                          : "[INFO] [libsdwan] stun_nat_type: " + o.nat_type);
  v1::IngestResponse response;
  const grpc::Status status = stub->Ingest(&context, request, &response);
  return Report(status, absl::StrCat("committed=", response.records_committed(),
                                     " duplicate=", response.duplicate()));
}

// `size` zero bytes in the zlib format, deflated as a stream (the client
// never holds them): about size/1000 bytes.
std::string DeflatedZeros(int64_t size) {
  z_stream stream{};
  deflateInit(&stream, 9);
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buffer[1 << 16];
  for (int64_t left = size; left >= 0;) {
    const int64_t chunk = std::min<int64_t>(left, zeros.size());
    left -= chunk;
    const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    stream.avail_in = static_cast<uInt>(chunk);
    do {
      stream.next_out = reinterpret_cast<Bytef*>(buffer);
      stream.avail_out = sizeof(buffer);
      deflate(&stream, flush);
      out.append(buffer, sizeof(buffer) - stream.avail_out);
    } while (stream.avail_out == 0);
    if (flush == Z_FINISH) break;
  }
  deflateEnd(&stream);
  return out;
}

int Bomb(const Options& o) {
  auto stub = v1::AgentService::NewStub(Channel(o));
  v1::IngestRequest request;
  request.set_epoch(o.epoch);
  request.set_sequence(o.sequence);
  if (o.grpc_gzip) {
    // gRPC's own compression: one record whose raw line is all zeros.
    request.add_records()->mutable_log()->set_raw_line(
        std::string(o.inflated_bytes, '\0'));
  } else {
    request.set_records_encoding(v1::RECORD_ENCODING_ZLIB);
    request.set_compressed_records(DeflatedZeros(o.inflated_bytes));
  }
  std::cerr << "request: " << request.ByteSizeLong() << " bytes before gRPC\n";
  grpc::ClientContext context;
  Prepare(&context, o.credential);
  if (o.grpc_gzip) context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  v1::IngestResponse response;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = stub->Ingest(&context, request, &response);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::cerr << "answered in " << ms << " ms\n";
  return Report(status);
}

int Flood(const Options& o) {
  auto channel = Channel(o);
  std::mutex mu;
  std::map<std::string, int> codes;
  std::vector<std::thread> threads;
  std::atomic<int64_t> next{0};
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&] {
      auto stub = v1::QueryService::NewStub(channel);
      for (int64_t i = next++; i < o.calls; i = next++) {
        grpc::ClientContext context;
        Prepare(&context, absl::StrCat("bogus-token-", i));
        v1::ListSitesResponse response;
        grpc::Status s = stub->ListSites(&context, {}, &response);
        std::lock_guard<std::mutex> lock(mu);
        ++codes[CodeName(s.error_code())];
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& [code, n] : codes) std::cout << code << "=" << n << " ";
  std::cout << "\n";
  return 0;
}

int Call(const Options& o) {
  auto stub = v1::QueryService::NewStub(Channel(o));
  grpc::ClientContext context;
  Prepare(&context, o.token);
  v1::ListSitesResponse response;
  return Report(stub->ListSites(&context, {}, &response));
}

int Main(int argc, char** argv) {
  Options o;
  FlagSet flags("hostile", "usage: hostile enroll|ingest|bomb|flood|call [flags]");
  flags.String("server", &o.server, "natscope-server, HOST:PORT.");
  flags.String("token", &o.token, "enroll: enrollment token; call: API token.");
  flags.String("agent_id", &o.agent_id, "enroll: agent id.");
  flags.String("site", &o.site, "enroll: site.");
  flags.String("current_credential", &o.current_credential, "enroll: proof.");
  flags.String("credential", &o.credential, "ingest, bomb: agent credential.");
  flags.String("nat_type", &o.nat_type, "ingest: stun_nat_type value.");
  flags.Int("epoch", &o.epoch, "ingest, bomb: epoch.");
  flags.Int("sequence", &o.sequence, "ingest, bomb: sequence.");
  flags.Int("time", &o.time, "ingest: the record's time, Unix seconds.");
  flags.Int("sent", &o.sent, "ingest: the batch's send time, Unix seconds.");
  flags.Int("raw_line_bytes", &o.raw_line_bytes, "ingest: raw line size.");
  flags.Int("hostname_bytes", &o.hostname_bytes, "ingest: claimed hostname size.");
  flags.Int("inflated_bytes", &o.inflated_bytes, "bomb: inflated size.");
  flags.Bool("grpc_gzip", &o.grpc_gzip, "bomb: gRPC's gzip instead of zlib records.");
  flags.Int("threads", &o.threads, "flood: threads.");
  flags.Int("calls", &o.calls, "flood: calls in all.");
  std::vector<std::string> positional;
  absl::Status parsed =
      flags.Parse(std::vector<std::string>(argv + 1, argv + argc), &positional);
  if (!parsed.ok() || positional.size() != 1) {
    std::cerr << (parsed.ok() ? flags.Help() : std::string(parsed.message()))
              << "\n";
    return 2;
  }
  const std::string& command = positional[0];
  if (command == "enroll") return Enroll(o);
  if (command == "ingest") return Ingest(o);
  if (command == "bomb") return Bomb(o);
  if (command == "flood") return Flood(o);
  if (command == "call") return Call(o);
  std::cerr << "unknown command " << command << "\n";
  return 2;
}

}  // namespace
}  // namespace natscope

int main(int argc, char** argv) { return natscope::Main(argc, argv); }
