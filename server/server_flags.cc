#include "server/server_flags.h"

#include <algorithm>

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/secret_file.h"

namespace natscope::server {
namespace {

absl::Status Bad(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

// Where the global enrollment token comes from: at most one of the flag
// and the file.
absl::Status ResolveEnrollmentToken(ServerFlags* f) {
  if (f->enrollment_token_file.empty()) return absl::OkStatus();
  if (!f->enrollment_token.empty()) {
    return Bad("give --enrollment_token or --enrollment_token_file, not both");
  }
  absl::StatusOr<std::string> token =
      ReadSecretLine(f->enrollment_token_file, "the global enrollment token");
  if (!token.ok()) return token.status();
  f->enrollment_token = *std::move(token);
  return absl::OkStatus();
}

// The UDP responders: STUN (RFC 5780 with a second address), extra
// plain STUN ports, QUIC version negotiation, and their rate limit; STUN
// over TCP on the same ports, and its limits.
void RegisterStunFlags(FlagSet& flags, StunFlagValues* stun) {
  flags.String("stun_listen", &stun->stun_listen,
               "UDP address of the STUN responder, IP:PORT (A1:P1); empty "
               "turns it off. Port 0 picks a free one (a free pair with "
               "--stun_alt_ip).");
  flags.String("stun_alt_ip", &stun->stun_alt_ip,
               "Second IP of this host (A2) for RFC 5780 NAT behaviour "
               "discovery: STUN then also listens on A1:P2, A2:P1 and A2:P2 "
               "and honours CHANGE-REQUEST. Empty: single-address server.");
  flags.Int("stun_alt_port", &stun->stun_alt_port,
            "Alternate STUN port (P2) with --stun_alt_ip; 0 means the "
            "primary port + 1.");
  flags.String("stun_ports", &stun->stun_ports,
               "Extra plain STUN ports on --stun_listen's IP, comma-separated "
               "(e.g. 53,80,443,19302), for the agent's outbound-port test.");
  flags.String("quic_listen", &stun->quic_listen,
               "UDP address, IP:PORT, answering QUIC probes with Version "
               "Negotiation; empty turns it off.");
  flags.Int("stun_rate_limit", &stun->stun_rate_limit,
            "STUN/QUIC replies per second to one source (an IPv4 address or "
            "an IPv6 /64; refill rate); 0 turns the limit off.");
  flags.Int("stun_rate_burst", &stun->stun_rate_burst,
            "STUN/QUIC replies one source may get in a burst.");
  flags.Int("stun_max_sources", &stun->stun_max_sources,
            "Sources (IPv4 addresses, IPv6 /64s) the STUN/QUIC rate limiter "
            "tracks; when full, the least recently seen is forgotten.");
  flags.Bool("stun_tcp", &stun->stun_tcp,
             "Serve STUN over TCP too (RFC 8489), on the same IP:port as "
             "every UDP STUN socket (not --quic_listen's); --nostun_tcp "
             "serves UDP only.");
  flags.Int("stun_tcp_max_connections", &stun->stun_tcp_max_connections,
            "STUN over TCP connections open at once; past it a connection "
            "is accepted and reset at once.");
  flags.Int("stun_tcp_max_connections_per_source",
            &stun->stun_tcp_max_connections_per_source,
            "STUN over TCP connections one source (IPv4 address, IPv6 /64) "
            "may hold open.");
  flags.Duration("stun_tcp_idle_timeout", &stun->stun_tcp_idle_timeout,
                 "A STUN over TCP connection with no request for this long "
                 "is closed (1s to 1h).");
}

// Where the data lives: the embedded cluster, or an existing PostgreSQL.
void RegisterStorageFlags(FlagSet& flags, ServerFlags* f) {
  flags.String("data_dir", &f->data_dir,
               "Directory of the embedded PostgreSQL cluster (default "
               "/var/lib/natscope as root, else ~/.local/share/natscope).");
  flags.String("postgres", &f->postgres,
               "libpq connection string or URI of an existing PostgreSQL; "
               "when set, no embedded cluster is started. Keep its password "
               "out of it (a flag is visible in ps): use --postgres_passfile "
               "or PGPASSFILE.");
  flags.String("postgres_passfile", &f->postgres_passfile,
               "libpq password file (mode 0600) for --postgres, lines "
               "host:port:db:user:password; default $PGPASSFILE, else "
               "~/.pgpass.");
  flags.String("postgres_bin_dir", &f->postgres_bin_dir,
               "Where initdb and postgres live (default: found via pg_config "
               "or /usr/lib/postgresql/*/bin).");
}

// The global enrollment token and the bootstrap admin token.
void RegisterTokenFlags(FlagSet& flags, ServerFlags* f) {
  flags.String("enrollment_token", &f->enrollment_token,
               "A global enrollment token valid for every site, besides the "
               "per-site tokens admins create (natscope tokens enroll "
               "create). Prefer per-site tokens, and prefer "
               "--enrollment_token_file: a flag is visible in ps.");
  flags.String("enrollment_token_file", &f->enrollment_token_file,
               "File (mode 0600, owned by the server's user) holding the "
               "global enrollment token; instead of --enrollment_token.");
  flags.String("admin_token_file", &f->admin_token_file,
               "File holding the bootstrap admin token; created (mode 0600, "
               "random token) when missing. Default: admin_token in "
               "--data_dir, unless --postgres is given.");
}

// What one caller may cost: message sizes, rates, threads and streams.
void RegisterLimitFlags(FlagSet& flags, ServerFlags* f) {
  flags.Int("max_receive_message_bytes", &f->max_receive_message_bytes,
            "Largest gRPC request accepted, in bytes (as sent: gRPC's own "
            "message compression is refused).");
  flags.Int("max_batch_bytes", &f->max_batch_bytes,
            "Largest batch of records an agent may send once inflated, in "
            "bytes; a batch inflating past it is refused with "
            "RESOURCE_EXHAUSTED before more is inflated.");
  flags.Int("auth_failure_rate", &f->auth_failure_rate,
            "Failed authentications (unknown tokens, refused enrolments) "
            "per second one address (IPv4, or IPv6 /64) may make "
            "sustained; past that it is refused without a lookup. 0 turns "
            "the limit off.");
  flags.Int("auth_failure_burst", &f->auth_failure_burst,
            "Failed authentications one address may make in a burst.");
  flags.Int("max_threads", &f->max_threads,
            "Most threads gRPC may use to serve calls (its resource quota).");
  flags.Int("max_concurrent_streams", &f->max_concurrent_streams,
            "Most calls one connection may have open at once.");
  flags.Int("ingest_rate", &f->ingest_rate,
            "Ingest batches per second one agent may send (sustained); 0 "
            "turns the limit off.");
  flags.Int("ingest_burst", &f->ingest_burst,
            "Ingest batches one agent may send in a burst.");
}

// How long history is kept.
void RegisterRetentionFlags(FlagSet& flags, ServerFlags* f) {
  flags.Duration("retention", &f->retention,
                 "How long log events, probe reports and the ingest ledger "
                 "are kept (whole UTC days are dropped). Agents' latest "
                 "state and site health are kept regardless.");
  flags.Duration("trend_retention", &f->trend_retention,
                 "How long the hourly per-site trend points are kept.");
  flags.Duration("report_retention", &f->report_retention,
                 "How long report runs (with their stored content) are "
                 "kept in the database.");
  flags.Duration("forget_after", &f->forget_after,
                 "Agents silent (no batch, no check-in) for longer leave "
                 "every count, site summary, analysis, finding and report; "
                 "natscope agents --all still lists them, and they come "
                 "back when they report again.");
}

}  // namespace

void RegisterServerFlags(FlagSet& flags, ServerFlags* f) {
  // --help lists the flags in the order they are registered here.
  flags.String("listen", &f->listen, "gRPC address to serve on, HOST:PORT (port 0 picks one).");
  flags.String("http_listen", &f->http_listen,
               "HTTP address to serve the dashboard (/), the JSON API (/v1/, "
               "docs/http-api.md), /metrics, /healthz and /readyz on, "
               "HOST:PORT; off unless given. HTTPS with --tls_cert/--tls_key; "
               "plaintext only on loopback or with --plaintext.");
  RegisterStunFlags(flags, &f->stun);
  intake::RegisterIntakeFlags(flags, &f->intake);
  RegisterStorageFlags(flags, f);
  RegisterTokenFlags(flags, f);
  RegisterLimitFlags(flags, f);
  flags.String("port_file", &f->port_file,
               "Write the ports actually bound here (grpc=N, stun=N, and "
               "http=N, stun_alt=N, stun_ports=N,M, quic=N when on).");
  flags.Int("pool_size", &f->pool_size, "Database connections to keep open.");
  flags.String("tls_cert", &f->tls.cert_file,
               "PEM certificate (chain) to serve gRPC (and --http_listen) over "
               "TLS with; needs --tls_key. Agents trust it through their "
               "tls.ca_file.");
  flags.String("tls_key", &f->tls.key_file,
               "PEM private key of --tls_cert (unencrypted; keep it 0600).");
  RegisterRetentionFlags(flags, f);
  flags.String("aws_ip_ranges", &f->aws_ip_ranges,
               "AWS's ip-ranges.json with which the server re-decides every "
               "stored probe's AWS NAT gateway finding (default: the copy "
               "built in). Reloaded when it changes: mv a fresh download "
               "over it (docs/probe.md). Agents' own verdicts are kept "
               "beside the server's.");
  flags.Duration("aws_ip_ranges_check", &f->aws_ip_ranges_check,
                 "How often --aws_ip_ranges is looked at for a new version "
                 "(1s to 24h).");
  flags.String("log_format", &f->log_format,
               "Format of the server's log lines on stderr: text, or json "
               "(one object per line, for log shippers).");
  flags.Bool("plaintext", &f->tls.plaintext,
             "Serve gRPC (and HTTP) without TLS on a non-loopback --listen "
             "(--http_listen) address. Agent credentials and API tokens then "
             "cross the network in the clear; without TLS flags, plaintext "
             "is allowed only on loopback.");
  flags.Bool("testonly_report_seconds", &f->testonly_report_seconds,
             "TESTING ONLY, for natscope's end-to-end tests; never in "
             "production: report schedules may start with a seconds field "
             "(\"*/2 * * * * *\") and the scheduler reads the database "
             "every second.");
}

std::string DataDirOf(const ServerFlags& f) {
  if (!f.data_dir.empty()) return f.data_dir;
  if (geteuid() == 0) return "/var/lib/natscope";
  const char* home = std::getenv("HOME");
  return absl::StrCat(home ? home : ".", "/.local/share/natscope");
}

natscope::http::ListenerOptions HttpListenerOptionsOf(const ServerFlags& f) {
  natscope::http::ListenerOptions options;
  options.listen = f.http_listen;
  options.tls = f.tls;
  options.flag_name = "--http_listen";
  // JSON bodies are small (a schedule; the frontend holds them to
  // kApiMaxBodyBytes); OTLP log batches are not.
  options.max_body_bytes = 1 << 20;
  if (f.intake.otlp) {
    options.max_body_bytes = std::max<size_t>(
        options.max_body_bytes,
        static_cast<size_t>(f.intake.intake_max_request_bytes));
  }
  // httplib gives each connection a worker while it is kept alive (up to
  // 5 s idle): room for a few browsers' and scrapers' connections.
  options.threads = 32;
  return options;
}

absl::Status FinishServerFlags(ServerFlags* f) {
  if (absl::Status format = SetLogFormatByName(f->log_format); !format.ok()) {
    return format;
  }
  if (f->pool_size < 1) return Bad("--pool_size must be at least 1");
  if (f->retention < absl::Hours(24) || f->trend_retention < absl::Hours(24) ||
      f->report_retention < absl::Hours(24)) {
    return Bad("--retention, --trend_retention and --report_retention must be "
               "at least 24h");
  }
  if (f->aws_ip_ranges_check < absl::Seconds(1) ||
      f->aws_ip_ranges_check > absl::Hours(24)) {
    return Bad("--aws_ip_ranges_check must be 1s to 24h");
  }
  if (f->forget_after < absl::Hours(1)) {
    return Bad("--forget_after must be at least 1h (agents check in every "
               "5 minutes by default)");
  }
  if (f->max_receive_message_bytes < 1024 ||
      f->max_receive_message_bytes > (1 << 30)) {
    return Bad("--max_receive_message_bytes must be 1024 to 1073741824");
  }
  if (f->max_batch_bytes < 1024 || f->max_batch_bytes > (1 << 30)) {
    return Bad("--max_batch_bytes must be 1024 to 1073741824");
  }
  if (f->ingest_rate < 0 || f->ingest_burst < 1) {
    return Bad("--ingest_rate must be at least 0 and --ingest_burst at least 1");
  }
  if (f->auth_failure_rate < 0 || f->auth_failure_burst < 1) {
    return Bad("--auth_failure_rate must be at least 0 and "
               "--auth_failure_burst at least 1");
  }
  if (f->max_threads < 4 || f->max_threads > 4096) {
    return Bad("--max_threads must be 4 to 4096");
  }
  if (f->max_concurrent_streams < 1 || f->max_concurrent_streams > 10000) {
    return Bad("--max_concurrent_streams must be 1 to 10000");
  }
  if (!f->postgres_passfile.empty()) {
    if (f->postgres.empty()) {
      return Bad("--postgres_passfile needs --postgres (the embedded "
                 "PostgreSQL keeps its own password file)");
    }
    // Read by libpq itself, which skips a file open to group or others;
    // checked here so that the mistake is named instead.
    absl::StatusOr<std::string> readable =
        ReadSecretFile(f->postgres_passfile, "the PostgreSQL password file");
    if (!readable.ok()) return readable.status();
    // libpq's own variable: works for conninfo strings and URIs alike.
    setenv("PGPASSFILE", f->postgres_passfile.c_str(), 1);
  }
  if (absl::Status intake = intake::CheckIntakeFlags(f->intake, f->tls);
      !intake.ok()) {
    return intake;
  }
  return ResolveEnrollmentToken(f);
}

}  // namespace natscope::server
