// Test-only client: checks that natscope-server answers the two services
// standard gRPC tooling relies on, with hand-encoded protobuf bytes (the
// generated code of those services is not in Debian's packages):
//   grpc.health.v1.Health/Check          -> status SERVING
//   grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo
//                                         -> lists natscope's services
// Usage: grpc_tooling_probe HOST:PORT. Prints the service list; exit 0 when
// both hold.
#include <iostream>
#include <string>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"

namespace {

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

grpc::ByteBuffer FromString(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// Waits for the next completion of `cq`, which must be `tag` and succeed.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  return cq.Next(&got, &ok) && ok && got == tag;
}

int Fail(const std::string& message) {
  std::cerr << "grpc_tooling_probe: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return Fail("usage: grpc_tooling_probe HOST:PORT");
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);

  // Health: HealthCheckRequest{service: ""} is the empty message; the reply
  // HealthCheckResponse{status: SERVING(1)} is field 1, varint 1: 08 01.
  {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    grpc::ByteBuffer reply;
    grpc::Status status;
    auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check",
                                      FromString(""), &cq);
    call->StartCall();
    call->Finish(&reply, &status, reinterpret_cast<void*>(1));
    if (!Await(cq, reinterpret_cast<void*>(1)) || !status.ok()) {
      return Fail("health check failed: " + status.error_message());
    }
    if (ToString(reply) != std::string("\x08\x01", 2)) {
      return Fail("health check: the server is not SERVING");
    }
    std::cout << "health: SERVING\n";
  }

  // Reflection: ServerReflectionRequest{list_services: ""} is field 7,
  // length 0: 3a 00. The reply lists service names as strings.
  {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    auto call = stub.PrepareCall(
        &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
    void* tag = reinterpret_cast<void*>(2);
    call->StartCall(tag);
    if (!Await(cq, tag)) return Fail("reflection: the call did not start");
    call->Write(FromString(std::string("\x3a\x00", 2)), tag);
    if (!Await(cq, tag)) return Fail("reflection: the request was not sent");
    grpc::ByteBuffer reply;
    call->Read(&reply, tag);
    if (!Await(cq, tag)) return Fail("reflection: no answer");
    call->WritesDone(tag);
    Await(cq, tag);
    grpc::Status status;
    call->Finish(&status, tag);
    Await(cq, tag);
    const std::string bytes = ToString(reply);
    for (const char* service :
         {"natscope.v1.AgentService", "natscope.v1.QueryService",
          "natscope.v1.AdminService", "natscope.v1.ReportService", "grpc.health.v1.Health"}) {
      if (bytes.find(service) == std::string::npos) {
        return Fail(std::string("reflection does not list ") + service);
      }
      std::cout << "reflection lists " << service << "\n";
    }
  }
  cq.Shutdown();
  return 0;
}
