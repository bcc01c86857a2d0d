#include "common/metrics/metrics.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace natscope::metrics {
namespace {

TEST(RegistryTest, RendersCountersAndGaugesSortedWithHelpAndType) {
  Registry registry;
  CounterFamily& batches = registry.Counter("natscope_test_batches_total",
                                            "Batches by result.", {"result"});
  batches.With({"refused"}).Increment();
  batches.With({"accepted"}).Increment(2);
  registry.Gauge("natscope_test_bytes", "Bytes.").With({}).Set(1.5);
  EXPECT_EQ(registry.RenderText(),
            "# HELP natscope_test_batches_total Batches by result.\n"
            "# TYPE natscope_test_batches_total counter\n"
            "natscope_test_batches_total{result=\"accepted\"} 2\n"
            "natscope_test_batches_total{result=\"refused\"} 1\n"
            "# HELP natscope_test_bytes Bytes.\n"
            "# TYPE natscope_test_bytes gauge\n"
            "natscope_test_bytes 1.5\n");
}

TEST(RegistryTest, UnlabelledFamiliesRenderZeroAndLabelledOnesWaitForAChild) {
  Registry registry;
  registry.Counter("natscope_test_plain_total", "Plain.");
  registry.Counter("natscope_test_labelled_total", "Labelled.", {"kind"});
  EXPECT_EQ(registry.RenderText(),
            "# HELP natscope_test_plain_total Plain.\n"
            "# TYPE natscope_test_plain_total counter\n"
            "natscope_test_plain_total 0\n");
}

TEST(RegistryTest, EscapesHelpAndLabelValues) {
  Registry registry;
  registry
      .Counter("natscope_test_total", "Line one\nback\\slash \"q\"", {"path"})
      .With({"C:\\dir\n\"x\""})
      .Increment();
  EXPECT_EQ(registry.RenderText(),
            "# HELP natscope_test_total Line one\\nback\\\\slash \"q\"\n"
            "# TYPE natscope_test_total counter\n"
            "natscope_test_total{path=\"C:\\\\dir\\n\\\"x\\\"\"} 1\n");
}

TEST(RegistryTest, HistogramsRenderCumulativeBucketsSumAndCount) {
  Registry registry;
  Histogram& latency =
      registry
          .Histogram("natscope_test_seconds", "Latency.", {"method"}, {0.1, 1})
          .With({"/a"});
  latency.Observe(0.05);
  latency.Observe(0.1);  // On the bound: counted in le="0.1".
  latency.Observe(0.5);
  latency.Observe(7);
  EXPECT_EQ(registry.RenderText(),
            "# HELP natscope_test_seconds Latency.\n"
            "# TYPE natscope_test_seconds histogram\n"
            "natscope_test_seconds_bucket{method=\"/a\",le=\"0.1\"} 2\n"
            "natscope_test_seconds_bucket{method=\"/a\",le=\"1\"} 3\n"
            "natscope_test_seconds_bucket{method=\"/a\",le=\"+Inf\"} 4\n"
            "natscope_test_seconds_sum{method=\"/a\"} 7.65\n"
            "natscope_test_seconds_count{method=\"/a\"} 4\n");
  EXPECT_EQ(registry.ValueOf("natscope_test_seconds", {"/a"}), 4);
}

TEST(RegistryTest, HistogramIgnoresNaN) {
  Histogram histogram({1});
  histogram.Observe(std::nan(""));
  EXPECT_EQ(histogram.Count(), 0u);
}

TEST(RegistryTest, DefaultLatencyBucketsAreIncreasing) {
  const std::vector<double>& buckets = DefaultLatencyBuckets();
  ASSERT_FALSE(buckets.empty());
  for (size_t i = 1; i < buckets.size(); ++i) {
    EXPECT_LT(buckets[i - 1], buckets[i]);
  }
}

TEST(RegistryTest, IdenticalRegistrationReturnsTheSameFamily) {
  Registry registry;
  CounterFamily& a = registry.Counter("natscope_test_total", "Help.", {"x"});
  CounterFamily& b = registry.Counter("natscope_test_total", "Help.", {"x"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.With({"1"}), &b.With({"1"}));
  EXPECT_TRUE(registry.RegistrationErrors().empty());
}

TEST(RegistryTest, ConflictingRegistrationIsDetachedAndRecorded) {
  Registry registry;
  registry.Counter("natscope_test_total", "Help.", {"x"}).With({"1"});
  registry.Gauge("natscope_test_total", "Help.", {"x"}).With({"1"}).Set(9);
  registry.Counter("natscope_test_total", "Help.", {"y"}).With({"2"});
  EXPECT_EQ(registry.RegistrationErrors().size(), 2u);
  EXPECT_EQ(registry.ValueOf("natscope_test_total", {"1"}), 0);
  EXPECT_EQ(registry.RenderText().find("natscope_test_total{y="),
            std::string::npos);
}

TEST(RegistryTest, RefusesInvalidNames) {
  EXPECT_TRUE(IsValidMetricName("natscope_a:b_total"));
  EXPECT_TRUE(IsValidMetricName("_x"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_FALSE(IsValidMetricName("9lives"));
  EXPECT_FALSE(IsValidMetricName("natscope-x"));
  EXPECT_FALSE(IsValidMetricName("natscope x"));
  EXPECT_TRUE(IsValidLabelName("result"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("1a"));

  Registry registry;
  registry.Counter("bad-name_total", "Help.").With({}).Increment();
  registry.Counter("natscope_test_total", "Help.", {"bad-label"});
  registry.Histogram("natscope_test_seconds", "Help.", {"le"});
  registry.Histogram("natscope_test2_seconds", "Help.", {}, {1, 1});
  EXPECT_EQ(registry.RegistrationErrors().size(), 4u);
  EXPECT_EQ(registry.RenderText(), "");
}

TEST(RegistryTest, CardinalityIsBoundedByAnOverflowChild) {
  Registry registry(Registry::Options{.max_children = 3});
  CounterFamily& family =
      registry.Counter("natscope_test_total", "Help.", {"peer"});
  for (int i = 0; i < 10; ++i) family.With({absl::StrCat(i)}).Increment();
  family.With({"0"}).Increment();       // Existing children still count.
  family.With({"a", "b"}).Increment();  // Wrong arity.
  EXPECT_EQ(registry.ValueOf("natscope_test_total", {"0"}), 2);
  EXPECT_EQ(registry.ValueOf("natscope_test_total", {"overflow"}), 8);
  EXPECT_EQ(registry.ValueOf("natscope_test_total", {"5"}), std::nullopt);
}

TEST(RegistryTest, CallbacksAreEvaluatedAtRenderAndStopWithTheHandle) {
  Registry registry;
  double bytes = 10;
  {
    CallbackHandle handle = registry.AddGauge("natscope_test_bytes", "Bytes.",
                                              [&] { return bytes; });
    ASSERT_TRUE(handle.active());
    bytes = 12;
    EXPECT_EQ(registry.RenderText(),
              "# HELP natscope_test_bytes Bytes.\n"
              "# TYPE natscope_test_bytes gauge\n"
              "natscope_test_bytes 12\n");
    EXPECT_EQ(registry.ValueOf("natscope_test_bytes"), 12);
    // The name is taken while the callback lives.
    EXPECT_FALSE(
        registry.AddGauge("natscope_test_bytes", "Bytes.", [] { return 1.0; })
            .active());
    registry.Gauge("natscope_test_bytes", "Bytes.");
    EXPECT_EQ(registry.RegistrationErrors().size(), 2u);
  }
  EXPECT_EQ(registry.RenderText(), "");
  EXPECT_TRUE(
      registry.AddGauge("natscope_test_bytes", "Bytes.", [] { return 1.0; })
          .active());
}

TEST(RegistryTest, LabelledCallbacksAreSortedAndMovable) {
  Registry registry;
  CallbackHandle handle = registry.AddCallback(
      "natscope_test_probes_total", "Probes.", MetricType::kCounter, {"result"},
      [] {
        return std::vector<Sample>{{{"ok"}, 3}, {{"failed"}, 1}, {{}, 5}};
      });
  CallbackHandle moved = std::move(handle);
  EXPECT_FALSE(handle.active());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(registry.RenderText(),
            "# HELP natscope_test_probes_total Probes.\n"
            "# TYPE natscope_test_probes_total counter\n"
            "natscope_test_probes_total{result=\"failed\"} 1\n"
            "natscope_test_probes_total{result=\"ok\"} 3\n");
  moved.Reset();
  EXPECT_EQ(registry.RenderText(), "");
}

TEST(RegistryTest, ConcurrentIncrementsAndRendersAddUp) {
  Registry registry;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      CounterFamily& family =
          registry.Counter("natscope_test_total", "Help.", {"thread"});
      Histogram& histogram =
          registry.Histogram("natscope_test_seconds", "Help.", {}).With({});
      Gauge& gauge = registry.Gauge("natscope_test_level", "Help.").With({});
      for (int i = 0; i < kPerThread; ++i) {
        family.With({absl::StrCat(t % 2)}).Increment();
        histogram.Observe(0.5);
        gauge.Add(1);
        if (i % 5000 == 0) registry.RenderText();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(*registry.ValueOf("natscope_test_total", {"0"}) +
                *registry.ValueOf("natscope_test_total", {"1"}),
            kThreads * kPerThread);
  EXPECT_EQ(registry.ValueOf("natscope_test_seconds"), kThreads * kPerThread);
  EXPECT_EQ(registry.ValueOf("natscope_test_level"), kThreads * kPerThread);
}

TEST(RegistryTest, DefaultRegistryIsOneInstance) {
  EXPECT_EQ(&DefaultRegistry(), &DefaultRegistry());
}

}  // namespace
}  // namespace natscope::metrics
