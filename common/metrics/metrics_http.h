// Serves a Registry's exposition text over natscope's HTTP listener
// (common/http/http.h). Thread-safe: handlers run on listener threads.
#ifndef NATSCOPE_COMMON_METRICS_METRICS_HTTP_H_
#define NATSCOPE_COMMON_METRICS_METRICS_HTTP_H_

#include "common/http/http.h"
#include "common/metrics/metrics.h"

namespace natscope::metrics {

// "text/plain; version=0.0.4; charset=utf-8"
extern const char kTextContentType[];

// 200 with `registry`'s text in the Prometheus content type; for a server
// that routes /metrics itself.
http::HttpResponse MetricsResponse(const Registry& registry);

// A whole handler: GET (or HEAD) /metrics answers MetricsResponse, another
// method on /metrics 405, any other path 404. `registry` must outlive the
// handler.
http::Handler MetricsHandler(const Registry& registry);

}  // namespace natscope::metrics

#endif  // NATSCOPE_COMMON_METRICS_METRICS_HTTP_H_
