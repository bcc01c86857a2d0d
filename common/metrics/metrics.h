// Prometheus metrics in the text exposition format 0.0.4, written by this
// one small module (no prometheus-cpp): counters, gauges and histograms
// grouped in families with fixed label names, plus callback metrics that
// are evaluated when the text is rendered.
//
//   metrics::Registry& registry = metrics::DefaultRegistry();
//   metrics::Counter& accepted =
//       registry.Counter("natscope_ingest_batches_total",
//                        "Ingest batches by result.", {"result"})
//           .With({"accepted"});   // Looked up once, under a mutex.
//   accepted.Increment();          // An atomic add.
//
//   metrics::CallbackHandle spool = registry.AddGauge(
//       "natscope_agent_spool_bytes", "Bytes in the spool.",
//       [&] { return static_cast<double>(spool_fs.Bytes()); });
//   // The callback is never called after `spool` is destroyed.
//
// Names: metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]* and do not start with "__" (reserved by
// Prometheus); histograms may not use the label "le". natscope's
// convention is natscope_<subsystem>_<what>_<unit>, counters ending in
// _total, durations in _seconds, sizes in _bytes (docs/metrics.md).
//
// Registration is idempotent: asking again for a family with the same name,
// type, label names (and buckets) returns the existing one. A bad name or a
// conflicting second registration is a programming error: it is logged,
// recorded in RegistrationErrors(), and answered with a detached family that
// works but is never rendered, so instrumented code never fails.
//
// Cardinality: a family holds at most Options::max_children label sets
// (1000 by default). Past that, every new label set shares one child whose
// label values are all "overflow"; the first overflow is logged once per
// family. With() given the wrong number of label values also lands there.
//
// Thread safety: everything is thread-safe. Children (Counter, Gauge,
// Histogram) live as long as their registry; cache the references.
#ifndef NATSCOPE_COMMON_METRICS_METRICS_H_
#define NATSCOPE_COMMON_METRICS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace natscope::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

namespace internal {
// A child of a family: one label set's value. Opaque to callers.
class Cell {
 public:
  virtual ~Cell() = default;
};
}  // namespace internal

