#include "ingest/agent/probe_loop.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analyzer/verdict_names.h"
#include "common/metrics/metrics.h"

namespace natscope::ingest {
namespace {

// natscope_agent_probes_total{result, mapping} and the probe's duration.
void CountProbe(const absl::StatusOr<v1::ProbeReport>& report,
                absl::Duration took) {
  static metrics::CounterFamily& probes = metrics::DefaultRegistry().Counter(
      "natscope_agent_probes_total",
      "Probes run, by result (ok, failed) and the mapping behaviour found "
      "(none when failed).",
      {"result", "mapping"});
  static metrics::Histogram& duration =
      metrics::DefaultRegistry()
          .Histogram("natscope_agent_probe_duration_seconds",
                     "How long a probe took, failed ones included.", {},
                     {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120})
          .With({});
  duration.Observe(absl::ToDoubleSeconds(took));
  if (report.ok()) {
    probes.With({"ok", analyzer::MappingToken(report->mapping_behavior())})
        .Increment();
  } else {
    probes.With({"failed", "none"}).Increment();
  }
}

}  // namespace

ProbeLoop::ProbeLoop(ProbeLoopOptions options, ProbeFunction probe,
                     NetworkChanges* network, Spool* spool,
                     std::function<double()> uniform, const Clock& clock,
                     AgentState* state)
    : options_(options),
      probe_(std::move(probe)),
      network_(network),
      spool_(spool),
      uniform_(std::move(uniform)),
      clock_(clock),
      state_(state) {}

void ProbeLoop::Run(const std::atomic<bool>* stop) {
  ProbeSchedule schedule(options_.schedule, clock_.Now());
  while (!stop->load()) {
    if (!WaitForProbe(schedule, stop)) continue;
    schedule.Probed(clock_.Now(), uniform_());
    ProbeOnce(stop);
  }
}

void ProbeLoop::RequestProbe() {
  requested_.store(true);
  wake_.store(true);
}

bool ProbeLoop::WaitForProbe(ProbeSchedule& schedule,
                             const std::atomic<bool>* stop) {
  // Cleared before the request is read: a request arriving after the read
  // wakes the sleep below at once.
  wake_.store(false);
  if (requested_.exchange(false)) schedule.Requested(clock_.Now());
  if (network_ == nullptr) {
    clock_.SleepUntil(schedule.next(), stop, &wake_);
  } else if (network_->WaitForChange(clock_, schedule.next(), stop, &wake_)) {
    // Changes that came during a probe count from now: they settle first.
    schedule.NetworkChanged(clock_.Now());
    return false;
  }
  return !stop->load() && schedule.Due(clock_.Now());
}

void ProbeLoop::ProbeOnce(const std::atomic<bool>* stop) {
  const absl::Time start = clock_.Now();
  absl::StatusOr<v1::ProbeReport> report = probe_();
  state_->AddProbe();
  CountProbe(report, clock_.Now() - start);
  if (!report.ok()) {
    state_->SetError(absl::StrCat("probe failed: ", report.status().message()));
    return;
  }
  v1::Record record;
  *record.mutable_probe() = std::move(report).value();
  while (!stop->load()) {
    const absl::Status status = spool_->Append(record, std::nullopt);
    if (status.ok()) {
      state_->AddRecordSpooled();
      return;
    }
    if (!absl::IsResourceExhausted(status)) {
      state_->SetError(
          absl::StrCat("probe report not spooled: ", status.message()));
      return;
    }
    clock_.SleepFor(options_.spool_full_retry, stop);
  }
}

}  // namespace natscope::ingest
