// Registry::RenderText and its test hook: the exposition text.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/metrics/text_format.h"

namespace natscope::metrics {
namespace {

const char* TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

std::string Header(const internal::FamilyDesc& desc) {
  return absl::StrCat("# HELP ", desc.name, " ", EscapeHelp(desc.help),
                      "\n# TYPE ", desc.name, " ", TypeName(desc.type), "\n");
}

void AppendHistogram(const internal::FamilyDesc& desc,
                     const std::vector<std::string>& values,
                     const Histogram& histogram, std::string* out) {
  const std::vector<uint64_t> counts = histogram.CumulativeCounts();
  for (size_t i = 0; i < counts.size(); ++i) {
    const std::string le = i < desc.buckets.size()
                               ? FormatValue(desc.buckets[i])
                               : std::string("+Inf");
    absl::StrAppend(out, desc.name, "_bucket",
                    FormatLabels(desc.label_names, values, "le", le), " ",
                    counts[i], "\n");
  }
  const std::string labels = FormatLabels(desc.label_names, values);
  absl::StrAppend(out, desc.name, "_sum", labels, " ",
                  FormatValue(histogram.Sum()), "\n", desc.name, "_count",
                  labels, " ", counts.back(), "\n");
}

void AppendCell(const internal::FamilyDesc& desc,
                const std::vector<std::string>& values,
                const internal::Cell& cell, std::string* out) {
  const std::string labels = FormatLabels(desc.label_names, values);
  switch (desc.type) {
    case MetricType::kCounter:
      absl::StrAppend(out, desc.name, labels, " ",
                      static_cast<const Counter&>(cell).Value(), "\n");
      break;
    case MetricType::kGauge:
      absl::StrAppend(out, desc.name, labels, " ",
                      FormatValue(static_cast<const Gauge&>(cell).Value()),
                      "\n");
      break;
    case MetricType::kHistogram:
      AppendHistogram(desc, values, static_cast<const Histogram&>(cell), out);
      break;
  }
}

// Samples sorted by label values, duplicates and wrong arity dropped.
std::map<std::vector<std::string>, double> Normalize(
    const internal::FamilyDesc& desc, std::vector<Sample> samples) {
  std::map<std::vector<std::string>, double> out;
  for (Sample& sample : samples) {
    if (sample.label_values.size() != desc.label_names.size()) continue;
    out.emplace(std::move(sample.label_values), sample.value);
  }
  return out;
}

}  // namespace

void Registry::RenderCallbacks(
    std::map<std::string, std::string>* blocks) const {
  absl::MutexLock lock(&callbacks_mu_);
  for (const auto& [id, callback] : callbacks_) {
    const auto samples =
        Normalize(callback.desc, callback.collect ? callback.collect()
                                                  : std::vector<Sample>());
    if (samples.empty()) continue;
    std::string block = Header(callback.desc);
    for (const auto& [values, value] : samples) {
      absl::StrAppend(&block, callback.desc.name,
                      FormatLabels(callback.desc.label_names, values), " ",
                      FormatValue(value), "\n");
    }
    (*blocks)[callback.desc.name] = std::move(block);
  }
}

void Registry::RenderFamilies(
    std::map<std::string, std::string>* blocks) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) {
    std::string body;
    family->ForEach([&](const std::vector<std::string>& values,
                        const internal::Cell& cell) {
      AppendCell(family->desc(), values, cell, &body);
    });
    if (!body.empty()) (*blocks)[name] = Header(family->desc()) + body;
  }
}

std::string Registry::RenderText() const {
  // Callbacks first and under their own lock (see callbacks_mu_).
  std::map<std::string, std::string> blocks;
  RenderCallbacks(&blocks);
  RenderFamilies(&blocks);
  std::string out;
  for (const auto& [name, block] : blocks) out += block;
  return out;
}

std::optional<double> Registry::ValueOf(
    absl::string_view name,
    const std::vector<std::string>& label_values) const {
  {
    absl::MutexLock lock(&callbacks_mu_);
    for (const auto& [id, callback] : callbacks_) {
      if (callback.desc.name != name || !callback.collect) continue;
      const auto samples = Normalize(callback.desc, callback.collect());
      auto it = samples.find(label_values);
      if (it == samples.end()) return std::nullopt;
      return it->second;
    }
  }
  absl::MutexLock lock(&mu_);
  auto it = families_.find(std::string(name));
  if (it == families_.end()) return std::nullopt;
  const internal::Cell* cell = it->second->Find(label_values);
  if (cell == nullptr) return std::nullopt;
  switch (it->second->desc().type) {
    case MetricType::kCounter:
      return static_cast<double>(
          static_cast<const metrics::Counter*>(cell)->Value());
    case MetricType::kGauge:
      return static_cast<const metrics::Gauge*>(cell)->Value();
    case MetricType::kHistogram:
      return static_cast<double>(
          static_cast<const metrics::Histogram*>(cell)->Count());
  }
  return std::nullopt;
}

}  // namespace natscope::metrics
