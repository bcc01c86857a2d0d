#include "common/metrics/metrics_http.h"

#include <string>

namespace natscope::metrics {

const char kTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

http::HttpResponse MetricsResponse(const Registry& registry) {
  http::HttpResponse response;
  response.content_type = kTextContentType;
  response.body = registry.RenderText();
  // Scrapes must see fresh values, never a cached page.
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

http::Handler MetricsHandler(const Registry& registry) {
  return [&registry](const http::HttpRequest& request) {
    if (request.path != "/metrics") {
      http::HttpResponse response;
      response.status = 404;
      response.body = "not found: metrics are at /metrics\n";
      return response;
    }
    if (request.method != "GET" && request.method != "HEAD") {
      http::HttpResponse response;
      response.status = 405;
      response.headers.emplace_back("Allow", "GET, HEAD");
      response.body = "method not allowed: use GET /metrics\n";
      return response;
    }
    return MetricsResponse(registry);
  };
}

}  // namespace natscope::metrics
