// intake_load: the load client of `tools/bench.sh intake`. Sends --lines
// matched log lines (stun_nat_type, each with a timestamp of its own, one
// second apart, so that none is a duplicate of another) to natscope-server's
// intake on loopback, as log shippers do:
//   syslog  octet-counted RFC 5424 frames (RFC 6587 §3.4.1) over TLS (RFC
//           5425), carrying [natscope@32473 token="..."], spread over
//           --connections connections; returns once every byte is written
//           and each connection is closed cleanly (the script then waits
//           for the rows in the database);
//   otlp    OTLP/HTTP protobuf over HTTPS, --records records a request,
//           encoded before the clock starts, from --connections threads
//           on kept-alive connections; a 200 means committed.
// Line i belongs to host PREFIX-((i / records) % hosts) in both, so both
// produce the same rows. Prints KEY=VALUE lines on stdout.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/flags.h"
#include "httplib.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace natscope::bench {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

constexpr char kUsage[] =
    "usage: intake_load syslog|otlp --server=127.0.0.1:PORT --ca_file=CA "
    "--token=TOKEN [flags]\n"
    "\n"
    "Sends --lines stun_nat_type lines to natscope-server's intake over TLS "
    "(loopback only): syslog (RFC 5424, octet-counted) or OTLP/HTTP "
    "protobuf.";

struct Flags {
  std::string server, ca_file, token, prefix = "load";
  int64_t lines = 200000, hosts = 100, connections = 4, records = 500;
  int64_t time_base = 0;
};

int Fail(const std::string& message) {
  std::cerr << "intake_load: " << message << std::endl;
  return 1;
}

// Line i's own time: one second apart, backwards from the base.
absl::Time LineTime(const Flags& f, int64_t i) {
  return absl::FromUnixSeconds(f.time_base - i);
}

std::string HostOf(const Flags& f, int64_t i) {
  return absl::StrCat(f.prefix, "-", (i / f.records) % f.hosts);
}

std::string LineOf(const Flags& f, int64_t i) {
  return absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", LineTime(f, i),
                                       absl::UTCTimeZone()),
                      " [INFO] [libsdwan] stun_nat_type: endpoint-dependent");
}

std::string OpenSslError() {
  char buffer[256];
  ERR_error_string_n(ERR_get_error(), buffer, sizeof(buffer));
  return buffer;
}

// One TLS connection to host:port that checks the server's certificate
// against ca_file and its IP address.
class TlsStream {
 public:
  ~TlsStream() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

