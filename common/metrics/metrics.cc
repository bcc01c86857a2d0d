#include "common/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"

namespace natscope::metrics {
namespace {

void AtomicAdd(std::atomic<double>& target, double delta) {
  double old = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(old, old + delta,
                                       std::memory_order_relaxed)) {
  }
}

bool SameShape(const internal::FamilyDesc& a, const internal::FamilyDesc& b) {
  return a.type == b.type && a.label_names == b.label_names &&
         a.buckets == b.buckets;
}

// Empty when `desc` can be registered, else why not.
std::string CheckDesc(const internal::FamilyDesc& desc) {
  if (!IsValidMetricName(desc.name)) {
    return absl::StrCat("metric name \"", desc.name,
                        "\" does not match [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  for (size_t i = 0; i < desc.label_names.size(); ++i) {
    const std::string& label = desc.label_names[i];
    if (!IsValidLabelName(label) ||
        (desc.type == MetricType::kHistogram && label == "le")) {
      return absl::StrCat("metric ", desc.name, ": label name \"", label,
                          "\" is invalid or reserved");
    }
    for (size_t j = 0; j < i; ++j) {
      if (desc.label_names[j] == label) {
        return absl::StrCat("metric ", desc.name, ": label \"", label,
                            "\" appears twice");
      }
    }
  }
  for (size_t i = 0; i < desc.buckets.size(); ++i) {
    if (!std::isfinite(desc.buckets[i]) ||
        (i > 0 && desc.buckets[i] <= desc.buckets[i - 1])) {
      return absl::StrCat("histogram ", desc.name,
                          ": buckets must be finite and strictly increasing");
    }
  }
  return "";
}

}  // namespace

void Gauge::Add(double delta) { AtomicAdd(value_, delta); }

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i] = 0;
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  // The first bound >= value: Prometheus buckets are "less or equal".
  const size_t index =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

uint64_t Histogram::Count() const { return CumulativeCounts().back(); }

const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double>* const kBuckets = new std::vector<double>{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
      0.5,   1,      2.5,   5,    10,    30,   60};
  return *kBuckets;
}

bool IsValidMetricName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsValidLabelName(absl::string_view name) {
  return IsValidMetricName(name) && name.find(':') == absl::string_view::npos &&
         !absl::StartsWith(name, "__");
}

namespace internal {

FamilyBase::FamilyBase(FamilyDesc desc, size_t max_children)
    : desc_(std::move(desc)), max_children_(max_children) {
  if (desc_.label_names.empty()) WithCell({});  // Rendered from the start.
}

std::unique_ptr<Cell> FamilyBase::NewCell() const {
  switch (desc_.type) {
    case MetricType::kCounter:
      return std::make_unique<Counter>();
    case MetricType::kGauge:
      return std::make_unique<Gauge>();
    case MetricType::kHistogram:
      return std::make_unique<Histogram>(desc_.buckets);
  }
  return nullptr;
}

Cell& FamilyBase::WithCell(const std::vector<std::string>& values) {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(values);
  if (it != children_.end()) return *it->second;
  std::vector<std::string> key = values;
  if (values.size() != desc_.label_names.size() ||
      children_.size() >= max_children_) {
    key.assign(desc_.label_names.size(), "overflow");
    if (!overflow_logged_) {
      overflow_logged_ = true;
      LogEvent(
          LogLevel::kError,
          "metric overflow: too many label sets or wrong label count; "
          "new ones are counted under \"overflow\"",
          {{"metric", desc_.name}, {"labels", absl::StrJoin(values, ",")}});
    }
    it = children_.find(key);
    if (it != children_.end()) return *it->second;
  }
  std::unique_ptr<Cell>& cell = children_[std::move(key)];
  cell = NewCell();
  return *cell;
}

void FamilyBase::ForEach(
    const std::function<void(const std::vector<std::string>&, const Cell&)>&
        visit) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [values, cell] : children_) visit(values, *cell);
}

const Cell* FamilyBase::Find(const std::vector<std::string>& values) const {
  absl::MutexLock lock(&mu_);
  auto it = children_.find(values);
  return it == children_.end() ? nullptr : it->second.get();
}

}  // namespace internal

