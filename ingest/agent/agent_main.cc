// natscope-agent: probes this host's NAT and ships the product's logs.
// Wires the pieces together; the logic lives in the libraries.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "common/clock.h"
#include "common/crash_handler.h"
#include "common/flags.h"
#include "common/http/http.h"
#include "common/metrics/metrics.h"
#include "common/metrics/metrics_http.h"
#include "common/version.h"
#include "ingest/agent/enroll_flags.h"
#include "ingest/agent/parse_command.h"
#include "ingest/agent/probe_output.h"
#include "ingest/agent/runner.h"
#include "ingest/config/agent_settings.h"
#include "ingest/config/config.h"
#include "ingest/enroll/enroll_command.h"
#include "analyzer/evidence/aws_ranges_source.h"
#include "ingest/probe/prober.h"
#include "ingest/state/agent_status.h"

namespace natscope::ingest {
namespace {

constexpr char kUsage[] =
    "usage: natscope-agent COMMAND [flags]\n"
    "\n"
    "Tells whether this host can go peer-to-peer through NAT, and why not,\n"
    "and ships the product's logs and its own probes to natscope-server.\n"
    "\n"
    "Commands:\n"
    "  probe    diagnose this host now and print the report\n"
    "           natscope-agent probe --stun=HOST:PORT [--stun=...] [--json]\n"
    "  enroll   trade the site's enrollment token for this agent's credential\n"
    "           natscope-agent enroll --config=FILE --token=TOKEN\n"
    "           or set this host up in one command (deploy/README.md): --server\n"
    "           --site --token_file --ca_file [--role --logs --config --force]\n"
    "  run      the daemon: follow logs, probe on a schedule, deliver both\n"
    "           natscope-agent run --config=FILE\n"
    "           (or, for a quick try: --server --site --role --log_file\n"
    "            --stun --state_dir --plaintext)\n"
    "           --metrics_listen=127.0.0.1:9464 serves Prometheus metrics\n"
    "           at /metrics (see docs/metrics.md)\n"
    "  status   what the running agent is doing (from its state directory)\n"
    "           natscope-agent status --config=FILE [--json]\n"
    "  parse    print the records the agent would ship from log files, one\n"
    "           JSON object per line, and a count per rule on stderr\n"
    "           natscope-agent parse [--config=FILE] FILE...\n"
    "  version  print the version and commit (also --version)";

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

int Fail(const std::string& message) {
  LogEvent(LogLevel::kError, message);
  return 1;
}

// "3478,443" -> {3478, 443}; InvalidArgument names the bad entry.
absl::StatusOr<std::vector<int>> ParsePorts(const std::string& text) {
  std::vector<int> ports;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int port = 0;
    if (!absl::SimpleAtoi(part, &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("--ports: \"", part, "\" is not a port number (1-65535)"));
    }
    ports.push_back(port);
  }
  return ports;
}

// Repeated flags whose values may also be comma-separated, flattened.
std::vector<std::string> SplitList(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    for (absl::string_view part : absl::StrSplit(v, ',', absl::SkipEmpty())) {
      out.emplace_back(part);
    }
  }
  return out;
}

struct Flags {
  std::string config;
  ProbeOptions probe;
  std::vector<std::string> stun;
  bool json = false;
  std::string ports;
  std::string aws_ip_ranges;
  // run without --config.
  std::string server, site, role, agent_id, log_file, state_dir;
  EnrollFlags enroll;  // enroll --server=...: the one-command setup.
  std::string token, token_file, log_format = "text";
  std::string metrics_listen, metrics_tls_cert, metrics_tls_key;
  bool from_start = true, plaintext = false;
  absl::Duration probe_interval = absl::Minutes(5);
  absl::Duration probe_request_gap = absl::Minutes(1);
  absl::Duration poll_interval = absl::Milliseconds(250);
  absl::Duration checkin_interval = absl::ZeroDuration();  // Zero: config's.
};

