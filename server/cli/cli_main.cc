// natscope: the admin CLI over QueryService.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/flags.h"
#include "common/grpc_status.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/query.grpc.pb.h"
#include "common/tls/tls.h"
#include "server/cli/format.h"

namespace natscope::server {
namespace {

constexpr char kUsage[] =
    "usage: natscope COMMAND [flags]\n"
    "\n"
    "Asks a natscope-server which sites can go peer-to-peer, and why not.\n"
    "\n"
    "Commands:\n"
    "  sites    per site, clients and connectors by reported NAT type";

int Fail(const std::string& message) {
  std::cerr << "natscope: " << message << "\n";
  return 1;
}

std::string Describe(const grpc::Status& status, const std::string& server) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::StrCat("cannot reach natscope-server at ", server, " (",
                        status.error_message(),
                        "): is it running? pass its address with --server");
  }
  return status.error_message();
}

int Sites(const std::string& server, const tls::ClientTlsOptions& tls,
          absl::Duration timeout, bool json) {
  auto channel = tls::NewClientChannel(server, tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  auto stub = v1::QueryService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  v1::ListSitesResponse response;
  grpc::Status status = stub->ListSites(&context, v1::ListSitesRequest(), &response);
  if (!status.ok()) return Fail(Describe(status, server));
  if (json) {
    std::string out;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    (void)google::protobuf::util::MessageToJsonString(response, &out, options);
    std::cout << out;
  } else {
    std::cout << FormatSites(response);
  }
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string server = "127.0.0.1:7700";
  bool json = false;
  absl::Duration timeout = absl::Seconds(10);
  FlagSet flags("natscope", kUsage);
  flags.String("server", &server, "natscope-server's gRPC address, HOST:PORT.");
  tls::ClientTlsOptions tls;
  flags.String("ca_file", &tls.ca_file,
               "PEM CA of the server's TLS certificate; without it the CLI "
               "talks plaintext (a server on loopback).");
  flags.String("tls_server_name", &tls.server_name,
               "Name to check the server's certificate against, when --server is an IP.");
  flags.Bool("json", &json, "Print proto3 JSON instead of a table.");
  flags.Duration("timeout", &timeout, "Deadline of each call.");
  std::vector<std::string> positional;
  absl::Status parsed = flags.Parse(args, &positional);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (flags.help_requested() || positional.empty()) {
    std::cout << flags.Help();
    return positional.empty() && !flags.help_requested() ? 2 : 0;
  }
  if (positional[0] == "sites" && positional.size() == 1) {
    tls.plaintext = tls.ca_file.empty();
    return Sites(server, tls, timeout, json);
  }
  return Fail(absl::StrCat("unknown command \"", absl::StrJoin(positional, " "),
                           "\" (see natscope --help)"));
}

}  // namespace
}  // namespace natscope::server

int main(int argc, char** argv) { return natscope::server::Main(argc, argv); }