// A monotonically increasing count.
class Counter : public internal::Cell {
 public:
  void Increment(uint64_t n = 1) {
    value_.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down.
class Gauge : public internal::Cell {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  void Increment() { Add(1); }
  void Decrement() { Add(-1); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into buckets with explicit upper bounds (le).
class Histogram : public internal::Cell {
 public:
  // `bounds` strictly increasing and finite (checked by the registry).
  explicit Histogram(std::vector<double> bounds);

  // NaN is ignored.
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts, one per bound then one for +Inf (== Count()).
  std::vector<uint64_t> CumulativeCounts() const;
  uint64_t Count() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  // counts_[i]: observations in (bounds_[i-1], bounds_[i]]; the last one
  // is the +Inf bucket. _count is their sum, so it always matches +Inf.
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// 1 ms to 60 s, for request and operation latencies in seconds.
const std::vector<double>& DefaultLatencyBuckets();

namespace internal {
struct FamilyDesc {
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::vector<std::string> label_names;
  std::vector<double> buckets;  // Histograms only.
};

class FamilyBase {
 public:
  FamilyBase(FamilyDesc desc, size_t max_children);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const FamilyDesc& desc() const { return desc_; }
  // Calls `visit` for each child in label-value order, under the lock.
  void ForEach(const std::function<void(const std::vector<std::string>&,
                                        const Cell&)>& visit) const;
  // The child of `values`, nullptr when absent. For tests.
  const Cell* Find(const std::vector<std::string>& values) const;

 protected:
  Cell& WithCell(const std::vector<std::string>& values);

 private:
  std::unique_ptr<Cell> NewCell() const;

  const FamilyDesc desc_;
  const size_t max_children_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Cell>> children_
      ABSL_GUARDED_BY(mu_);
  bool overflow_logged_ ABSL_GUARDED_BY(mu_) = false;
};
}  // namespace internal

// A family of children of type T (Counter, Gauge or Histogram).
template <typename T>
class Family : public internal::FamilyBase {
 public:
  using FamilyBase::FamilyBase;
  // The child for `label_values` (one per label name, in order), created
  // on first use. The reference stays valid as long as the registry.
  T& With(const std::vector<std::string>& label_values) {
    return static_cast<T&>(WithCell(label_values));
  }
};
using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry;

// Keeps a callback metric registered; unregisters it on destruction (after
// which the callback is never called again). Movable. Must not outlive its
// registry.
class CallbackHandle {
 public:
  CallbackHandle() = default;
  CallbackHandle(CallbackHandle&& other) noexcept;
  CallbackHandle& operator=(CallbackHandle&& other) noexcept;
  ~CallbackHandle() { Reset(); }

  // False when registration was refused (see AddCallback).
  bool active() const { return registry_ != nullptr; }
  void Reset();

 private:
  friend class Registry;
  CallbackHandle(Registry* registry, uint64_t id)
      : registry_(registry), id_(id) {}
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

// One sample of a callback metric.
struct Sample {
  std::vector<std::string> label_values;
  double value = 0;
};

class Registry {
 public:
  struct Options {
    size_t max_children = 1000;
  };
  Registry() : Registry(Options()) {}
  explicit Registry(Options options);
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Families: the existing one when name, type and labels match.
  CounterFamily& Counter(absl::string_view name, absl::string_view help,
                         const std::vector<std::string>& label_names = {});
  GaugeFamily& Gauge(absl::string_view name, absl::string_view help,
                     const std::vector<std::string>& label_names = {});
  HistogramFamily& Histogram(
      absl::string_view name, absl::string_view help,
      const std::vector<std::string>& label_names,
      const std::vector<double>& buckets = DefaultLatencyBuckets());

  // A counter or gauge family whose samples `collect` returns at render
  // time. `collect` runs on the rendering thread with a registry lock held:
  // it must be quick, must not call into this registry, and no one may
  // hold a lock it takes while registering or destroying a handle.
  // At most one live callback per name: a second one (or a name taken by
  // another family) is refused with an inactive handle and logged.
  CallbackHandle AddCallback(absl::string_view name, absl::string_view help,
                             MetricType type,
                             const std::vector<std::string>& label_names,
                             std::function<std::vector<Sample>()> collect);
  // Unlabelled shorthands.
  CallbackHandle AddGauge(absl::string_view name, absl::string_view help,
                          std::function<double()> value);
  CallbackHandle AddCounter(absl::string_view name, absl::string_view help,
                            std::function<double()> value);

  // The exposition text: families sorted by name, children by label
  // values. Labelled families without children are left out.
  std::string RenderText() const;

  // Test hook: the value of a counter or gauge child (callbacks included),
  // or the count of a histogram child; nullopt when absent.
  std::optional<double> ValueOf(
      absl::string_view name,
      const std::vector<std::string>& label_values = {}) const;

  // Refused registrations, for tests.
  std::vector<std::string> RegistrationErrors() const;

 private:
  friend class CallbackHandle;
  struct Callback {
    internal::FamilyDesc desc;
    std::function<std::vector<Sample>()> collect;
  };

  std::unique_ptr<internal::FamilyBase> NewFamily(
      const internal::FamilyDesc& desc) const;
  internal::FamilyBase& GetOrAdd(internal::FamilyDesc desc);
  // The callbacks' text blocks and the families' ones, by name.
  void RenderCallbacks(std::map<std::string, std::string>* blocks) const;
  void RenderFamilies(std::map<std::string, std::string>* blocks) const;
  void Remove(uint64_t id);
  void Refuse(const std::string& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<internal::FamilyBase>> families_
      ABSL_GUARDED_BY(mu_);
  // Refused registrations' families: usable, never rendered.
  std::vector<std::unique_ptr<internal::FamilyBase>> detached_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
  // Names of live callbacks, so that families and callbacks share one
  // namespace without holding both locks.
  std::set<std::string> callback_names_ ABSL_GUARDED_BY(mu_);
  // Never held together with mu_: a callback may take a lock whose holder
  // is registering a family or incrementing a counter.
  mutable absl::Mutex callbacks_mu_;
  std::map<uint64_t, Callback> callbacks_ ABSL_GUARDED_BY(callbacks_mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(callbacks_mu_) = 1;
};

// The process-wide registry that components use by default. Never
// destroyed.
Registry& DefaultRegistry();

// True when `name` is a valid metric name / label name (see above).
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);

}  // namespace natscope::metrics

#endif  // NATSCOPE_COMMON_METRICS_METRICS_H_
