// natscope-server: stores what agents ship, answers the dashboard's queries
// and STUN probes. Wires the pieces together; logic lives elsewhere.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/crash_handler.h"
#include "common/flags.h"
#include "common/http/http.h"
#include "common/metrics/metrics.h"
#include "common/log.h"
#include "common/version.h"
#include "common/net/socket_address.h"
#include "common/tls/tls.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/auth/authenticator.h"
#include "server/auth/bootstrap_token.h"
#include "server/auth/grpc_auth.h"
#include "server/embedded_postgres/embedded_postgres.h"
#include "server/history_maintenance.h"
#include "server/http/frontend.h"
#include "server/http/json_api.h"
#include "server/intake/intake_server.h"
#include "common/periodic.h"
#include "server/analysis/site_refresher.h"
#include "server/service/admin_service.h"
#include "server/service/agent_service.h"
#include "server/service/query_service.h"
#include "server/service/report_service.h"
#include "server/reports/producer.h"
#include "server/reports/scheduler.h"
#include "server/reports/scheduler_core.h"
#include "server/port_file.h"
#include "server/server_flags.h"
#include "server/storage.h"
#include "server/store/postgres_store.h"
#include "server/analysis/aws_ranges_watcher.h"
#include "server/stun/responder.h"
#include "server/stun/responder_flags.h"

namespace natscope::server {
namespace {

using Flags = ServerFlags;

constexpr char kUsage[] =
    "usage: natscope-server [flags]\n"
    "\n"
    "The central natscope service: agents ship their probes and logs to it,\n"
    "the dashboard backend and the natscope CLI query it, and its UDP ports\n"
    "answer agents' probes: STUN (RFC 5780 NAT behaviour discovery when\n"
    "--stun_alt_ip gives a second address), extra plain STUN ports for the\n"
    "outbound-port test, and QUIC version negotiation.\n"
    "\n"
    "With no --postgres it runs an embedded PostgreSQL cluster of its own in\n"
    "--data_dir (created on first start, Unix socket only, stopped on exit).";

void Log(const std::string& message, const LogFields& fields = {}) {
  LogEvent(LogLevel::kInfo, message, fields);
}

int Fail(const std::string& message) {
  LogEvent(LogLevel::kError, message);
  return 1;
}

// Blocks SIGINT and SIGTERM, to be taken by sigwait() (WaitForStopSignal);
// every thread started afterwards inherits the mask, so none is
// interrupted by them. Returns the blocked set.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Starts the STUN/QUIC responder into `*stun` when a flag turns it on.
absl::Status StartStun(const Flags& flags, std::unique_ptr<StunResponder>* stun) {
  auto stun_options = ParseStunFlags(flags.stun);
  if (!stun_options.ok()) return stun_options.status();
  if (AnyResponderOn(*stun_options)) {
    auto responder = StunResponder::Start(*stun_options);
    if (!responder.ok()) return responder.status();
    *stun = std::move(responder).value();
  }
  return absl::OkStatus();
}

// Access control starts with the bootstrap admin token: created in
// --admin_token_file (default <data_dir>/admin_token without --postgres)
// when missing.
absl::Status BootstrapAdminToken(const Flags& flags, TokenStore& tokens) {
  std::string admin_token_file = flags.admin_token_file;
  if (admin_token_file.empty() && flags.postgres.empty()) {
    admin_token_file = DataDirOf(flags) + "/admin_token";
  }
  if (admin_token_file.empty()) return absl::OkStatus();
  auto bootstrap = auth::EnsureBootstrapAdminToken(tokens, admin_token_file,
                                                   absl::Now());
  if (!bootstrap.ok()) return bootstrap.status();
  Log(absl::StrCat(bootstrap->created_file ? "created admin token " : "admin token ",
                   bootstrap->token_id, " in ", admin_token_file,
                   bootstrap->created_file ? " (mode 0600; give it to natscope "
                                             "--token_file)" : ""));
  return absl::OkStatus();
}

auth::AuthenticatorOptions AuthenticatorOptionsOf(const Flags& flags) {
  auth::AuthenticatorOptions options;
  options.failures.rate_per_second = static_cast<double>(flags.auth_failure_rate);
  options.failures.burst = static_cast<double>(flags.auth_failure_burst);
  return options;
}

AgentServiceOptions AgentServiceOptionsOf(const Flags& flags) {
  AgentServiceOptions options;
  options.enrollment_token = flags.enrollment_token;
  options.ingest_rate.rate_per_second = static_cast<double>(flags.ingest_rate);
  options.ingest_rate.burst = static_cast<double>(flags.ingest_burst);
  options.max_batch_bytes = static_cast<size_t>(flags.max_batch_bytes);
  options.time_window.past = flags.retention;
  return options;
}

// Reports: several servers may run the scheduler; each run is claimed
// once in the database under this name (server/reports/producer.h).
std::string ProducerName() {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, ":", getpid());
}

// Every gRPC service over `db`, each behind the one Authenticator (see
// server/auth/policy.h for who may call what). `db` and the ranges' watcher
// must outlive it; the members are built in order and destroyed in reverse.
struct Services {
  Services(PostgresStore* db, const AwsRangesProvider& aws_ranges,
           const Flags& flags)
      : authenticator(db, db, AuthenticatorOptionsOf(flags)),
        agent_core(db, db, db, AgentServiceOptionsOf(flags)),
        agent_service(&agent_core, &authenticator),
        query_core(db, db, db, aws_ranges, flags.forget_after),
        query_service(&query_core, &authenticator),
        admin_core(db, db, &RealClock::Get(), flags.forget_after),
        admin_service(&admin_core, &authenticator),
        // Reports analyse each site as GetSiteAnalysis does: findings
        // with their hosts, evidence and remediation.
        producer(db, db, &RealClock::Get(), ProducerName(),
                 ReportAnalysis{db, SiteFactsOptions{aws_ranges, flags.forget_after}}),
        scheduler(db, &RealClock::Get(), &producer),
        report_core(db, &RealClock::Get(), &producer, &scheduler),
        report_service(&report_core, &authenticator) {}