CallbackHandle::CallbackHandle(CallbackHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

CallbackHandle& CallbackHandle::operator=(CallbackHandle&& other) noexcept {
  if (this != &other) {
    Reset();
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void CallbackHandle::Reset() {
  if (registry_ != nullptr) registry_->Remove(id_);
  registry_ = nullptr;
}

Registry::Registry(Options options) : options_(options) {}

std::unique_ptr<internal::FamilyBase> Registry::NewFamily(
    const internal::FamilyDesc& desc) const {
  switch (desc.type) {
    case MetricType::kCounter:
      return std::make_unique<CounterFamily>(desc, options_.max_children);
    case MetricType::kGauge:
      return std::make_unique<GaugeFamily>(desc, options_.max_children);
    case MetricType::kHistogram:
      return std::make_unique<HistogramFamily>(desc, options_.max_children);
  }
  return nullptr;
}

void Registry::Refuse(const std::string& error) {
  errors_.push_back(error);
  LogEvent(LogLevel::kError, "metric registration refused", {{"error", error}});
}

internal::FamilyBase& Registry::GetOrAdd(internal::FamilyDesc desc) {
  absl::MutexLock lock(&mu_);
  std::string error = CheckDesc(desc);
  auto it = families_.find(desc.name);
  if (error.empty() && it != families_.end()) {
    if (SameShape(it->second->desc(), desc)) return *it->second;
    error = absl::StrCat("metric ", desc.name,
                         " is already registered with another type, labels "
                         "or buckets");
  }
  if (error.empty() && callback_names_.count(desc.name) > 0) {
    error = absl::StrCat("metric ", desc.name, " is a callback metric");
  }
  std::unique_ptr<internal::FamilyBase> family = NewFamily(desc);
  internal::FamilyBase& result = *family;
  if (error.empty()) {
    families_[desc.name] = std::move(family);
  } else {
    Refuse(error);
    detached_.push_back(std::move(family));
  }
  return result;
}

CounterFamily& Registry::Counter(absl::string_view name, absl::string_view help,
                                 const std::vector<std::string>& label_names) {
  return static_cast<CounterFamily&>(GetOrAdd({std::string(name),
                                               std::string(help),
                                               MetricType::kCounter,
                                               label_names,
                                               {}}));
}

GaugeFamily& Registry::Gauge(absl::string_view name, absl::string_view help,
                             const std::vector<std::string>& label_names) {
  return static_cast<GaugeFamily&>(GetOrAdd({std::string(name),
                                             std::string(help),
                                             MetricType::kGauge,
                                             label_names,
                                             {}}));
}

HistogramFamily& Registry::Histogram(
    absl::string_view name, absl::string_view help,
    const std::vector<std::string>& label_names,
    const std::vector<double>& buckets) {
  return static_cast<HistogramFamily&>(
      GetOrAdd({std::string(name), std::string(help), MetricType::kHistogram,
                label_names, buckets}));
}

CallbackHandle Registry::AddCallback(
    absl::string_view name, absl::string_view help, MetricType type,
    const std::vector<std::string>& label_names,
    std::function<std::vector<Sample>()> collect) {
  internal::FamilyDesc desc{
      std::string(name), std::string(help), type, label_names, {}};
  {
    absl::MutexLock lock(&mu_);
    std::string error = CheckDesc(desc);
    if (error.empty() && type == MetricType::kHistogram) {
      error = absl::StrCat("callback metric ", name, " cannot be a histogram");
    }
    if (error.empty() && (families_.count(desc.name) > 0 ||
                          callback_names_.count(desc.name) > 0)) {
      error = absl::StrCat("metric ", name, " is already registered");
    }
    if (!error.empty()) {
      Refuse(error);
      return CallbackHandle();
    }
    callback_names_.insert(desc.name);
  }
  absl::MutexLock lock(&callbacks_mu_);
  const uint64_t id = next_id_++;
  callbacks_[id] = Callback{std::move(desc), std::move(collect)};
  return CallbackHandle(this, id);
}

CallbackHandle Registry::AddGauge(absl::string_view name,
                                  absl::string_view help,
                                  std::function<double()> value) {
  return AddCallback(name, help, MetricType::kGauge, {},
                     [value = std::move(value)] {
                       return std::vector<Sample>{{{}, value()}};
                     });
}

CallbackHandle Registry::AddCounter(absl::string_view name,
                                    absl::string_view help,
                                    std::function<double()> value) {
  return AddCallback(name, help, MetricType::kCounter, {},
                     [value = std::move(value)] {
                       return std::vector<Sample>{{{}, value()}};
                     });
}

void Registry::Remove(uint64_t id) {
  std::string name;
  {
    // Waits for a render in progress: the callback is not called after.
    absl::MutexLock lock(&callbacks_mu_);
    auto it = callbacks_.find(id);
    if (it == callbacks_.end()) return;
    name = it->second.desc.name;
    callbacks_.erase(it);
  }
  absl::MutexLock lock(&mu_);
  callback_names_.erase(name);
}

std::vector<std::string> Registry::RegistrationErrors() const {
  absl::MutexLock lock(&mu_);
  return errors_;
}

Registry& DefaultRegistry() {
  static Registry* const kRegistry = new Registry();
  return *kRegistry;
}

}  // namespace natscope::metrics
