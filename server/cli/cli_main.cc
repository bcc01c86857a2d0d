// natscope: the admin CLI over QueryService.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/crash_handler.h"
#include "common/flags.h"
#include "common/grpc_status.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/query.grpc.pb.h"
#include "common/tls/tls.h"
#include "server/cli/format.h"
#include "server/cli/report_commands.h"
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
    "  agents SITE a site's agents: NAT type, mapping, filtering, findings;\n"
    "              filter with --role, --nat_type, --finding\n"
    "  agent ID    one agent's probe history, newest first\n"
    "  findings [SITE]  without SITE: each finding across the fleet (sites,\n"
    "              agents, what to do); with SITE: per agent, worst first\n"
    "  trend [SITE]  peer-to-peer-capable share over time, hourly (--daily)\n"
    "  schedules   report schedules: schedules [list] | schedules create\n"
    "              --name=N --cron='0 8 * * MON' [--time_zone=Europe/Paris]\n"
    "              [--format=markdown|html|json] --output_dir=DIR [--webhook=URL]\n"
    "              [--sites=a,b] | schedules delete ID   (admin to change)\n"
    "  reports [SCHEDULE_ID|-]  reports produced, newest first (- = on demand)\n"
    "  report run [SCHEDULE_ID]  make a report now (admin) and print it;\n"
    "              without a schedule: --format, --sites, --title; --output=FILE\n"
    "  report show RUN  print a stored report\n"
    "  tokens ...  enrollment and API tokens (admin token needed):\n"
    "              tokens enroll create SITE [--expires=168h] [--uses=N]\n"
    "              tokens enroll list [SITE] | enroll revoke ID\n"
    "              tokens api create admin|viewer NAME | api list | api revoke ID\n"
    "  agents reset ID   release an agent id (admin): its credential stops\n"
    "              working and the next enrolment of its site takes the id\n"
    "              (a reinstalled host that lost its state directory)\n"
    "  agents remove ID  remove an agent and its latest state (admin)\n"
    "\n"
    "Human tables by default; --json prints the server's reply as proto3 JSON.";

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

// Calls `rpc` of ServiceT with a deadline and the caller's token, then
// prints the reply as JSON or with `format`.
template <typename ServiceT, typename Stub, typename Request, typename Response,
          typename Format>