  auth::Authenticator authenticator;
  AgentServiceCore agent_core;
  AgentServiceImpl agent_service;
  QueryServiceCore query_core;
  QueryServiceImpl query_service;
  AdminServiceCore admin_core;
  AdminServiceImpl admin_service;
  ReportProducer producer;
  ReportScheduler scheduler;
  ReportServiceCore report_core;
  ReportServiceImpl report_service;
};

// Builds and starts the gRPC server on --listen with `services`. On
// success *port is the port bound. `*server` is set even when the port is
// not, so that the caller destroys it after logging the error.
absl::Status StartGrpcServer(const Flags& flags, Services& services,
                             std::unique_ptr<grpc::Server>* server, int* port) {
  auto credentials = tls::MakeServerCredentials(flags.tls, flags.listen);
  if (!credentials.ok()) return credentials.status();
  // Standard gRPC tooling works against natscope-server: the health
  // service (grpc.health.v1) and server reflection (grpcurl, grpc_cli).
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  *port = 0;
  builder.AddListeningPort(flags.listen, *credentials, port);
  builder.RegisterService(&services.agent_service);
  builder.RegisterService(&services.query_service);
  builder.RegisterService(&services.admin_service);
  builder.RegisterService(&services.report_service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(flags.max_receive_message_bytes));
  // gRPC 1.51 inflates a compressed message whole before checking its size:
  // accept identity encoding only (agents compress their records
  // themselves, inflated with a bound: AgentServiceCore::PrepareBatch).
  builder.AddChannelArgument(GRPC_COMPRESSION_CHANNEL_ENABLED_ALGORITHMS_BITSET,
                             1 << GRPC_COMPRESS_NONE);
  // Bounded threads and streams: a flood of calls queues instead of
  // starving the database pool and the machine.
  grpc::ResourceQuota quota("natscope-server");
  quota.SetMaxThreads(static_cast<int>(flags.max_threads));
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             static_cast<int>(flags.max_concurrent_streams));
  *server = builder.BuildAndStart();
  if (*server == nullptr || *port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", flags.listen,
                     " (in use, or not a local address?): choose "
                     "another with --listen"));
  }
  return absl::OkStatus();
}

