// natscope-server: stores what agents ship, answers the dashboard's queries
// and STUN probes. Wires the pieces together; logic lives elsewhere.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/crash_handler.h"
#include "common/flags.h"
#include "common/log.h"
#include "common/net/socket_address.h"
#include "common/tls/tls.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/auth/authenticator.h"
#include "server/auth/bootstrap_token.h"
#include "server/auth/grpc_auth.h"
#include "server/embedded_postgres/embedded_postgres.h"
#include "common/periodic.h"
#include "server/analysis/site_refresher.h"
#include "server/service/admin_service.h"
#include "server/service/agent_service.h"
#include "server/service/query_service.h"
#include "server/service/report_service.h"
#include "server/reports/producer.h"
#include "server/reports/scheduler.h"
#include "server/server_flags.h"
#include "server/store/postgres_store.h"
#include "ingest/evidence/aws_ranges_source.h"
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


// Drops history older than the retention settings, hourly, and keeps the
// next days' partitions ready.
absl::Duration MaintainHistory(Maintenance& store, ReportStore& reports,
                               const Flags& flags) {
  const absl::Time now = absl::Now();
  absl::Status ready = store.EnsurePartitions(now, now + absl::Hours(48));
  if (!ready.ok()) {
    LogEvent(LogLevel::kWarning, "cannot create event partitions; retrying",
             {{"error", std::string(ready.message())}});
    return absl::Minutes(1);
  }
  auto dropped = store.ApplyRetention(now - flags.retention,
                                      now - flags.trend_retention);
  if (!dropped.ok()) {
    LogEvent(LogLevel::kWarning, "retention failed; retrying",
             {{"error", std::string(dropped.status().message())}});
    return absl::Minutes(1);
  }
  if (dropped->partitions_dropped > 0 || dropped->ledger_rows_deleted > 0 ||
      dropped->trend_rows_deleted > 0) {
    LogEvent(LogLevel::kInfo, "history past retention removed",
        {{"partitions", absl::StrCat(dropped->partitions_dropped)},
         {"ledger_rows", absl::StrCat(dropped->ledger_rows_deleted)},
         {"trend_rows", absl::StrCat(dropped->trend_rows_deleted)}});
  }
  // Report runs past --report_retention, with their stored content. Only
  // the database's copies: files written to a schedule's output directory
  // are the operator's to keep or remove.
  auto runs = reports.DeleteRunsBefore(now - flags.report_retention);
  if (!runs.ok()) {
    LogEvent(LogLevel::kWarning, "report retention failed; retrying",
             {{"error", std::string(runs.status().message())}});
    return absl::Minutes(1);
  }
  if (*runs > 0) {
    LogEvent(LogLevel::kInfo, "report runs past retention removed",
             {{"runs", absl::StrCat(*runs)}});
  }
  return absl::ZeroDuration();
}

void Log(const std::string& message, const LogFields& fields = {}) {
  LogEvent(LogLevel::kInfo, message, fields);
}

int Fail(const std::string& message) {
  LogEvent(LogLevel::kError, message);
  return 1;
}

std::string DefaultDataDir() {
  if (geteuid() == 0) return "/var/lib/natscope";
  const char* home = std::getenv("HOME");
  return absl::StrCat(home ? home : ".", "/.local/share/natscope");
}

// Writes "grpc=PORT\n" and the responder's lines ("stun=PORT\n", and
// stun_alt=, stun_ports=, quic= when on) atomically, for scripts and tests
// that asked for port 0.
absl::Status WritePortFile(const std::string& path, int grpc_port,
                           const std::string& responder_lines) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << "grpc=" << grpc_port << "\n" << responder_lines;
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