  std::string Connect(const std::string& host, int port,
                      const std::string& ca_file) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr ||
        SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) {
      return "cannot load --ca_file=" + ca_file + ": " + OpenSslError();
    }
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    BIO* bio = BIO_new_connect(absl::StrCat(host, ":", port).c_str());
    if (bio == nullptr || BIO_do_connect(bio) != 1) {
      return absl::StrCat("cannot connect to ", host, ":", port, ": ",
                          OpenSslError());
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_bio(ssl_, bio, bio);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    if (SSL_connect(ssl_) != 1) return "TLS handshake: " + OpenSslError();
    return "";
  }

  bool Write(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
      const int n = SSL_write(ssl_, bytes.data() + done,
                              static_cast<int>(bytes.size() - done));
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  // close_notify, then waits for the server's (it reads to the end).
  void Close() {
    if (SSL_shutdown(ssl_) == 0) {
      char sink[256];
      while (SSL_read(ssl_, sink, sizeof(sink)) > 0) {
      }
    }
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

// Connection c sends lines c, c + C, c + 2C, ...
std::string SendSyslog(const Flags& f, const std::string& host, int port,
                       int64_t c) {
  TlsStream stream;
  if (std::string error = stream.Connect(host, port, f.ca_file);
      !error.empty()) {
    return error;
  }
  const std::string sd =
      absl::StrCat("[natscope@32473 token=\"", f.token, "\"]");
  std::string buffer;
  for (int64_t i = c; i < f.lines; i += f.connections) {
    const std::string message =
        absl::StrCat("<134>1 ",
                     absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", LineTime(f, i),
                                      absl::UTCTimeZone()),
                     " ", HostOf(f, i), " product - - ", sd, " ", LineOf(f, i));
    absl::StrAppend(&buffer, message.size(), " ", message);
    if (buffer.size() >= (64 << 10)) {
      if (!stream.Write(buffer)) return "write failed: " + OpenSslError();
      buffer.clear();
    }
  }
  if (!buffer.empty() && !stream.Write(buffer)) {
    return "write failed: " + OpenSslError();
  }
  stream.Close();
  return "";
}

// Request r: lines [r * records, (r + 1) * records) of one host.
std::string OtlpBody(const Flags& f, int64_t r) {
  ExportLogsServiceRequest request;
  auto* resource_logs = request.add_resource_logs();
  const int64_t first = r * f.records;
  auto* host = resource_logs->mutable_resource()->add_attributes();
  host->set_key("host.name");
  host->mutable_value()->set_string_value(HostOf(f, first));
  auto* scope_logs = resource_logs->add_scope_logs();
  scope_logs->mutable_scope()->set_name("intake_load");
  for (int64_t i = first; i < std::min(f.lines, first + f.records); ++i) {
    auto* record = scope_logs->add_log_records();
    const uint64_t nanos =
        static_cast<uint64_t>(absl::ToUnixNanos(LineTime(f, i)));
    record->set_time_unix_nano(nanos);
    record->set_observed_time_unix_nano(nanos);
    record->set_severity_number(
        opentelemetry::proto::logs::v1::SEVERITY_NUMBER_INFO);
    record->mutable_body()->set_string_value(LineOf(f, i));
  }
  return request.SerializeAsString();
}

// Thread t posts requests t, t + C, ... on one kept-alive connection.
std::string SendOtlp(const Flags& f, const std::string& host, int port,
                     const std::vector<std::string>& bodies, int64_t t,
                     std::atomic<int64_t>* rejected) {
  httplib::SSLClient client(host, port);
  client.set_ca_cert_path(f.ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_keep_alive(true);
  client.set_read_timeout(60, 0);
  client.set_compress(false);
  // As OTLP exporters do (Go's net/http sets TCP_NODELAY): httplib writes
  // headers and body apart, and Nagle would hold the body for the
  // server's delayed ACK (40 ms a request).
  client.set_tcp_nodelay(true);
  const httplib::Headers headers = {{"Authorization", "Bearer " + f.token}};
  for (size_t r = static_cast<size_t>(t); r < bodies.size();
       r += static_cast<size_t>(f.connections)) {
    httplib::Result got =
        client.Post("/v1/logs", headers, bodies[r], "application/x-protobuf");
    if (!got) return "POST /v1/logs: " + httplib::to_string(got.error());
    if (got->status != 200) {
      return absl::StrCat("POST /v1/logs: HTTP ", got->status, ": ",
                          got->body.substr(0, 200));
    }
    ExportLogsServiceResponse response;
    if (!response.ParseFromString(got->body)) return "unreadable response";
    *rejected += response.partial_success().rejected_log_records();
  }
  return "";
}

int Run(const std::string& command, const Flags& f) {
  const std::vector<std::string> parts = absl::StrSplit(f.server, ':');
  int port = 0;
  if (parts.size() != 2 || parts[0] != "127.0.0.1" ||
      !absl::SimpleAtoi(parts[1], &port)) {
    return Fail("--server must be 127.0.0.1:PORT (loopback only), not " +
                f.server);
  }
  if (f.ca_file.empty() || f.token.empty()) {
    return Fail("--ca_file and --token are required");
  }
  std::vector<std::string> bodies;
  if (command == "otlp") {
    for (int64_t r = 0; r * f.records < f.lines; ++r) {
      bodies.push_back(OtlpBody(f, r));
    }
  }
  std::vector<std::string> errors(static_cast<size_t>(f.connections));
  std::atomic<int64_t> rejected{0};
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int64_t c = 0; c < f.connections; ++c) {
    threads.emplace_back([&, c] {
      errors[c] = command == "syslog"
                      ? SendSyslog(f, parts[0], port, c)
                      : SendOtlp(f, parts[0], port, bodies, c, &rejected);
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  for (const std::string& error : errors) {
    if (!error.empty()) return Fail(error);
  }
  std::cout << absl::StrFormat(
      "lines=%d\nseconds=%.3f\nrequests=%d\n"
      "rejected=%d\n",
      f.lines, seconds, bodies.size(), rejected.load());
  return rejected.load() == 0 ? 0 : Fail("the server rejected records");
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::string command = args.empty() ? "" : args.front();
  if (!args.empty()) args.erase(args.begin());
  Flags f;
  FlagSet set("intake_load", kUsage);
  set.String("server", &f.server,
             "syslog: the --syslog_listen port; otlp: the --http_listen one; "
             "127.0.0.1:PORT.");
  set.String("ca_file", &f.ca_file, "PEM CA of the server's certificate.");
  set.String("token", &f.token, "An intake token of the site.");
  set.String("prefix", &f.prefix, "Host names are PREFIX-N.");
  set.Int("lines", &f.lines, "Lines to send.");
  set.Int("hosts", &f.hosts, "Hosts the lines come from.");
  set.Int("connections", &f.connections,
          "TLS connections (otlp: threads, one connection each).");
  set.Int("records", &f.records,
          "Lines per OTLP request, and per host run in both.");
  set.Int("time_base", &f.time_base,
          "Unix seconds of line 0 (0: now); line i is i seconds older.");
  absl::Status parsed = set.Parse(args, nullptr);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (set.help_requested() || (command != "syslog" && command != "otlp")) {
    std::cout << set.Help();
    return set.help_requested() ? 0 : 2;
  }
  if (f.lines < 1 || f.hosts < 1 || f.connections < 1 || f.records < 1) {
    return Fail("--lines, --hosts, --connections and --records must be >= 1");
  }
  if (f.time_base == 0) f.time_base = absl::ToUnixSeconds(absl::Now());
  return Run(command, f);
}

}  // namespace
}  // namespace natscope::bench

int main(int argc, char** argv) { return natscope::bench::Main(argc, argv); }
