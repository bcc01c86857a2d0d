#include "ingest/probe/evidence_run.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {

EvidenceRun::EvidenceRun(const ProbePlan& plan, PathEvidence& evidence,
                         const Clock& clock, bool sequential,
                         std::function<void(const std::string&)> progress)
    : plan_(plan),
      evidence_(evidence),
      clock_(clock),
      sequential_(sequential),
      progress_(std::move(progress)) {
  if (sequential_) return;
  BringForward(plan_.evidence, clock_.Now());
  Start();
}

EvidenceRun::~EvidenceRun() {
  for (std::thread& t : threads_) t.join();
}

void EvidenceRun::Follow(const std::optional<EvidenceWaits>& waits) {
  const absl::Time now = clock_.Now();
  if (sequential_) BringForward(plan_.evidence, now);
  if (waits) BringForward(*waits, now);
  if (sequential_) Start();
}

EvidenceRun::Output EvidenceRun::Finish() {
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  return std::move(out_);
}

void EvidenceRun::BringForward(const EvidenceWaits& waits, absl::Time now) {
  gateway_answer_.BringForward(now + waits.gateway_answer, waits.reason);
  gateway_.BringForward(now + waits.gateway, waits.reason);
  trace_.BringForward(now + waits.trace, waits.reason);
}

void EvidenceRun::Start() {
  if (plan_.gateways) {
    if (progress_) {
      progress_(
          "asking the default gateway (NAT-PMP, PCP, UPnP IGD; read-only)");
    }
    Run([this] {
      out_.gateways = evidence_.QueryGateways({&gateway_answer_, &gateway_});
    });
  }
  if (plan_.trace) {
    if (progress_) {
      progress_(absl::StrCat("tracing the first hops toward ",
                             plan_.trace->ToString()));
    }
    Run([this] {
      out_.hops = evidence_.TraceHops({*plan_.trace, &trace_}, clock_);
    });
  }
}

void EvidenceRun::Run(std::function<void()> query) {
  if (sequential_) {
    query();
  } else {
    threads_.emplace_back(std::move(query));
  }
}

}  // namespace natscope::ingest
