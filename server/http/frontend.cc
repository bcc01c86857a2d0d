#include "server/http/frontend.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/metrics/metrics_http.h"
#include "server/dashboard/assets.h"

namespace natscope::server::http {
namespace {

using natscope::http::HttpRequest;
using natscope::http::HttpResponse;

// The dashboard loads only its own script, style and API: no inline code,
// no other origin, never inside a frame.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

HttpResponse Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse Dashboard(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = Text(405, "405 method not allowed\n");
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  const dashboard::Asset* asset = dashboard::FindAsset(request.path);
  if (asset == nullptr) {
    return Text(404, absl::StrCat("404 not found: ", request.path,
                                  " (the dashboard is at /, the API under /v1/)\n"));
  }
  HttpResponse response;
  response.content_type = std::string(asset->content_type);
  response.body = std::string(asset->body);
  response.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

HttpResponse Answer(const FrontendOptions& options, const HttpRequest& request) {
  // OTLP/HTTP's fixed path, authenticated by intake tokens, not API tokens.
  if (request.path == "/v1/logs" && options.otlp_logs) {
    return options.otlp_logs(request);
  }
  if (request.body.size() > kApiMaxBodyBytes) {
    HttpResponse response = Text(413, "");
    response.content_type = "application/json; charset=utf-8";
    response.body = absl::StrCat(
        "{\"error\":{\"code\":413,\"message\":\"request body too large (",
        kApiMaxBodyBytes, " bytes at most)\"}}");
    return response;
  }
  if (absl::StartsWith(request.path, "/v1/")) return options.api->Handle(request);
  if (request.path == "/healthz") return Text(200, "ok\n");
  if (request.path == "/readyz") {
    const absl::Status ready = options.ready ? options.ready() : absl::OkStatus();
    return ready.ok() ? Text(200, "ready\n")
                      : Text(503, absl::StrCat("not ready: ", ready.message(), "\n"));
  }
  if (request.path == "/metrics" && options.metrics != nullptr) {
    HttpResponse response = metrics::MetricsResponse(*options.metrics);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }
  return Dashboard(request);
}

}  // namespace

natscope::http::Handler FrontendHandler(FrontendOptions options) {
  return [options = std::move(options)](const HttpRequest& request) {
    HttpResponse response = Answer(options, request);
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("X-Frame-Options", "DENY");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    return response;
  };
}

}  // namespace natscope::server::http
