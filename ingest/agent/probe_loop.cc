#include "ingest/agent/probe_loop.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {

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

bool ProbeLoop::WaitForProbe(ProbeSchedule& schedule,
                             const std::atomic<bool>* stop) {
  if (network_ == nullptr) {
    clock_.SleepUntil(schedule.next(), stop);
  } else if (network_->WaitForChange(clock_, schedule.next(), stop)) {
    // Changes that came during a probe count from now: they settle first.
    schedule.NetworkChanged(clock_.Now());
    return false;
  }
  return !stop->load() && schedule.Due(clock_.Now());
}

void ProbeLoop::ProbeOnce(const std::atomic<bool>* stop) {
  absl::StatusOr<v1::ProbeReport> report = probe_();
  state_->AddProbe();
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
