// Renders the default registry after instruments of every kind ran and
// checks the text with promtool (format and lint): what a scrape of the
// server would read, without sockets.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "common/metrics/metrics.h"
#include "gtest/gtest.h"
#include "server/auth/grpc_auth.h"
#include "server/reports/producer.h"

namespace natscope {
namespace {

constexpr char kPromtool[] = "/usr/bin/promtool";

// What `promtool check metrics < path` prints (stdout and stderr) and its
// exit status.
std::string RunPromtool(const std::string& path, int* exit_status) {
  const std::string command =
      std::string(kPromtool) + " check metrics < '" + path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *exit_status = -1;
    return "popen failed";
  }
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output.append(buffer, n);
  *exit_status = pclose(pipe);
  return output;
}

void ExerciseInstruments() {
  // The server's own instruments.
  server::auth::RpcMeter("/natscope.v1.QueryService/ListSites")
      .Done(absl::OkStatus());
  server::auth::RpcMeter("/natscope.v1.AgentService/Ingest")
      .Done(absl::UnavailableError("database down"));
  server::ReportRunsCounter().With({"succeeded"}).Increment();

  // One of each kind, with what the format must escape.
  metrics::Registry& registry = metrics::DefaultRegistry();
  registry
      .Counter("natscope_test_events_total",
               "Help with a backslash \\ and\na newline.", {"path", "kind"})
      .With({"C:\\logs\\\"quoted\"\nnext line", "ünïcødé"})
      .Increment(3);
  metrics::GaugeFamily& gauges =
      registry.Gauge("natscope_test_level_bytes", "Levels.", {"which"});
  gauges.With({"nan"}).Set(std::nan(""));
  gauges.With({"inf"}).Set(std::numeric_limits<double>::infinity());
  gauges.With({"minus_inf"}).Set(-std::numeric_limits<double>::infinity());
  gauges.With({"small"}).Set(1e-9);
  metrics::Histogram& latency =
      registry.Histogram("natscope_test_wait_seconds", "Waits.", {}).With({});
  for (double v : {0.0005, 0.003, 0.2, 7.0, 100.0}) latency.Observe(v);
}

TEST(RenderPromtoolTest, DefaultRegistryPassesPromtool) {
  ASSERT_EQ(access(kPromtool, X_OK), 0)
      << kPromtool << " not found: run tools/setup.sh (package prometheus)";
  ExerciseInstruments();
  metrics::CallbackHandle callback = metrics::DefaultRegistry().AddGauge(
      "natscope_test_callback_seconds", "A callback gauge.",
      [] { return 2.5; });
  const std::string text = metrics::DefaultRegistry().RenderText();
  ASSERT_TRUE(metrics::DefaultRegistry().RegistrationErrors().empty());
  ASSERT_NE(text.find("natscope_rpc_duration_seconds_bucket"),
            std::string::npos);
  ASSERT_NE(text.find("natscope_test_callback_seconds 2.5"), std::string::npos);

  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") +
                           "/render_promtool_test.metrics";
  std::ofstream(path) << text;
  int exit_status = 0;
  const std::string output = RunPromtool(path, &exit_status);
  EXPECT_EQ(exit_status, 0) << output;
  EXPECT_EQ(output, "") << "promtool's complaints about:\n" << text;
}

}  // namespace
}  // namespace natscope