// Starts --http_listen, when given, serving `api`, the dashboard, /metrics
// and the probes; ready while `db` answers.
absl::Status StartHttp(const Flags& flags, const server::http::JsonApi* api,
                       PostgresStore* db, natscope::http::Handler otlp_logs,
                       std::unique_ptr<natscope::http::Listener>* listener) {
  if (flags.http_listen.empty()) return absl::OkStatus();
  auto started = natscope::http::Listener::Start(
      HttpListenerOptionsOf(flags),
      server::http::FrontendHandler({api, &metrics::DefaultRegistry(),
                                     [db] { return db->AuthGeneration().status(); },
                                     std::move(otlp_logs)}));
  if (!started.ok()) return started.status();
  *listener = *std::move(started);
  return absl::OkStatus();
}

intake::IntakeServerOptions IntakeOptionsOf(const Flags& flags) {
  return intake::IntakeServerOptions{flags.intake, flags.tls, flags.retention,
                                     static_cast<int>(flags.pool_size)};
}

// --port_file: every port bound, for scripts and tests.
absl::Status WritePorts(const Flags& flags, int grpc_port, int http_port,
                        const StunResponder* stun,
                        const intake::IntakeServer& intake) {
  if (flags.port_file.empty()) return absl::OkStatus();
  return WritePortFile(
      flags.port_file, grpc_port, http_port,
      absl::StrCat(stun ? stun->PortFileLines() : "stun=0\n",
                   intake.syslog_port() > 0
                       ? absl::StrCat("syslog=", intake.syslog_port(), "\n")
                       : ""));
}

// The start-up line: what listens where.
void LogServing(const Flags& flags, int grpc_port,
                const natscope::http::Listener* http, const StunResponder* stun,
                const intake::IntakeServer& intake) {
  Log(absl::StrCat(
      "serving gRPC (", flags.tls.cert_file.empty() ? "plaintext" : "TLS",
      ") on port ", grpc_port, ", ",
      http ? absl::StrCat(http->tls() ? "HTTPS" : "HTTP",
                          " (dashboard, /v1 API, /metrics) on port ",
                          http->port(), ", ")
           : std::string(),
      stun ? stun->Describe() : "STUN off", ", ", intake.Describe(),
      "; stop with Ctrl-C or SIGTERM"));
}

// Waits for SIGINT or SIGTERM, blocked by BlockStopSignals.
void WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  Log(absl::StrCat("signal ", signal_number, ": draining and shutting down"));
}

