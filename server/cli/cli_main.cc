// natscope: the admin CLI over QueryService.
#include <cstdlib>
#include <fstream>
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
#include "server/cli/tokens_command.h"

namespace natscope::server {
namespace {

constexpr char kUsage[] =
    "usage: natscope COMMAND [flags]\n"
    "\n"
    "Asks a natscope-server which sites can go peer-to-peer, and why not.\n"
    "\n"
    "Commands:\n"
    "  sites       per site, clients and connectors by reported NAT type, and\n"
    "              the share that can go peer-to-peer, worst site first\n"
    "  site SITE   one site analysed: peer-to-peer share, client x connector\n"
    "              pairs, findings with the agents they affect and what to do\n"
    "  agents SITE a site's agents: NAT type, mapping, filtering, findings\n"
    "  agent ID    one agent's probe history, newest first\n"
    "  findings [SITE]  findings of the latest probes, worst first\n"
    "  tokens ...  enrollment and API tokens (admin token needed):\n"
    "              tokens enroll create SITE | enroll list [SITE] | enroll revoke ID\n"
    "              tokens api create admin|viewer NAME | api list | api revoke ID";

// The bearer token for QueryService: --token_file, else $NATSCOPE_TOKEN.
std::string g_token;

void Authorize(grpc::ClientContext* context) {
  if (!g_token.empty()) context->AddMetadata("authorization", "Bearer " + g_token);
}

int Fail(const std::string& message) {
  std::cerr << "natscope: " << message << "\n";
  return 1;
}

std::string Describe(const grpc::Status& status, const std::string& server) {
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return absl::StrCat(status.error_message(),
                        ": pass --token_file=FILE with an admin or viewer token "
                        "(natscope-server writes one to <data_dir>/admin_token), "
                        "or set NATSCOPE_TOKEN");
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::StrCat("cannot reach natscope-server at ", server, " (",
                        status.error_message(),
                        "): is it running? pass its address with --server");
  }
  return status.error_message();
}

int Sites(const std::string& server, const tls::ClientTlsOptions& tls,
          absl::Duration timeout, bool json, bool by_name) {
  auto channel = tls::NewClientChannel(server, tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  auto stub = v1::QueryService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Authorize(&context);
  v1::ListSitesRequest request;
  request.set_sort_by_name(by_name);
  v1::ListSitesResponse response;
  grpc::Status status = stub->ListSites(&context, request, &response);
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

// Calls `rpc` with a deadline and the caller's token, then prints the
// reply as JSON or with `format`.
template <typename Stub, typename Request, typename Response>
int Call(const std::string& server, const tls::ClientTlsOptions& tls,
         absl::Duration timeout, bool json, const Request& request,
         grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
         std::string (*format)(const Response&)) {
  auto channel = tls::NewClientChannel(server, tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  auto stub = v1::QueryService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Authorize(&context);
  Response response;
  grpc::Status status = ((*stub).*rpc)(&context, request, &response);
  if (!status.ok()) return Fail(Describe(status, server));
  if (json) {
    std::string out;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    (void)google::protobuf::util::MessageToJsonString(response, &out, options);
    std::cout << out;
  } else {
    std::cout << format(response);
  }
  return 0;
}

int Site(const std::string& server, const tls::ClientTlsOptions& tls,
         absl::Duration timeout, bool json, const std::string& site) {
  auto channel = tls::NewClientChannel(server, tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  auto stub = v1::QueryService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Authorize(&context);
  v1::GetSiteHealthRequest request;
  request.set_site(site);
  v1::SiteHealthView response;
  grpc::Status status = stub->GetSiteAnalysis(&context, request, &response);
  if (!status.ok()) return Fail(Describe(status, server));
  if (json) {
    std::string out;
    google::protobuf::util::JsonPrintOptions options;
    options.add_whitespace = true;
    (void)google::protobuf::util::MessageToJsonString(response, &out, options);
    std::cout << out;
  } else {
    std::cout << FormatSiteAnalysis(response);
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
  std::string token_file;
  bool by_name = false;
  int64_t page_size = 100;
  std::string page_token;
  flags.Int("page_size", &page_size, "agents: at most this many per page (1-1000).");
  flags.String("page_token", &page_token, "agents: the page to show (from the previous one).");
  flags.Bool("by_name", &by_name, "sites: sort by name instead of worst first.");
  flags.String("token_file", &token_file,
               "File holding an admin or viewer token (default: $NATSCOPE_TOKEN).");
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
  tls.plaintext = tls.ca_file.empty();
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!std::getline(in, g_token)) {
      return Fail(absl::StrCat("cannot read a token from ", token_file,
                               ": check the path and that you may read it"));
    }
  } else if (const char* env = std::getenv("NATSCOPE_TOKEN")) {
    g_token = env;
  }
  if (positional[0] == "sites" && positional.size() == 1) {
    return Sites(server, tls, timeout, json, by_name);
  }
  if (positional[0] == "tokens") {
    auto channel = tls::NewClientChannel(server, tls);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    return TokensCommand({positional.begin() + 1, positional.end()}, *channel,
                         Authorize, timeout, json, std::cout, std::cerr);
  }
  if (positional[0] == "agents" && positional.size() == 2) {
    v1::ListAgentsRequest request;
    request.set_site(positional[1]);
    request.set_page_size(static_cast<int32_t>(page_size));
    request.set_page_token(page_token);
    return Call(server, tls, timeout, json, request,
                &v1::QueryService::Stub::ListAgents, &FormatAgents);
  }
  if (positional[0] == "agent" && positional.size() == 2) {
    v1::GetAgentHistoryRequest request;
    request.set_agent_id(positional[1]);
    return Call(server, tls, timeout, json, request,
                &v1::QueryService::Stub::GetAgentHistory, &FormatAgentHistory);
  }
  if (positional[0] == "findings" && positional.size() <= 2) {
    v1::ListFindingsRequest request;
    if (positional.size() == 2) request.set_site(positional[1]);
    return Call(server, tls, timeout, json, request,
                &v1::QueryService::Stub::ListFindings, &FormatFindings);
  }
  if (positional[0] == "site" && positional.size() == 2) {
    return Site(server, tls, timeout, json, positional[1]);
  }
  return Fail(absl::StrCat("unknown command \"", absl::StrJoin(positional, " "),
                           "\" (see natscope --help)"));
}

}  // namespace
}  // namespace natscope::server

int main(int argc, char** argv) { return natscope::server::Main(argc, argv); }