int Call(const std::string& server, const tls::ClientTlsOptions& tls,
         absl::Duration timeout, bool json, const Request& request,
         grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
         Format format) {
  auto channel = tls::NewClientChannel(server, tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  auto stub = ServiceT::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  context.set_wait_for_ready(false);
  Authorize(&context);
  Response response;
  grpc::Status status = ((*stub).*rpc)(&context, request, &response);
  if (!status.ok()) return Fail(Describe(status, server));
  if (json) {
    std::cout << ToJson(response);
  } else {
    std::cout << format(response);
  }
  return 0;
}

// "client" | "connector" -> Role.
bool ParseRole(const std::string& name, v1::Role* role) {
  if (name == "client") {
    *role = v1::ROLE_CLIENT;
  } else if (name == "connector") {
    *role = v1::ROLE_CONNECTOR;
  } else {
    return false;
  }
  return true;
}

// "aws-nat-gateway", "aws_nat_gateway" or "FINDING_AWS_NAT_GATEWAY".
bool ParseFinding(const std::string& name, v1::FindingCode* code) {
  std::string upper = absl::AsciiStrToUpper(name);
  for (char& c : upper) {
    if (c == '-') c = '_';
  }
  if (!absl::StartsWith(upper, "FINDING_")) upper = "FINDING_" + upper;
  return v1::FindingCode_Parse(upper, code) && *code != v1::FINDING_UNSPECIFIED;
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
  std::string role, nat_type, finding;
  flags.String("role", &role, "agents: only clients or only connectors (client|connector).");
  flags.String("nat_type", &nat_type,
               "agents: only this reported NAT type (endpoint-dependent, "
               "endpoint-independent, no-nat, udp-blocked, unknown).");
  flags.String("finding", &finding,
               "agents: only agents with this finding (e.g. aws-nat-gateway).");
  bool daily = false;
  int64_t days = 0;
  flags.Bool("daily", &daily, "trend: one point per UTC day instead of per hour.");
  flags.Int("days", &days, "trend: how many days back (default 7 hourly, 90 daily).");
  ReportFlags report_flags;
  flags.String("name", &report_flags.name, "schedules create: the schedule's name.");
  flags.String("id", &report_flags.id,
               "schedules create: its id (default: from the name).");
  flags.String("cron", &report_flags.cron,
               "schedules create: when, as 5-field cron (\"0 8 * * MON\" = "
               "Mondays 08:00).");
  flags.String("time_zone", &report_flags.time_zone,
               "schedules create: IANA zone the cron is read in (default UTC).");
  flags.String("format", &report_flags.format,
               "schedules create, report run: markdown, html or json.");
  flags.String("output_dir", &report_flags.output_dir,
               "schedules create: directory on the SERVER host reports are written to.");
  flags.String("webhook", &report_flags.webhook,
               "schedules create: http:// URL each report is POSTed to.");
  flags.String("sites", &report_flags.sites,
               "schedules create, report run: comma-separated sites (default: the fleet).");
  flags.String("title", &report_flags.title, "report run: title of an unscheduled report.");
  flags.String("output", &report_flags.output,
               "report run/show: write the report to this file instead of stdout.");
  flags.Int("limit", &report_flags.limit, "reports: how many, newest first.");
  EnrollTokenFlags enroll_flags;
  flags.Duration("expires", &enroll_flags.expires,
                 "tokens enroll create: how long the token enrolls agents "
                 "(default 168h = 7 days, at most 366 days).");
  flags.Int("uses", &enroll_flags.uses,
            "tokens enroll create: how many agents it may enroll (0: any).");
  bool plaintext = false;
  flags.Bool("plaintext", &plaintext,
             "Send the token without TLS to a server that is not on "
             "loopback (only on a network you trust; prefer --ca_file).");
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
  // `natscope sites` lists every site in one reply: 10,000 sites are about
  // 1.3 MB, past gRPC's default 4 MiB at 30,000.
  tls.max_receive_bytes = 256 << 20;
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!std::getline(in, g_token)) {
      return Fail(absl::StrCat("cannot read a token from ", token_file,
                               ": check the path and that you may read it"));
    }
  } else if (const char* env = std::getenv("NATSCOPE_TOKEN")) {
    g_token = env;
  }
  // A token in the clear over a network anyone on the path can read is a
  // token given away: only on loopback, or when asked for.
  if (tls.plaintext && !g_token.empty() && !plaintext &&
      !tls::IsLoopbackAddress(server)) {
    return Fail(absl::StrCat(
        "refusing to send your token in plaintext to ", server,
        ": give the server's CA with --ca_file (TLS), or --plaintext if the "
        "network between you is trusted"));
  }
  using QS = v1::QueryService;
  if (positional[0] == "sites" && positional.size() == 1) {
    v1::ListSitesRequest request;
    request.set_sort_by_name(by_name);
    return Call<QS>(server, tls, timeout, json, request, &QS::Stub::ListSites,
                    &FormatSites);
  }
  if (positional[0] == "schedules" || positional[0] == "reports" ||
      positional[0] == "report") {
    auto channel = tls::NewClientChannel(server, tls);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    return ReportCommand(positional[0], {positional.begin() + 1, positional.end()},
                         report_flags, *channel, Authorize, timeout, json, std::cout,
                         std::cerr);
  }
  if (positional[0] == "trend" && positional.size() <= 2) {
    v1::GetTrendRequest request;
    if (positional.size() == 2) request.set_site(positional[1]);
    request.set_granularity(daily ? v1::TREND_GRANULARITY_DAILY
                                  : v1::TREND_GRANULARITY_HOURLY);
    if (days > 0) {
      const absl::Time now = absl::Now();
      request.mutable_from()->set_seconds(absl::ToUnixSeconds(now - absl::Hours(24 * days)));
      request.mutable_to()->set_seconds(absl::ToUnixSeconds(now));
    }
    return Call<QS>(server, tls, timeout, json, request, &QS::Stub::GetTrend,
                    &FormatTrend);
  }
  if (positional[0] == "tokens") {
    auto channel = tls::NewClientChannel(server, tls);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    return TokensCommand({positional.begin() + 1, positional.end()},
                         enroll_flags, *channel, Authorize, timeout, json,
                         std::cout, std::cerr);
  }
  if (positional[0] == "agents" && positional.size() == 3) {
    auto channel = tls::NewClientChannel(server, tls);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    return AgentsAdminCommand({positional.begin() + 1, positional.end()},
                              *channel, Authorize, timeout, json, std::cout,
                              std::cerr);
  }
  if (positional[0] == "agents" && positional.size() == 2) {
    v1::ListAgentsRequest request;
    request.set_site(positional[1]);
    request.set_page_size(static_cast<int32_t>(page_size));
    request.set_page_token(page_token);
    if (!role.empty()) {
      v1::Role parsed_role;
      if (!ParseRole(role, &parsed_role)) {
        return Fail(absl::StrCat("--role=", role, ": use client or connector"));
      }
      request.set_role(parsed_role);
    }
    request.set_nat_type(nat_type);
    if (!finding.empty()) {
      v1::FindingCode code;
      if (!ParseFinding(finding, &code)) {
        return Fail(absl::StrCat("--finding=", finding,
                                 " is not a finding code (e.g. aws-nat-gateway, "
                                 "udp-blocked, double-nat; see natscope findings)"));
      }
      request.set_finding(code);
    }
    return Call<QS>(server, tls, timeout, json, request, &QS::Stub::ListAgents,
                    &FormatAgents);
  }
  if (positional[0] == "agent" && positional.size() == 2) {
    v1::GetAgentHistoryRequest request;
    request.set_agent_id(positional[1]);
    return Call<QS>(server, tls, timeout, json, request,
                    &QS::Stub::GetAgentHistory, &FormatAgentHistory);
  }
  if (positional[0] == "findings" && positional.size() <= 2) {
    v1::ListFindingsRequest request;
    if (positional.size() == 2) request.set_site(positional[1]);
    return Call<QS>(server, tls, timeout, json, request, &QS::Stub::ListFindings,
                    &FormatFindings);
  }
  if (positional[0] == "site" && positional.size() == 2) {
    v1::GetSiteHealthRequest request;
    request.set_site(positional[1]);
    return Call<QS>(server, tls, timeout, json, request, &QS::Stub::GetSiteAnalysis,
                    &FormatSiteAnalysis);
  }
  return Fail(absl::StrCat("unknown command \"", absl::StrJoin(positional, " "),
                           "\" (see natscope --help)"));
}

}  // namespace
}  // namespace natscope::server

int main(int argc, char** argv) {
  natscope::InstallCrashHandler(argv[0]);
  return natscope::server::Main(argc, argv);
}