int Serve(const Flags& flags) {
  const sigset_t signals = BlockStopSignals();
  // The server's own rules and ranges decide every stored probe; a bad
  // ranges file is refused before the database is started.
  auto aws_ranges = AwsRangesWatcher::Create(
      {flags.aws_ip_ranges, flags.aws_ip_ranges_check}, &RealClock::Get());
  if (!aws_ranges.ok()) return Fail(std::string(aws_ranges.status().message()));
  Storage storage;
  if (absl::Status opened = OpenStorage(flags, &storage); !opened.ok()) {
    return Fail(std::string(opened.message()));
  }
  // Background work starts once the server is serving (below), so that a
  // server that fails to start never applies retention or sends a report.
  std::unique_ptr<Periodic> maintenance;
  PostgresStore* const db = storage.store.get();
  SiteRefresherOptions refresher_options;
  refresher_options.aws_ranges = (*aws_ranges)->Provider();
  refresher_options.forget_after = flags.forget_after;
  SiteRefresher refresher(db, db, &RealClock::Get(), refresher_options);
  std::unique_ptr<StunResponder> stun;
  if (absl::Status started = StartStun(flags, &stun); !started.ok()) {
    return Fail(std::string(started.message()));
  }
  if (absl::Status admin = BootstrapAdminToken(flags, *db); !admin.ok()) {
    return Fail(std::string(admin.message()));
  }
  // --testonly_report_seconds, before the services compile any schedule.
  SetReportSecondsForTesting(flags.testonly_report_seconds);
  Services services(db, (*aws_ranges)->Provider(), flags);
  services.scheduler.Start();  // Before serving: gRPC threads Poke() it.
  std::unique_ptr<grpc::Server> server;
  int grpc_port = 0;
  if (absl::Status serving = StartGrpcServer(flags, services, &server, &grpc_port);
      !serving.ok()) {
    return Fail(std::string(serving.message()));
  }
  const server::http::JsonApi api(
      server::http::ApiRoutes(&services.query_core, &services.admin_core,
                              &services.report_core),
      &services.authenticator);
  auto intake = intake::IntakeServer::Start(IntakeOptionsOf(flags), db, db);
  if (!intake.ok()) return Fail(std::string(intake.status().message()));
  std::unique_ptr<natscope::http::Listener> http_listener;
  if (absl::Status serving = StartHttp(flags, &api, db, (*intake)->OtlpHandler(),
                                       &http_listener);
      !serving.ok()) {
    return Fail(std::string(serving.message()));
  }
  const int http_port = http_listener ? http_listener->port() : 0;
  if (absl::Status written = WritePorts(flags, grpc_port, http_port, stun.get(),
                                        **intake);
      !written.ok()) {
    return Fail(std::string(written.message()));
  }
  maintenance = std::make_unique<Periodic>(
      "history", absl::ZeroDuration(), absl::Hours(1),
      [&] { return MaintainHistory(*db, *db, flags); });
  refresher.Start();
  (*aws_ranges)->Start(db);
  LogServing(flags, grpc_port, http_listener.get(), stun.get(), **intake);

  WaitForStopSignal(signals);
  if (http_listener) http_listener->Stop();
  (*intake)->Stop();  // Syslog connections finish what they sent.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  services.scheduler.Stop();
  refresher.Stop();
  (*aws_ranges)->Stop();
  maintenance->Stop();
  stun.reset();
  CloseStorage(storage);
  Log("stopped");
  return 0;
}

int Main(int argc, char** argv) {
  SetLogComponent("natscope-server");
  Flags f;
  FlagSet flags("natscope-server", kUsage);
  RegisterServerFlags(flags, &f);
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::Status parsed = flags.Parse(args, nullptr);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (flags.help_requested()) {
    std::cout << flags.Help();
    return 0;
  }
  absl::Status finished = FinishServerFlags(&f);
  if (!finished.ok()) return Fail(std::string(finished.message()));
  // TLS and STUN/QUIC flag mistakes surface before PostgreSQL starts.
  auto credentials = tls::MakeServerCredentials(f.tls, f.listen);
  if (!credentials.ok()) return Fail(std::string(credentials.status().message()));
  if (!f.http_listen.empty()) {
    absl::Status http_ok = natscope::http::CheckListenerOptions(HttpListenerOptionsOf(f));
    if (!http_ok.ok()) return Fail(std::string(http_ok.message()));
  }
  auto stun_options = ParseStunFlags(f.stun);
  if (!stun_options.ok()) {
    return Fail(std::string(stun_options.status().message()));
  }
  if (absl::Status intake = intake::CheckIntakeServer(IntakeOptionsOf(f));
      !intake.ok()) {
    return Fail(std::string(intake.message()));
  }
  return Serve(f);
}

}  // namespace
}  // namespace natscope::server

int main(int argc, char** argv) {
  natscope::InstallCrashHandler(argv[0]);
  // Debian's Abseil is built with the Mutex deadlock detector on: every
  // lock updates a global graph of lock order under a global lock. The
  // tests keep it (it finds lock-order bugs); the server does not pay for
  // it on every lock of every Ingest call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (natscope::PrintVersionIfRequested(argc, argv, "natscope-server")) return 0;
  return natscope::server::Main(argc, argv);
}
