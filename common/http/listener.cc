// http::Listener on Debian's cpp-httplib: the only file that sees the
// library. Every request goes through one pre-routing hook to the
// natscope Handler, so the library's own router, static files and error
// pages are never used.
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/http/http.h"
#include "httplib.h"

namespace natscope::http {
namespace {

// Requests a connection may carry before the server closes it, and how
// long a slow client may take to send or read: bounded so that idle or
// slow connections cannot hold every worker.
constexpr size_t kKeepAliveRequests = 100;
constexpr time_t kKeepAliveSeconds = 5;
constexpr time_t kReadWriteSeconds = 10;

struct HostPort {
  std::string host;
  int port = 0;
};

// "HOST:PORT" or "[V6]:PORT" -> parts; InvalidArgument naming the flag.
absl::StatusOr<HostPort> ParseListen(const ListenerOptions& options) {
  const absl::string_view listen = options.listen;
  const auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.flag_name, "=", listen, ": ", why,
        " (expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)"));
  };
  const size_t colon = listen.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return bad("no port");
  HostPort parsed;
  absl::string_view host = listen.substr(0, colon);
  if (absl::StartsWith(host, "[")) {
    if (!absl::EndsWith(host, "]") || host.size() < 3) return bad("bad IPv6 host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != absl::string_view::npos) {
    return bad("put an IPv6 host in brackets");
  }
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &parsed.port) ||
      parsed.port < 0 || parsed.port > 65535) {
    return bad("port must be 0 to 65535");
  }
  parsed.host = std::string(host);
  return parsed;
}

// The plaintext-only-on-loopback rule and the certificate checks of gRPC
// (common/tls/tls.h), worded for HTTP.
absl::Status CheckTls(const ListenerOptions& options) {
  const tls::ServerTlsOptions& tls_options = options.tls;
  if (tls_options.cert_file.empty() && tls_options.key_file.empty()) {
    if (tls_options.plaintext || tls::IsLoopbackAddress(options.listen)) {
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to serve plaintext HTTP on ", options.listen,
        " (what it serves would cross the network in the clear): give ",
        options.tls_flags, ", use a loopback address in ", options.flag_name,
        options.plaintext_flag.empty()
            ? std::string()
            : absl::StrCat(", or pass ", options.plaintext_flag,
                           " to accept the risk")));
  }
  // Same files, same checks (readable, PEM, matching key) as gRPC's.
  return tls::MakeServerCredentials(tls_options, options.listen).status();
}

// Where Route's pre-routing hook moves a request's Content-Encoding
// header (see there); ToRequest moves it back.
constexpr char kHeldEncoding[] = "X-Natscope-Held-Content-Encoding";

HttpRequest ToRequest(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  for (const auto& [name, value] : in.params) out.query.emplace_back(name, value);
  for (const auto& [name, value] : in.headers) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (lower == "content-encoding") continue;  // A client's own: not ours.
    out.headers.emplace(lower == absl::AsciiStrToLower(kHeldEncoding)
                            ? std::string("content-encoding")
                            : lower,
                        value);
  }
  out.body = in.body;
  out.remote_address = in.remote_addr;
  return out;
}

class HttplibListener final : public Listener {
 public:
  HttplibListener(std::unique_ptr<httplib::Server> server, bool tls)
      : server_(std::move(server)), tls_(tls) {}
  ~HttplibListener() override { Stop(); }

