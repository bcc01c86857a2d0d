// natscope: the admin CLI over QueryService.
#include <cstddef>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analyzer/verdict_names.h"
#include "absl/strings/str_join.h"
#include "common/clock.h"
#include "common/crash_handler.h"
#include "common/flags.h"
#include "common/grpc_status.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/query.grpc.pb.h"
#include "common/tls/tls.h"
#include "common/version.h"
#include "server/cli/cli_flags.h"
#include "server/cli/format.h"
#include "server/cli/probe_command.h"
#include "server/cli/report_commands.h"
#include "server/cli/rpc_error.h"
#include "server/cli/tokens_command.h"

namespace natscope::server {
namespace {

constexpr char kUsage[] =
    "usage: natscope COMMAND [flags]\n"
    "\n"
    "Asks a natscope-server which sites can go peer-to-peer, and why not.\n"
    "\n"
    "Commands:\n"
    "  sites       per site, clients and connectors by reported NAT type,\n"
    "              unhealthy agents, and the share that can go peer-to-peer,\n"
    "              worst site first\n"
    "  site SITE   one site analysed: peer-to-peer share, client x connector\n"
    "              pairs, findings with the agents they affect and what to do\n"
    "  agents [SITE]  a site's agents (without SITE: the fleet's): NAT type,\n"
    "              mapping, filtering, findings, health; filter with --role,\n"
    "              --nat_type, --finding; --unhealthy: only agents that are\n"
    "              unhealthy themselves (silent, spool filling, records lost,\n"
    "              clock off, ...), with their problems; --all: also agents\n"
    "              silent past the server's --forget_after (30 days)\n"
    "  agent ID    one agent's health (version, last batch and probe, spool,\n"
    "              counters, problems) and probe history, newest first\n"
    "  findings [SITE]  without SITE: each finding across the fleet (sites,\n"
    "              agents, what to do); with SITE: per agent, worst first\n"
    "  trend [SITE]  peer-to-peer-capable share and agents per finding over\n"
    "              time, hourly (--daily)\n"
    "  schedules   report schedules: schedules [list] | schedules create\n"
    "              --name=N --cron='0 8 * * MON' [--time_zone=Europe/Paris]\n"
    "              [--format=markdown|html|json] --output_dir=DIR [--webhook=URL]\n"
    "              [--sites=a,b] | schedules delete ID   (admin to change)\n"
    "  reports [SCHEDULE_ID|-]  reports produced, newest first (- = on demand)\n"
    "  report run [SCHEDULE_ID]  make a report now (admin) and print it;\n"
    "              without a schedule: --format, --sites, --title; --output=FILE\n"
    "  report show RUN  print a stored report\n"
    "  tokens ...  site and API tokens (admin token needed):\n"
    "              tokens enroll create SITE [--expires=168h] [--uses=N]\n"
    "              tokens enroll create SITE --intake [--role=ROLE]: a token\n"
    "                log shippers send with the site's hosts' lines (syslog,\n"
    "                OTLP/HTTP); ROLE (client|connector) for hosts naming none\n"
    "              tokens enroll list [SITE] (both kinds) | enroll revoke ID\n"
    "              tokens api create admin|viewer NAME | api list | api revoke ID\n"
    "  agents reset ID   release an agent id (admin): its credential stops\n"
    "              working and the next enrolment of its site takes the id\n"
    "              (a reinstalled host that lost its state directory)\n"
    "  agents remove ID  remove an agent and its latest state (admin)\n"
    "  probe SITE|AGENT  ask a site's agents (or one agent) to probe at their\n"
    "              next contact (admin); --wait[=10m] prints each fresh\n"
    "              result (mapping, filtering) as it arrives\n"
    "\n"
    "Human tables by default; --json prints the server's reply as proto3 JSON.";

// Adds the caller's bearer token (CliFlags::token), if any, to each call.
std::function<void(grpc::ClientContext*)> AuthorizerOf(const CliFlags& cli) {
  return [token = cli.token](grpc::ClientContext* context) {
    if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  };
}

int Fail(const std::string& message) {
  std::cerr << "natscope: " << message << "\n";
  return 1;
}

// The error lines of commands that call `cli.server`.
RpcErrorText ErrorsOf(const CliFlags& cli) {
  return [server = cli.server, plaintext = cli.tls.plaintext](const grpc::Status& status) {
    return DescribeRpcError(status, server, plaintext);
  };
}

// Calls `rpc` of QueryService with a deadline and the caller's token. On
// failure returns the one line to print.
template <typename Request, typename Response>
absl::Status Fetch(const CliFlags& cli, const Request& request,
                   grpc::Status (v1::QueryService::Stub::*rpc)(
                       grpc::ClientContext*, const Request&, Response*),
                   Response* response) {
  auto channel = tls::NewClientChannel(cli.server, cli.tls);
  if (!channel.ok()) return channel.status();
  auto stub = v1::QueryService::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + cli.timeout));
  context.set_wait_for_ready(false);
  AuthorizerOf(cli)(&context);
  grpc::Status status = ((*stub).*rpc)(&context, request, response);
  if (!status.ok()) {
    return absl::UnknownError(DescribeRpcError(status, cli.server, cli.tls.plaintext));
  }
  return absl::OkStatus();
}