void Register(FlagSet& f, Flags& v) {
  f.String("log_format", &v.log_format,
           "run: format of the agent's log lines on stderr: text, or json "
           "(one object per line, for log shippers).");
  f.String("config", &v.config, "Agent config file (protobuf text format; see "
                                "deploy/natscope-agent.textproto).");
  f.StringList("stun", &v.stun, "probe: STUN server HOST:PORT; repeat for several.");
  f.Bool("json", &v.json, "probe, status: print proto3 JSON.");
  f.Duration("timeout", &v.probe.policy.timeout,
             "probe: give up on unanswered STUN servers after this long.");
  f.String("quic", &v.probe.quic_server, "probe: QUIC endpoint HOST:PORT to test.");
  f.String("ports", &v.ports,
           "probe: destination UDP ports for the outbound-rule test, against "
           "the first STUN server's IP; empty skips the test.");
  f.StringList("destinations", &v.probe.destinations,
               "probe: more HOST:PORT destinations outbound UDP should reach, "
               "comma-separated or repeated; each one no STUN exchange "
               "reached is firewalked, as is the first server's alternate "
               "address.");
  f.Bool("firewalk", &v.probe.firewalk,
         "probe: firewalk (TTL-limited probes) the ports the port check "
         "could not decide and the destinations. --nofirewalk skips it.");
  f.String("aws_ip_ranges", &v.aws_ip_ranges,
           "AWS's ip-ranges.json for AWS NAT gateway detection (default: the "
           "copy built in, published 2026-08-22).");
  f.Bool("gateways", &v.probe.gateways,
         "Ask the default gateway for its external address (NAT-PMP, PCP, "
         "UPnP IGD; read-only). --nogateways skips it.");
  f.Bool("trace", &v.probe.trace_hops,
         "probe: trace the first hops toward the first STUN server. --notrace skips it.");
  f.Bool("hairpin", &v.probe.hairpin, "probe: also test hairpinning.");
  f.Duration("lifetime", &v.probe.lifetime,
             "probe: also measure how long an idle UDP mapping lives, up to "
             "this long (takes about twice as long). Off by default.");
  f.String("local", &v.probe.local, "probe: local IP:PORT to send from.");
  f.String("token", &v.token,
           "enroll, run: the site's enrollment token (visible in ps: prefer "
           "--token_file).");
  f.String("token_file", &v.token_file,
           "enroll, run: file (mode 0600, this user's) holding the site's "
           "enrollment token; overrides the config's enrollment_token_file.");
  f.String("server", &v.server, "enroll, run: natscope-server's gRPC address "
                                "(overrides the config's).");
  f.String("site", &v.site, "enroll, run: the site of this host (overrides "
                            "$NATSCOPE_SITE, which overrides the config's).");
  f.String("role", &v.role, "enroll, run: client or connector (overrides "
                            "$NATSCOPE_ROLE, then the config's; else client).");
  RegisterEnrollFlags(f, &v.enroll);
  f.String("agent_id", &v.agent_id, "run without --config: agent id (default: the hostname and a digest of /etc/machine-id).");
  f.String("log_file", &v.log_file, "run without --config: log file or glob to follow.");
  f.Bool("from_start", &v.from_start,
         "run without --config: read existing log lines too, not only new ones.");
  f.String("state_dir", &v.state_dir,
           "run, status: the agent's state directory (credential, spool, status).");
  f.Bool("plaintext", &v.plaintext,
         "run without --config: talk to the server without TLS (loopback, tests).");
  f.Duration("probe_interval", &v.probe_interval, "run without --config: time between probes.");
  f.Duration("probe_request_gap", &v.probe_request_gap,
             "run without --config: least time between probes the server "
             "asks for (natscope probe); default 1m.");
  f.Duration("poll_interval", &v.poll_interval, "run without --config: time between log reads.");
  f.Duration("checkin_interval", &v.checkin_interval,
             "run: with nothing to send for this long, check in with the "
             "server anyway, to hear requests to probe now (natscope probe); "
             "0: the config's checkin_interval (default 5m).");
  f.String("metrics_listen", &v.metrics_listen,
           "run: serve Prometheus metrics at http://HOST:PORT/metrics "
           "(port 0 picks a free one, logged). Plaintext only on loopback "
           "unless --metrics_tls_cert/--metrics_tls_key are given. Off by "
           "default.");
  f.String("metrics_tls_cert", &v.metrics_tls_cert,
           "run: PEM certificate chain for HTTPS on --metrics_listen.");
  f.String("metrics_tls_key", &v.metrics_tls_key,
           "run: PEM private key for HTTPS on --metrics_listen.");
}

