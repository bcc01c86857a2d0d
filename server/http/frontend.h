// Everything natscope-server answers over HTTP (--http_listen), routed by
// path: the /v1 JSON API (json_api.h), the dashboard's files at / (from
// server/dashboard), /metrics (Prometheus text), /healthz (the process
// answers), /readyz (it can reach its database) and, with intake on,
// OTLP/HTTP logs at POST /v1/logs (server/intake/otlp). Every answer carries
// headers that keep a browser from sniffing, framing or leaking it.
#ifndef NATSCOPE_SERVER_HTTP_FRONTEND_H_
#define NATSCOPE_SERVER_HTTP_FRONTEND_H_

#include <cstddef>
#include <functional>

#include "absl/status/status.h"
#include "common/http/http.h"
#include "common/metrics/metrics.h"
#include "server/http/json_api.h"

namespace natscope::server::http {

// The JSON API's bodies are small (a schedule): larger ones are refused
// with 413 before any parsing, whatever the listener's own limit (raised
// for OTLP's log batches).
inline constexpr size_t kApiMaxBodyBytes = 1 << 20;

struct FrontendOptions {
  // Not owned; must outlive the handler.
  const JsonApi* api = nullptr;
  const metrics::Registry* metrics = nullptr;
  // OK when the server can serve (its database answers); /readyz answers
  // 503 with the message otherwise. Called on every /readyz.
  std::function<absl::Status()> ready;
  // Answers /v1/logs (OTLP/HTTP logs intake) when set; unset, the path is
  // the JSON API's (which has no such route: 404).
  natscope::http::Handler otlp_logs;
};

// The handler for http::Listener. Thread-safe.
natscope::http::Handler FrontendHandler(FrontendOptions options);

}  // namespace natscope::server::http

#endif  // NATSCOPE_SERVER_HTTP_FRONTEND_H_