// Fetch, then prints the reply as JSON or with `format`.
template <typename Request, typename Response, typename Format>
int Call(const CliFlags& cli, const Request& request,
         grpc::Status (v1::QueryService::Stub::*rpc)(grpc::ClientContext*,
                                                     const Request&, Response*),
         Format format) {
  Response response;
  absl::Status fetched = Fetch(cli, request, rpc, &response);
  if (!fetched.ok()) return Fail(std::string(fetched.message()));
  if (cli.json) {
    std::cout << ToJson(response);
  } else {
    std::cout << format(response);
  }
  return 0;
}

// "client" | "connector" -> Role (analyzer/verdict_names.h).
bool ParseRole(const std::string& name, v1::Role* role) {
  const std::optional<v1::Role> parsed = analyzer::ParseRole(name);
  if (!parsed.has_value()) return false;
  *role = *parsed;
  return true;
}

// "aws-nat-gateway", "aws_nat_gateway" or "FINDING_AWS_NAT_GATEWAY".
bool ParseFinding(const std::string& name, v1::FindingCode* code) {
  const std::optional<v1::FindingCode> parsed = analyzer::ParseFindingToken(name);
  if (!parsed.has_value()) return false;
  *code = *parsed;
  return true;
}

// The commands. Each takes the command line's words, its name first, in a
// number its entry in kCommands allows, and returns the exit code.
using Words = std::vector<std::string>;

int Sites(const CliFlags& cli, const Words&) {
  v1::ListSitesRequest request;
  request.set_sort_by_name(cli.by_name);
  return Call(cli, request, &v1::QueryService::Stub::ListSites, &FormatSites);
}

int Site(const CliFlags& cli, const Words& words) {
  v1::GetSiteHealthRequest request;
  request.set_site(words[1]);
  return Call(cli, request, &v1::QueryService::Stub::GetSiteAnalysis,
              &FormatSiteAnalysis);
}

int Agents(const CliFlags& cli, const Words& words) {
  v1::ListAgentsRequest request;
  request.set_site(words.size() > 1 ? words[1] : "");  // "": the fleet.
  request.set_page_size(static_cast<int32_t>(cli.page_size));
  request.set_page_token(cli.page_token);
  if (!cli.role.empty()) {
    v1::Role parsed_role;
    if (!ParseRole(cli.role, &parsed_role)) {
      return Fail(absl::StrCat("--role=", cli.role, ": use client or connector"));
    }
    request.set_role(parsed_role);
  }
  request.set_nat_type(cli.nat_type);
  if (!cli.finding.empty()) {
    v1::FindingCode code;
    if (!ParseFinding(cli.finding, &code)) {
      return Fail(absl::StrCat("--finding=", cli.finding,
                               " is not a finding code (e.g. aws-nat-gateway, "
                               "udp-blocked, double-nat; see natscope findings)"));
    }
    request.set_finding(code);
  }
  request.set_unhealthy_only(cli.unhealthy);
  request.set_include_forgotten(cli.all);
  const bool fleet = words.size() == 1;
  if (cli.unhealthy) {
    return Call(cli, request, &v1::QueryService::Stub::ListAgents,
                [fleet](const v1::ListAgentsResponse& response) {
                  return FormatAgentsHealth(response, /*with_site=*/fleet);
                });
  }
  return Call(cli, request, &v1::QueryService::Stub::ListAgents,
              fleet ? &FormatFleetAgents : &FormatAgents);
}

// agent ID: GetAgent (its health) and GetAgentHistory (its probes); with
// --json, {"agent": ..., "history": ...}.
int Agent(const CliFlags& cli, const Words& words) {
  v1::GetAgentRequest request;
  request.set_agent_id(words[1]);
  v1::AgentState agent;
  absl::Status fetched =
      Fetch(cli, request, &v1::QueryService::Stub::GetAgent, &agent);
  if (!fetched.ok()) return Fail(std::string(fetched.message()));
  v1::GetAgentHistoryRequest history_request;
  history_request.set_agent_id(words[1]);
  v1::AgentHistory history;
  fetched = Fetch(cli, history_request,
                  &v1::QueryService::Stub::GetAgentHistory, &history);
  if (!fetched.ok()) return Fail(std::string(fetched.message()));
  if (cli.json) {
    std::cout << "{\"agent\": " << ToJson(agent)
              << ", \"history\": " << ToJson(history) << "}\n";
  } else {
    std::cout << FormatAgentDetail(agent, history);
  }
  return 0;
}

int Findings(const CliFlags& cli, const Words& words) {
  v1::ListFindingsRequest request;
  if (words.size() == 2) request.set_site(words[1]);
  return Call(cli, request, &v1::QueryService::Stub::ListFindings, &FormatFindings);
}