int Serve(const Flags& flags) {
  // Signals are taken by sigwait() below; every thread started from here
  // on inherits the mask, so none is interrupted by them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::unique_ptr<EmbeddedPostgres> postgres;
  std::string conninfo = flags.postgres;
  if (conninfo.empty()) {
    EmbeddedPostgres::Options options;
    // The cluster lives in a subdirectory: initdb wants an empty one, and
    // --data_dir may hold more of natscope-server's state later.
    options.data_dir = (flags.data_dir.empty() ? DefaultDataDir() : flags.data_dir) +
                       "/postgres";
    options.bin_dir = flags.postgres_bin_dir;
    auto started = EmbeddedPostgres::Start(options);
    if (!started.ok()) return Fail(std::string(started.status().message()));
    postgres = std::move(started).value();
    Log(absl::StrCat("embedded PostgreSQL running in ", options.data_dir));
    conninfo = postgres->ConnectionUri();
  }
  auto store = PostgresStore::Connect(conninfo, static_cast<int>(flags.pool_size));
  if (!store.ok()) return Fail(std::string(store.status().message()));
  absl::Status migrated = (*store)->Migrate();
  if (!migrated.ok()) return Fail(std::string(migrated.message()));

  // Background work starts once the server is serving (below), so that a
  // server that fails to start never applies retention or sends a report.
  std::unique_ptr<Periodic> maintenance;
  PostgresStore* const db = store->get();
  // The server's own rules and ranges decide every stored probe.
  auto aws_ranges = ingest::LoadAwsRanges(flags.aws_ip_ranges);
  if (!aws_ranges.ok()) return Fail(std::string(aws_ranges.status().message()));
  SiteRefresherOptions refresher_options;
  refresher_options.aws_ranges = &*aws_ranges;
  SiteRefresher refresher(db, db, &RealClock::Get(), refresher_options);

  std::unique_ptr<StunResponder> stun;
  auto stun_options = ParseStunFlags(flags.stun);
  if (!stun_options.ok()) {
    return Fail(std::string(stun_options.status().message()));
  }
  if (AnyResponderOn(*stun_options)) {
    auto responder = StunResponder::Start(*stun_options);
    if (!responder.ok()) return Fail(std::string(responder.status().message()));
    stun = std::move(responder).value();
  }

  // Access control: the bootstrap admin token, then every service behind
  // the Authenticator (see server/auth/policy.h for who may call what).
  std::string admin_token_file = flags.admin_token_file;
  if (admin_token_file.empty() && flags.postgres.empty()) {
    admin_token_file =
        (flags.data_dir.empty() ? DefaultDataDir() : flags.data_dir) +
        "/admin_token";
  }
  if (!admin_token_file.empty()) {
    auto bootstrap = auth::EnsureBootstrapAdminToken(**store, admin_token_file,
                                                     absl::Now());
    if (!bootstrap.ok()) return Fail(std::string(bootstrap.status().message()));
    Log(absl::StrCat(bootstrap->created_file ? "created admin token " : "admin token ",
                     bootstrap->token_id, " in ", admin_token_file,
                     bootstrap->created_file ? " (mode 0600; give it to natscope "
                                               "--token_file)" : ""));
  }
  auth::AuthenticatorOptions auth_options;
  auth_options.failures.rate_per_second =
      static_cast<double>(flags.auth_failure_rate);
  auth_options.failures.burst = static_cast<double>(flags.auth_failure_burst);
  auth::Authenticator authenticator(db, db, auth_options);
  AgentServiceOptions agent_options;
  agent_options.enrollment_token = flags.enrollment_token;
  agent_options.ingest_rate.rate_per_second = static_cast<double>(flags.ingest_rate);
  agent_options.ingest_rate.burst = static_cast<double>(flags.ingest_burst);
  agent_options.max_batch_bytes = static_cast<size_t>(flags.max_batch_bytes);
  agent_options.time_window.past = flags.retention;
  AgentServiceCore agent_core(db, db, db, agent_options);
  AgentServiceImpl agent_service(&agent_core, &authenticator);
  QueryServiceCore query_core(db, db, db, &*aws_ranges);
  QueryServiceImpl query_service(&query_core, &authenticator);
  AdminServiceCore admin_core(db, db, &RealClock::Get());
  AdminServiceImpl admin_service(&admin_core, &authenticator);
  // Reports: several servers may run the scheduler; each run is claimed
  // once in the database (server/reports/producer.h).
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  ReportProducer producer(db, db, &RealClock::Get(),
                          absl::StrCat(host, ":", getpid()));
  ReportScheduler scheduler(db, &RealClock::Get(), &producer);
  ReportServiceCore report_core(db, &RealClock::Get(), &producer,
                                &scheduler);
  ReportServiceImpl report_service(&report_core, &authenticator);
  auto credentials = tls::MakeServerCredentials(flags.tls, flags.listen);
  if (!credentials.ok()) return Fail(std::string(credentials.status().message()));
  // Standard gRPC tooling works against natscope-server: the health
  // service (grpc.health.v1) and server reflection (grpcurl, grpc_cli).
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort(flags.listen, *credentials, &grpc_port);
  builder.RegisterService(&agent_service);
  builder.RegisterService(&query_service);
  builder.RegisterService(&admin_service);
  builder.RegisterService(&report_service);
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
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || grpc_port == 0) {
    return Fail(absl::StrCat("cannot listen for gRPC on ", flags.listen,
                             " (in use, or not a local address?): choose "
                             "another with --listen"));
  }
  if (!flags.port_file.empty()) {
    absl::Status written = WritePortFile(
        flags.port_file, grpc_port, stun ? stun->PortFileLines() : "stun=0\n");
    if (!written.ok()) return Fail(std::string(written.message()));
  }
  maintenance = std::make_unique<Periodic>(
      "history", absl::ZeroDuration(), absl::Hours(1),
      [&] { return MaintainHistory(*db, *db, flags); });
  refresher.Start();
  scheduler.Start();
  Log(absl::StrCat("serving gRPC (",
                   flags.tls.cert_file.empty() ? "plaintext" : "TLS", ") on port ",
                   grpc_port, ", ",
                   stun ? stun->Describe() : "STUN off",
                   "; stop with Ctrl-C or SIGTERM"));

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  Log(absl::StrCat("signal ", signal_number, ": draining and shutting down"));
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  scheduler.Stop();
  refresher.Stop();
  maintenance->Stop();
  stun.reset();
  store->reset();
  if (postgres) {
    absl::Status stopped = postgres->Stop();
    if (!stopped.ok()) Log(std::string(stopped.message()));
  }
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
  auto stun_options = ParseStunFlags(f.stun);
  if (!stun_options.ok()) {
    return Fail(std::string(stun_options.status().message()));
  }
  return Serve(f);
}

}  // namespace
}  // namespace natscope::server

int main(int argc, char** argv) {
  natscope::InstallCrashHandler(argv[0]);
  return natscope::server::Main(argc, argv);
}
