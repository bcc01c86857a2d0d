// natscope's HTTP listener: one small seam between the handlers (the
// server's JSON API, dashboard and /metrics; the agent's /metrics) and the
// HTTP library (Debian's cpp-httplib), so that handlers are plain
// functions from an HttpRequest to an HttpResponse, tested without
// sockets, and the library appears in one file (listener.cc).
//
// Why cpp-httplib: Debian 12 ships it compiled, with OpenSSL (the TLS
// library natscope already links for gRPC and token hashing), so HTTPS
// reads the same --tls_cert/--tls_key PEM files; its API is a few C++
// calls with a bounded thread pool and read/write timeouts. civetweb and
// libmicrohttpd are C callback APIs, and libmicrohttpd brings GnuTLS, a
// second TLS stack.
#ifndef NATSCOPE_COMMON_HTTP_HTTP_H_
#define NATSCOPE_COMMON_HTTP_HTTP_H_

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/tls/tls.h"

namespace natscope::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // Decoded path, without the query: "/v1/sites/a b".
  // Decoded query parameters in order; a name may repeat.
  std::vector<std::pair<std::string, std::string>> query;
  // Header names in lower case.
  std::map<std::string, std::string> headers;
  std::string body;
  // The peer's address without the port ("127.0.0.1", "::1").
  std::string remote_address;

  // The header's value, "" when absent. `name` in lower case.
  std::string Header(absl::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Extra headers (e.g. Retry-After, Cache-Control).
  std::vector<std::pair<std::string, std::string>> headers;
};

// Answers one request. Called on the listener's threads, concurrently:
// must be thread-safe. Must not throw.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct ListenerOptions {
  // HOST:PORT ("127.0.0.1:8080", "[::1]:0", "0.0.0.0:443"); port 0 picks
  // a free one.
  std::string listen;
  // HTTPS with cert_file/key_file; plaintext only on a loopback address
  // or with tls.plaintext (the same rule as gRPC, common/tls/tls.h).
  tls::ServerTlsOptions tls;
  // Flags named in error messages: the address, the TLS files, and the
  // one that allows plaintext off loopback ("" when there is none).
  std::string flag_name = "--http_listen";
  std::string tls_flags = "--tls_cert=FILE --tls_key=FILE";
  std::string plaintext_flag = "--plaintext";
  // Requests with a larger body are refused (413) before the handler.
  size_t max_body_bytes = 1 << 20;
  // Worker threads; requests beyond them wait in the kernel's backlog.
  int threads = 8;
};

// The checks Start makes before binding (the address's form, the TLS
// files, the plaintext rule), for a program to refuse bad flags before it
// starts anything else.
absl::Status CheckListenerOptions(const ListenerOptions& options);

// A running HTTP(S) listener. Thread-safe; stops on destruction.
class Listener {
 public:
  // Validates the TLS files and the plaintext rule (InvalidArgument,
  // NotFound... naming the flag), binds (Unavailable when the address is
  // in use or not local) and starts serving `handler`.
  static absl::StatusOr<std::unique_ptr<Listener>> Start(
      const ListenerOptions& options, Handler handler);

  virtual ~Listener() = default;
  // The bound port.
  virtual int port() const = 0;
  // True when serving HTTPS.
  virtual bool tls() const = 0;
  // Stops accepting, finishes requests in flight, joins the threads.
  // Idempotent.
  virtual void Stop() = 0;
};

}  // namespace natscope::http

#endif  // NATSCOPE_COMMON_HTTP_HTTP_H_