int Trend(const CliFlags& cli, const Words& words) {
  v1::GetTrendRequest request;
  if (words.size() == 2) request.set_site(words[1]);
  request.set_granularity(cli.daily ? v1::TREND_GRANULARITY_DAILY
                                    : v1::TREND_GRANULARITY_HOURLY);
  if (cli.days > 0) {
    const absl::Time now = absl::Now();
    request.mutable_from()->set_seconds(
        absl::ToUnixSeconds(now - absl::Hours(24 * cli.days)));
    request.mutable_to()->set_seconds(absl::ToUnixSeconds(now));
  }
  return Call(cli, request, &v1::QueryService::Stub::GetTrend, &FormatTrend);
}

// schedules, reports, report: over ReportService (report_commands.h).
int Reports(const CliFlags& cli, const Words& words) {
  auto channel = tls::NewClientChannel(cli.server, cli.tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  return ReportCommand(words[0], {words.begin() + 1, words.end()}, cli.report,
                       *channel, AuthorizerOf(cli), cli.timeout, cli.json,
                       std::cout, std::cerr, ErrorsOf(cli));
}

// tokens ...: over AdminService (tokens_command.h).
int Tokens(const CliFlags& cli, const Words& words) {
  auto channel = tls::NewClientChannel(cli.server, cli.tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  EnrollTokenFlags enroll = cli.enroll;
  enroll.role = cli.role;  // --role serves `agents` and `tokens` both.
  return TokensCommand({words.begin() + 1, words.end()}, enroll, *channel,
                       AuthorizerOf(cli), cli.timeout, cli.json, std::cout,
                       std::cerr, ErrorsOf(cli));
}

// agents reset|remove ID: over AdminService (tokens_command.h).
int AgentsAdmin(const CliFlags& cli, const Words& words) {
  auto channel = tls::NewClientChannel(cli.server, cli.tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  return AgentsAdminCommand({words.begin() + 1, words.end()}, *channel,
                            AuthorizerOf(cli), cli.timeout, cli.json, std::cout,
                            std::cerr, ErrorsOf(cli));
}

// probe SITE|AGENT: over AdminService and QueryService (probe_command.h).
int Probe(const CliFlags& cli, const Words& words) {
  auto channel = tls::NewClientChannel(cli.server, cli.tls);
  if (!channel.ok()) return Fail(std::string(channel.status().message()));
  return ProbeCommand(words[1], cli.probe, *channel, AuthorizerOf(cli),
                      cli.timeout, cli.json, RealClock::Get(), std::cout,
                      std::cerr, ErrorsOf(cli));
}

constexpr size_t kAny = std::numeric_limits<size_t>::max();

// A command: its name and how many words may follow it.
struct Command {
  const char* name;
  size_t min_args;
  size_t max_args;
  int (*run)(const CliFlags& cli, const Words& words);
};

// The first entry whose name and argument count match runs.
constexpr Command kCommands[] = {
    {"sites", 0, 0, &Sites},          {"schedules", 0, kAny, &Reports},
    {"reports", 0, kAny, &Reports},   {"report", 0, kAny, &Reports},
    {"trend", 0, 1, &Trend},          {"tokens", 0, kAny, &Tokens},
    {"agents", 2, 2, &AgentsAdmin},   {"agents", 0, 1, &Agents},
    {"agent", 1, 1, &Agent},          {"findings", 0, 1, &Findings},
    {"site", 1, 1, &Site},            {"probe", 1, 1, &Probe},
};

int Dispatch(const CliFlags& cli, const Words& words) {
  const size_t args = words.size() - 1;
  for (const Command& command : kCommands) {
    if (words[0] == command.name && args >= command.min_args &&
        args <= command.max_args) {
      return command.run(cli, words);
    }
  }
  return Fail(absl::StrCat("unknown command \"", absl::StrJoin(words, " "),
                           "\" (see natscope --help)"));
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // --wait takes an optional value: alone, it means the default wait.
  for (std::string& arg : args) {
    if (arg == "--wait" || arg == "-wait") {
      arg = absl::StrCat("--wait=", absl::FormatDuration(kDefaultProbeWait));
    }
  }
  CliFlags cli;
  FlagSet flags("natscope", kUsage);
  RegisterCliFlags(flags, &cli);
  std::vector<std::string> positional;
  absl::Status parsed = flags.Parse(args, &positional);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (flags.help_requested() || positional.empty()) {
    std::cout << flags.Help();
    return positional.empty() && !flags.help_requested() ? 2 : 0;
  }
  absl::Status finished = FinishCliFlags(&cli);
  if (!finished.ok()) return Fail(std::string(finished.message()));
  return Dispatch(cli, positional);
}

}  // namespace
}  // namespace natscope::server

int main(int argc, char** argv) {
  natscope::InstallCrashHandler(argv[0]);
  if (natscope::PrintVersionIfRequested(argc, argv, "natscope")) return 0;
  return natscope::server::Main(argc, argv);
}