// --metrics_listen: GET /metrics on a listener of its own; null when off.
absl::StatusOr<std::unique_ptr<http::Listener>> StartMetrics(const Flags& v) {
  if (v.metrics_listen.empty()) return std::unique_ptr<http::Listener>();
  http::ListenerOptions options;
  options.listen = v.metrics_listen;
  options.tls.cert_file = v.metrics_tls_cert;
  options.tls.key_file = v.metrics_tls_key;
  options.flag_name = "--metrics_listen";
  options.tls_flags = "--metrics_tls_cert=FILE --metrics_tls_key=FILE";
  options.plaintext_flag = "";  // The agent's --plaintext is about gRPC.
  options.threads = 2;  // Scrapes are rare and cheap.
  auto listener = http::Listener::Start(
      options, metrics::MetricsHandler(metrics::DefaultRegistry()));
  if (!listener.ok()) return listener.status();
  const std::string host =
      v.metrics_listen.substr(0, v.metrics_listen.rfind(':'));
  LogEvent(LogLevel::kInfo, "serving metrics",
           {{"url", absl::StrCat((*listener)->tls() ? "https://" : "http://",
                                 host, ":", (*listener)->port(),
                                 "/metrics")}});
  return listener;
}

std::string DurationText(absl::Duration d) { return absl::FormatDuration(d); }

// The config for `run`/`enroll`/`status`: --config, else one built from
// flags. Defaults and validation apply either way. Site and role: flag >
// environment > config; `*identity_from` says which (identity_source.h).
absl::StatusOr<v1::AgentConfig> ConfigFrom(const Flags& v,
                                           std::string* identity_from = nullptr) {
  const IdentityInputs identity = IdentityFromEnvironment(v.site, v.role);
  if (!v.token.empty() && !v.token_file.empty()) {
    return absl::InvalidArgumentError("give --token or --token_file, not both");
  }
  if (!v.config.empty()) {
    auto config = LoadConfig(v.config);
    if (config.ok() && !v.server.empty()) config->set_server(v.server);
    if (config.ok() && !v.state_dir.empty()) config->set_state_dir(v.state_dir);
    if (config.ok() && !v.token_file.empty()) {
      config->set_enrollment_token_file(v.token_file);
    }
    if (!config.ok()) return config;
    auto from = ApplyIdentityInputs(identity, &*config);
    if (!from.ok()) return from.status();
    if (identity_from != nullptr) *identity_from = *from;
    if (absl::Status valid = ValidateConfig(*config); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(*from, ": ", valid.message()));
    }
    if (config.ok() && v.checkin_interval != absl::ZeroDuration()) {
      config->set_checkin_interval(DurationText(v.checkin_interval));
      if (absl::Status valid = ValidateConfig(*config); !valid.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--checkin_interval: ", valid.message()));
      }
    }
    return config;
  }
  v1::AgentConfig config;
  config.set_server(v.server.empty() ? "127.0.0.1:7700" : v.server);
  config.mutable_tls()->set_plaintext(v.plaintext);
  config.set_state_dir(v.state_dir);
  config.mutable_identity()->set_agent_id(v.agent_id);
  config.set_enrollment_token_file(v.token_file);
  config.mutable_identity()->set_role(v1::ROLE_CLIENT);  // The default.
  auto from = ApplyIdentityInputs(identity, &config);
  if (!from.ok()) return from.status();
  if (identity_from != nullptr) *identity_from = *from;
  if (!v.log_file.empty()) {
    v1::LogSource* log = config.add_logs();
    log->set_path(v.log_file);
    log->set_from_start(v.from_start);
  }
  for (const std::string& s : v.stun) config.mutable_probe()->add_stun_servers(s);
  for (const std::string& d : SplitList(v.probe.destinations)) {
    config.mutable_probe()->add_destinations(d);
  }
  if (!v.probe.firewalk) config.mutable_probe()->set_firewalk(false);
  config.mutable_probe()->set_interval(DurationText(v.probe_interval));
  config.mutable_probe()->set_request_gap(DurationText(v.probe_request_gap));
  config.set_poll_interval(DurationText(v.poll_interval));
  if (v.checkin_interval != absl::ZeroDuration()) {
    config.set_checkin_interval(DurationText(v.checkin_interval));
  }
  ApplyDefaults(LocalHostname(), &config);
  absl::Status valid = ValidateConfig(config);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the flags make an invalid config (or use --config=FILE): ", valid.message()));
  }
  return config;
}

