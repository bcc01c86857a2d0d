// natscope-agent: probes this host's NAT and ships the product's logs.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/flags.h"
#include "ingest/agent/probe_output.h"
#include "ingest/evidence/aws_ranges_source.h"
#include "ingest/agent/runner.h"
#include "ingest/probe/prober.h"

namespace natscope::ingest {
namespace {

constexpr char kUsage[] =
    "usage: natscope-agent COMMAND [flags]\n"
    "\n"
    "Tells whether this host can go peer-to-peer through NAT, and why not.\n"
    "\n"
    "Commands:\n"
    "  probe   diagnose this host now and print the report\n"
    "          natscope-agent probe --stun=HOST:PORT [--stun=...] [--json]\n"
    "  run     follow the product's log, probe on a schedule, ship both to\n"
    "          natscope-server\n"
    "          natscope-agent run --server=HOST:PORT --site=SITE --role=client\n"
    "              --log_file=PATH --stun=HOST:PORT";

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

int Fail(const std::string& message) {
  std::cerr << "natscope-agent: " << message << "\n";
  return 1;
}

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "agent";
  return name;
}

// "3478,443" -> {3478, 443}; InvalidArgument names the bad entry.
absl::StatusOr<std::vector<int>> ParsePorts(const std::string& text) {
  std::vector<int> ports;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int port = 0;
    if (!absl::SimpleAtoi(part, &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--ports: \"", part, "\" is not a port number (1-65535)"));
    }
    ports.push_back(port);
  }
  return ports;
}

int ProbeCommand(ProbeOptions options, bool json, const std::string& ports) {
  auto parsed = ParsePorts(ports);
  if (!parsed.ok()) return Fail(std::string(parsed.status().message()));
  options.ports = *parsed;
  if (!json) {
    options.progress = [](const std::string& step) {
      std::cerr << "probing: " << step << " ..." << std::endl;
    };
  }
  auto report = Probe(options, RealClock::Get());
  if (!report.ok()) return Fail(std::string(report.status().message()));
  std::cout << (json ? ProbeReportJson(*report) : FormatProbeReport(*report));
  return 0;
}

int RunCommand(RunnerOptions options, const std::string& role) {
  if (role == "client") {
    options.identity.set_role(v1::ROLE_CLIENT);
  } else if (role == "connector") {
    options.identity.set_role(v1::ROLE_CONNECTOR);
  } else {
    return Fail(absl::StrCat("--role must be client or connector, not \"", role, "\""));
  }
  if (options.identity.site().empty()) {
    return Fail("--site is required: the site (remote network) this host belongs to");
  }
  if (options.identity.agent_id().empty()) options.identity.set_agent_id(Hostname());
  options.identity.set_hostname(Hostname());
  options.identity.set_version("0.1.0");
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  absl::Status status = RunAgent(options, &g_stop);
  if (!status.ok()) return Fail(std::string(status.message()));
  std::cerr << "natscope-agent: stopped" << std::endl;
  return 0;
}

int Main(int argc, char** argv) {
  ProbeOptions probe;
  std::vector<std::string> stun;
  bool json = false;
  absl::Duration timeout = probe.policy.timeout;
  std::string ports = absl::StrJoin(probe.ports, ",");
  std::string aws_ip_ranges;
  RunnerOptions run;
  std::string role = "client", site, agent_id;
  run.server = "127.0.0.1:7700";
  FlagSet flags("natscope-agent", kUsage);
  flags.StringList("stun", &stun, "STUN server HOST:PORT; repeat for several.");
  flags.Bool("json", &json, "probe: print the report as proto3 JSON.");
  flags.Duration("timeout", &timeout,
                 "Give up on unanswered STUN servers after this long.");
  flags.String("quic", &probe.quic_server,
               "QUIC endpoint HOST:PORT to test QUIC reachability against.");
  flags.String("ports", &ports,
               "Destination UDP ports to test outbound rules on, against the "
               "first STUN server's IP (it must answer STUN there, e.g. "
               "natscope-server --stun_ports); empty skips the test.");
  flags.String("aws_ip_ranges", &aws_ip_ranges,
               "AWS's ip-ranges.json for AWS NAT gateway detection (default: "
               "the copy built in, published 2026-08-22).");
  flags.Bool("gateways", &probe.gateways,
             "Ask the default gateway for its external address (NAT-PMP, PCP, "
             "UPnP IGD; read-only). --nogateways skips it.");
  flags.Bool("trace", &probe.trace_hops,
             "Trace the first hops toward the first STUN server (double NAT, "
             "CGNAT evidence). --notrace skips it.");
  flags.Bool("hairpin", &probe.hairpin,
             "Also test hairpinning (sends a packet to this host's public address).");
  flags.Duration("lifetime", &probe.lifetime,
                 "Also measure how long an idle UDP mapping lives, up to this "
                 "long (e.g. 2m; takes about twice as long). Off by default.");
  flags.String("local", &probe.local,
               "probe: local IP:PORT to send from (default: any free port).");
  flags.String("server", &run.server, "run: natscope-server's gRPC address.");
  flags.String("site", &site, "run: the site (remote network) of this host.");
  flags.String("role", &role, "run: client or connector.");
  flags.String("agent_id", &agent_id, "run: this agent's id (default: hostname).");
  flags.String("enrollment_token", &run.enrollment_token,
               "run: the site's enrollment token, if the server requires one.");
  flags.String("log_file", &run.log_file, "run: the product log file to follow.");
  flags.Bool("from_start", &run.from_start,
             "run: read the log file from its start, not only new lines.");
  flags.Duration("probe_interval", &run.probe_interval, "run: time between probes.");
  flags.Duration("poll_interval", &run.poll_interval,
                 "run: time between reads of the log file.");
  std::vector<std::string> args(argv + 1, argv + argc), positional;
  absl::Status parsed = flags.Parse(args, &positional);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  if (positional.size() != 1) {
    std::cerr << flags.Help();
    return positional.empty() ? 2
                              : Fail(absl::StrCat("unexpected arguments \"",
                                                  absl::StrJoin(positional, " "), "\""));
  }
  probe.stun_servers = stun;
  probe.policy.timeout = timeout;
  auto ranges = LoadAwsRanges(aws_ip_ranges);
  if (!ranges.ok()) return Fail(std::string(ranges.status().message()));
  probe.aws_ranges =
      std::make_shared<const analyzer::AwsRanges>(std::move(ranges).value());
  if (positional[0] == "probe") return ProbeCommand(probe, json, ports);
  if (positional[0] == "run") {
    auto parsed_ports = ParsePorts(ports);
    if (!parsed_ports.ok()) return Fail(std::string(parsed_ports.status().message()));
    probe.ports = *parsed_ports;
    run.identity.set_site(site);
    run.identity.set_agent_id(agent_id);
    run.probe = probe;
    return RunCommand(run, role);
  }
  return Fail(absl::StrCat("unknown command \"", positional[0],
                           "\" (see natscope-agent --help)"));
}

}  // namespace
}  // namespace natscope::ingest

int main(int argc, char** argv) { return natscope::ingest::Main(argc, argv); }
