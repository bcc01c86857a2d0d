// server_load: the load generator of `tools/bench.sh server`. Wires flags
// to tests/bench/{ingest,fleet,query}_load; prints results on stdout as
// "KEY=VALUE" lines for the script, progress on stderr.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/flags.h"
#include "tests/bench/fleet_load.h"
#include "tests/bench/ingest_load.h"
#include "tests/bench/query_load.h"

namespace natscope::bench {
namespace {

constexpr char kUsage[] =
    "usage: server_load COMMAND [flags]\n"
    "\n"
    "Loads natscope-server for tools/bench.sh server (loopback only).\n"
    "\n"
    "Commands:\n"
    "  ingest      enroll --agents agents, then send each --batches batches "
    "of\n"
    "              --records log events over gRPC; prints rows and rows/s\n"
    "  tsv         write the rows `ingest` sends (with --epoch) to --out, in\n"
    "              COPY text format for psql \\copy into log_events\n"
    "  load-fleet  COPY --sites sites and --agents agents with their latest\n"
    "              probe reports into --postgres, and mark every site dirty\n"
    "  query       time ListSites, GetSiteHealth and GetSiteAnalysis calls";

int Fail(const std::string& message) {
  std::cerr << "server_load: " << message << std::endl;
  return 1;
}

struct Flags {
  std::string server, http_server, enrollment_token, token_file, postgres, out,
      prefix = "ingest";
  int64_t agents = 1000, sites = 50, batches = 5, records = 100, epoch = 1;
  int64_t event_base = 0, threads = 4, inflight = 64;
  int64_t list_iterations = 200, site_iterations = 1000;
  bool compress = true;
};

void Register(FlagSet& set, Flags& f) {
  set.String("server", &f.server,
             "natscope-server gRPC address, 127.0.0.1:PORT.");
  set.String("enrollment_token", &f.enrollment_token,
             "ingest: the server's --enrollment_token.");
  set.String("http_server", &f.http_server,
             "query: natscope-server's --http_listen address on loopback; "
             "also times GET /v1/sites (a page of 100, and whole) there.");
  set.String("token_file", &f.token_file,
             "query: file holding an admin or viewer token.");
  set.String("postgres", &f.postgres,
             "load-fleet: libpq connection string of the server's database.");
  set.String("out", &f.out, "tsv: file to write.");
  set.String("prefix", &f.prefix,
             "ingest, tsv: agent and site names start with this.");
  set.Int("agents", &f.agents,
          "Agents (ingest: simulated; load-fleet: written).");
  set.Int("sites", &f.sites, "Sites the agents belong to.");
  set.Int("batches", &f.batches, "ingest, tsv: batches per agent.");
  set.Int("records", &f.records, "ingest, tsv: log events per batch.");
  set.Int("epoch", &f.epoch,
          "ingest, tsv: the batches' epoch (tell runs apart).");
  set.Int("event_base", &f.event_base,
          "ingest, tsv: Unix seconds of the first event (0: now); give ingest "
          "and tsv the same value for identical rows.");
  set.Int("threads", &f.threads,
          "ingest: client threads (one connection each).");
  set.Int("inflight", &f.inflight, "ingest: Ingest calls outstanding at once.");
  set.Bool("compress", &f.compress,
           "ingest: send records zlib-compressed, as natscope-agent does "
           "(--nocompress: plain records).");
  set.Int("list_iterations", &f.list_iterations,
          "query: timed ListSites calls.");
  set.Int(
      "site_iterations", &f.site_iterations,
      "query: timed GetSiteHealth calls, and as many GetSiteAnalysis calls.");
}

FleetShape ShapeOf(const Flags& f) {
  FleetShape shape;
  shape.prefix = f.prefix;
  shape.agents = static_cast<int>(f.agents);
  shape.sites = static_cast<int>(f.sites);
  shape.batches = static_cast<int>(f.batches);
  shape.records = static_cast<int>(f.records);
  return shape;
}

absl::Time EventBase(const Flags& f) {
  return f.event_base > 0 ? absl::FromUnixSeconds(f.event_base) : absl::Now();
}

int Ingest(const Flags& f) {
  if (auto loopback = RequireLoopback(f.server); !loopback.ok()) {
    return Fail(std::string(loopback.message()));
  }
  IngestOptions options;
  options.server = f.server;
  options.enrollment_token = f.enrollment_token;
  options.shape = ShapeOf(f);
  options.epoch = static_cast<uint64_t>(f.epoch);
  options.event_base = EventBase(f);
  options.threads = static_cast<int>(f.threads);
  options.inflight = static_cast<int>(f.inflight);
  options.compress = f.compress;
  auto stats = RunIngest(options);
  if (!stats.ok()) return Fail(std::string(stats.status().message()));
  const int64_t expected = f.agents * f.batches * f.records;
  std::cout << absl::StrFormat(
      "rows=%d\nbatches=%d\nseconds=%.3f\nrows_per_second=%.0f\n"
      "enroll_seconds=%.3f\nretries=%d\nduplicates=%d\nfailed_agents=%d\n"
      "payload_bytes=%d\n",
      stats->rows, stats->batches, stats->seconds, stats->rows / stats->seconds,
      stats->enroll_seconds, stats->retries, stats->duplicates,
      stats->failed_agents, stats->payload_bytes);
  if (stats->rows != expected) {
    return Fail(absl::StrFormat("%d rows committed, %d expected: %s",
                                stats->rows, expected, stats->first_error));
  }
  return 0;
}

int Tsv(const Flags& f) {
  if (f.out.empty()) return Fail("tsv needs --out=FILE");
  auto rows = WriteCopyFile(ShapeOf(f), static_cast<uint64_t>(f.epoch),
                            EventBase(f), absl::Now(), f.out);
  if (!rows.ok()) return Fail(std::string(rows.status().message()));
  std::cout << "rows=" << *rows << "\n";
  return 0;
}

int LoadFleetCommand(const Flags& f) {
  if (f.postgres.empty()) return Fail("load-fleet needs --postgres=CONNINFO");
  if (f.agents < f.sites) {
    return Fail(
        "load-fleet needs --agents >= --sites: every site gets a connector");
  }
  FleetOptions options;
  options.postgres = f.postgres;
  options.sites = static_cast<int>(f.sites);
  options.agents = static_cast<int>(f.agents);
  const absl::Time start = absl::Now();
  auto counts = LoadFleet(options, start);
  if (!counts.ok()) return Fail(std::string(counts.status().message()));
  std::cout << absl::StrFormat(
      "sites=%d\nclients=%d\nconnectors=%d\nreport_bytes=%d\nseconds=%.1f\n",
      counts->sites, counts->clients, counts->connectors, counts->report_bytes,
      absl::ToDoubleSeconds(absl::Now() - start));
  return 0;
}

int Query(const Flags& f) {
  if (auto loopback = RequireLoopback(f.server); !loopback.ok()) {
    return Fail(std::string(loopback.message()));
  }
  std::ifstream in(f.token_file);
  std::stringstream token;
  token << in.rdbuf();
  if (!in) return Fail("cannot read --token_file=" + f.token_file);
  QueryOptions options;
  options.server = f.server;
  if (!f.http_server.empty()) {
    if (auto loopback = RequireLoopback(f.http_server); !loopback.ok()) {
      return Fail(std::string(loopback.message()));
    }
    options.http_server = f.http_server;
  }
  options.token = std::string(absl::StripAsciiWhitespace(token.str()));
  options.list_iterations = static_cast<int>(f.list_iterations);
  options.site_iterations = static_cast<int>(f.site_iterations);
  auto results = RunQueries(options);
  if (!results.ok()) return Fail(std::string(results.status().message()));
  int failed = 0;
  for (const MethodLatency& m : *results) {
    std::cout << absl::StrFormat(
        "%s count=%d errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
        "mean_bytes=%d\n",
        m.method, m.millis.size(), m.errors, Percentile(m.millis, 50),
        Percentile(m.millis, 99), Percentile(m.millis, 100),
        m.millis.empty()
            ? 0
            : m.response_bytes / static_cast<int64_t>(m.millis.size()));
    if (m.errors > 0) {
      failed = Fail(absl::StrCat(m.method, ": ", m.errors,
                                 " calls failed, first: ", m.first_error));
    }
  }
  return failed;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string command = args.empty() ? "" : args.front();
  if (!args.empty()) args.erase(args.begin());
  Flags f;
  FlagSet set("server_load", kUsage);
  Register(set, f);
  absl::Status parsed = set.Parse(args, nullptr);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (set.help_requested() || command.empty() || command == "--help") {
    std::cout << set.Help();
    return command.empty() ? 2 : 0;
  }
  if (f.agents < 1 || f.sites < 1 || f.batches < 1 || f.records < 1 ||
      f.threads < 1 || f.inflight < 1 || f.epoch < 1) {
    return Fail(
        "--agents, --sites, --batches, --records, --threads, --inflight "
        "and --epoch must be at least 1");
  }
  if (command == "ingest") return Ingest(f);
  if (command == "tsv") return Tsv(f);
  if (command == "load-fleet") return LoadFleetCommand(f);
  if (command == "query") return Query(f);
  return Fail("unknown command \"" + command + "\": see server_load --help");
}

}  // namespace
}  // namespace natscope::bench

int main(int argc, char** argv) { return natscope::bench::Main(argc, argv); }