int ProbeCommand(Flags& v, std::shared_ptr<const analyzer::AwsRanges> ranges) {
  auto ports = ParsePorts(v.ports);
  if (!ports.ok()) return Fail(std::string(ports.status().message()));
  v.probe.ports = *ports;
  v.probe.stun_servers = v.stun;
  v.probe.destinations = SplitList(v.probe.destinations);
  v.probe.aws_ranges = std::move(ranges);
  if (!v.json) {
    v.probe.progress = [](const std::string& step) {
      std::cerr << "probing: " << step << " ..." << std::endl;
    };
  }
  auto report = Probe(v.probe, RealClock::Get());
  if (!report.ok()) return Fail(std::string(report.status().message()));
  std::cout << (v.json ? ProbeReportJson(*report) : FormatProbeReport(*report));
  return 0;
}

int RunCommand(const Flags& v, std::shared_ptr<const analyzer::AwsRanges> ranges) {
  std::string identity_from;
  auto config = ConfigFrom(v, &identity_from);
  if (!config.ok()) return Fail(std::string(config.status().message()));
  RunnerOptions options;
  options.config = *config;
  options.enrollment_token = v.token;
  options.identity_source = identity_from;
  options.version = VersionNumber();
  options.aws_ranges = std::move(ranges);
  options.no_gateways = !v.probe.gateways;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  auto metrics = StartMetrics(v);
  if (!metrics.ok()) return Fail(std::string(metrics.status().message()));
  absl::Status status = RunAgent(options, &g_stop);
  if (*metrics) (*metrics)->Stop();
  if (!status.ok()) return Fail(std::string(status.message()));
  LogEvent(LogLevel::kInfo, "stopped");
  return 0;
}

int Dispatch(const std::string& command, const std::vector<std::string>& args, Flags& v) {
  if (command == "parse") {
    std::vector<RuleSpec> rules;
    if (!v.config.empty()) {
      auto config = LoadConfig(v.config);
      if (!config.ok()) return Fail(std::string(config.status().message()));
      rules = OperatorRules(*config);
    }
    return RunParseCommand(args, rules, std::cout, std::cerr);
  }
  if (!args.empty()) {
    return Fail(absl::StrCat("unexpected arguments \"", absl::StrJoin(args, " "),
                             "\" (see natscope-agent --help)"));
  }
  if (command == "status") {
    std::string state_dir = v.state_dir;
    if (state_dir.empty()) {
      auto config = ConfigFrom(v);
      if (!config.ok()) return Fail(std::string(config.status().message()));
      state_dir = config->state_dir();
    }
    return RunStatusCommand(state_dir, v.json, absl::Now(), std::cout);
  }
  if (command == "enroll" && IsHostEnroll(v.enroll, v.server, v.config, v.site)) {
    absl::Status s = RunHostEnroll(
        v.enroll, IdentityFromEnvironment(v.site, v.role),
        {v.server, v.config, v.state_dir, v.plaintext, SplitList(v.stun),
         v.token, v.token_file, std::string(VersionNumber())});
    return s.ok() ? 0 : Fail(std::string(s.message()));
  }
  if (command == "enroll") {
    auto config = ConfigFrom(v);
    if (!config.ok()) return Fail(std::string(config.status().message()));
    absl::Status s = EnrollCommand(*config, v.token, VersionNumber(), std::cout);
    return s.ok() ? 0 : Fail(std::string(s.message()));
  }
  auto ranges = analyzer::LoadAwsRanges(v.aws_ip_ranges);
  if (!ranges.ok()) return Fail(std::string(ranges.status().message()));
  auto shared = std::make_shared<const analyzer::AwsRanges>(std::move(ranges).value());
  if (command == "probe") return ProbeCommand(v, shared);
  if (command == "run") return RunCommand(v, shared);
  return Fail(absl::StrCat("unknown command \"", command, "\" (see natscope-agent --help)"));
}

int Main(int argc, char** argv) {
  SetLogComponent("natscope-agent");
  Flags v;
  v.ports = absl::StrJoin(v.probe.ports, ",");
  FlagSet flags("natscope-agent", kUsage);
  Register(flags, v);
  std::vector<std::string> args(argv + 1, argv + argc), positional;
  absl::Status parsed = flags.Parse(args, &positional);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  absl::Status format = SetLogFormatByName(v.log_format);
  if (!format.ok()) return Fail(std::string(format.message()));
  if (positional.empty()) {
    std::cerr << flags.Help();
    return 2;
  }
  return Dispatch(positional[0], {positional.begin() + 1, positional.end()}, v);
}

}  // namespace
}  // namespace natscope::ingest

int main(int argc, char** argv) {
  natscope::InstallCrashHandler(argv[0]);
  if (natscope::PrintVersionIfRequested(argc, argv, "natscope-agent", true)) return 0;
  return natscope::ingest::Main(argc, argv);
}