  // Returns once the server accepts: httplib's stop() does nothing before
  // listen_after_bind has marked it running, so a Stop() right after
  // Start() would otherwise leave the thread in accept() for ever.
  void Serve(int port) {
    port_ = port;
    thread_ = std::thread([this] {
      server_->listen_after_bind();
      done_ = true;
    });
    while (!server_->is_running() && !done_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  int port() const override { return port_; }
  bool tls() const override { return tls_; }
  void Stop() override {
    if (!thread_.joinable()) return;
    server_->stop();
    thread_.join();
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  const bool tls_;
  int port_ = 0;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// An httplib server for `options`, TLS when it names a certificate, with
// natscope's limits: bounded threads, body size, keep-alive and timeouts.
absl::StatusOr<std::unique_ptr<httplib::Server>> NewServer(
    const ListenerOptions& options) {
  std::unique_ptr<httplib::Server> server;
  if (!options.tls.cert_file.empty()) {
    auto https = std::make_unique<httplib::SSLServer>(
        options.tls.cert_file.c_str(), options.tls.key_file.c_str());
    if (!https->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot serve HTTPS with --tls_cert ", options.tls.cert_file,
          " and --tls_key ", options.tls.key_file));
    }
    server = std::move(https);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  const int threads = options.threads > 0 ? options.threads : 1;
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server->set_payload_max_length(options.max_body_bytes);
  server->set_keep_alive_max_count(kKeepAliveRequests);
  server->set_keep_alive_timeout(kKeepAliveSeconds);
  server->set_read_timeout(kReadWriteSeconds);
  server->set_write_timeout(kReadWriteSeconds);
  // httplib writes the headers and the body separately: with Nagle's
  // algorithm the body waits for the client's delayed ACK (40 ms a
  // response on Linux, seen as a 48 ms p50 in tools/bench.sh server).
  server->set_tcp_nodelay(true);
  return server;
}

// Sends every request on `server` to `handler`.
void Route(httplib::Server& server, Handler handler) {
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a
  // second server would share a port in use instead of failing to bind.
  server.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Every method and path reaches `handler`, after httplib has read the
  // body (refusing one over max_body_bytes with 413).
  const auto serve = [handler = std::move(handler)](const httplib::Request& in,
                                                    httplib::Response& out) {
    HttpResponse response = handler(ToRequest(in));
    out.status = response.status;
    for (const auto& [name, value] : response.headers) {
      out.set_header(name, value);
    }
    out.set_content(std::move(response.body), response.content_type.c_str());
  };
  // Refusals httplib makes itself (a malformed request, a POST without
  // Content-Length, an oversize body or URI) answer in the API's JSON
  // error shape too.
  server.set_error_handler([](const httplib::Request&, httplib::Response& out) {
    if (!out.body.empty()) return;
    const char* why = out.status == 413   ? "request body too large"
                      : out.status == 414 ? "request URI too long"
                      : out.status == 400 ? "malformed HTTP request (a POST needs a "
                                            "Content-Length, even 0)"
                                          : "request refused";
    out.set_content(absl::StrCat("{\"error\":{\"code\":", out.status,
                                 ",\"message\":\"", why, "\"}}"),
                    "application/json; charset=utf-8");
  });
  // Debian's cpp-httplib inflates a gzip or deflate request body itself,
  // before any handler and with no bound on the inflated size (a 97 KB
  // body became 100 MB). The hook runs before the body is read: it moves
  // the Content-Encoding header aside, so that the library reads the body
  // as sent (bounded by max_body_bytes), and handlers see the header and
  // the raw body and inflate with a bound of their own (or refuse).
  server.set_pre_routing_handler([](const httplib::Request& in,
                                    httplib::Response&) {
    auto& request = const_cast<httplib::Request&>(in);  // httplib's own.
    for (auto encoding = request.headers.find("Content-Encoding");
         encoding != request.headers.end();
         encoding = request.headers.find("Content-Encoding")) {
      std::string value = encoding->second;
      request.headers.erase(encoding);
      request.headers.emplace(kHeldEncoding, std::move(value));
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  const std::string any_path = ".*";
  server.Get(any_path, serve);
  server.Post(any_path, serve);
  server.Put(any_path, serve);
  server.Patch(any_path, serve);
  server.Delete(any_path, serve);
  server.Options(any_path, serve);
}

}  // namespace

std::string HttpRequest::Header(absl::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? "" : it->second;
}

absl::Status CheckListenerOptions(const ListenerOptions& options) {
  if (auto host_port = ParseListen(options); !host_port.ok()) {
    return host_port.status();
  }
  return CheckTls(options);
}

absl::StatusOr<std::unique_ptr<Listener>> Listener::Start(
    const ListenerOptions& options, Handler handler) {
  auto host_port = ParseListen(options);
  if (!host_port.ok()) return host_port.status();
  if (absl::Status tls_ok = CheckTls(options); !tls_ok.ok()) return tls_ok;
  const bool tls = !options.tls.cert_file.empty();
  auto server = NewServer(options);
  if (!server.ok()) return server.status();
  Route(**server, std::move(handler));
  httplib::Server* const bound = server->get();
  int port = host_port->port;
  if (port == 0) {
    port = bound->bind_to_any_port(host_port->host);
    if (port < 0) port = 0;
  } else if (!bound->bind_to_port(host_port->host, port)) {
    port = 0;
  }
  if (port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen for HTTP on ", options.listen,
        " (in use, or not a local address?): choose another with ",
        options.flag_name));
  }
  auto listener = std::make_unique<HttplibListener>(*std::move(server), tls);
  listener->Serve(port);
  return listener;
}

}  // namespace natscope::http
