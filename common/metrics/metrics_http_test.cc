#include "common/metrics/metrics_http.h"

#include "gtest/gtest.h"

namespace natscope::metrics {
namespace {

http::HttpRequest Request(std::string method, std::string path) {
  http::HttpRequest request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

TEST(MetricsHttpTest, GetMetricsAnswersTheTextFormat) {
  Registry registry;
  registry.Counter("natscope_test_total", "A test.").With({}).Increment(3);
  http::HttpResponse response =
      MetricsHandler(registry)(Request("GET", "/metrics"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(response.body.find("natscope_test_total 3\n"), std::string::npos);
}

TEST(MetricsHttpTest, OtherPathsAreNotFound) {
  Registry registry;
  EXPECT_EQ(MetricsHandler(registry)(Request("GET", "/")).status, 404);
  EXPECT_EQ(MetricsHandler(registry)(Request("GET", "/metrics/x")).status, 404);
}

TEST(MetricsHttpTest, PostIsNotAllowed) {
  Registry registry;
  EXPECT_EQ(MetricsHandler(registry)(Request("POST", "/metrics")).status, 405);
}

}  // namespace
}  // namespace natscope::metrics
