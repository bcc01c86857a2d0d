// The probe's path evidence (path_evidence.h), run for the executor
// (probe_executor.h): the gateway query and the hop trace start alongside
// test I with the plan's first waits (ProbePlan::evidence) and, once test
// I has measured the round trip, their deadlines are brought forward to
// the follow-up's (FollowUpPlan::evidence, EvidenceWaitsFor), from then
// on. A query that ends at its deadline says so in its observation.
//
//   EvidenceRun evidence(plan, *env.evidence, *env.clock, env.sequential,
//                        options.progress);  // starts the queries
//   ... test I ...
//   evidence.Follow(next.evidence);  // brings the deadlines forward
//   ... the follow-up ...
//   EvidenceRun::Output found = evidence.Finish();
//
// Thread-compatible: one thread calls its methods. The queries run on
// threads of their own, which Finish (or the destructor) joins; they read
// the deadlines, which this object owns, and each writes only its own part
// of the output, which is read after the join.
#ifndef NATSCOPE_INGEST_PROBE_EVIDENCE_RUN_H_
#define NATSCOPE_INGEST_PROBE_EVIDENCE_RUN_H_

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/net/socket_address.h"
#include "ingest/netpath/deadline.h"
#include "ingest/probe/path_evidence.h"
#include "ingest/probe/probe_plan.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

class EvidenceRun {
 public:
  struct Output {
    std::vector<v1::GatewayObservation> gateways;
    std::vector<v1::HopObservation> hops;
  };

  // Starts `plan`'s path evidence (nothing when it asks for none) on
  // `evidence`, the trace waiting on `clock`. With `sequential`, nothing
  // starts until Follow, which then runs it on the calling thread, so that
  // a simulated network's one thread sees the waits test I set. `progress`
  // (may be empty) hears of each query before it starts, on the calling
  // thread. `plan`, `evidence` and `clock` must outlive this object.
  EvidenceRun(const ProbePlan& plan, PathEvidence& evidence, const Clock& clock,
              bool sequential,
              std::function<void(const std::string&)> progress);
  EvidenceRun(const EvidenceRun&) = delete;
  EvidenceRun& operator=(const EvidenceRun&) = delete;
  // Waits for the queries.
  ~EvidenceRun();

  // Call once test I is done: brings the deadlines forward to `waits` from
  // now; nullopt (no round trip measured) keeps the first ones.
  void Follow(const std::optional<EvidenceWaits>& waits);

  // Waits for the queries to end and returns what they found. Call once.
  Output Finish();

 private:
  void BringForward(const EvidenceWaits& waits, absl::Time now);
  void Start();
  void Run(std::function<void()> query);

  const ProbePlan& plan_;
  PathEvidence& evidence_;
  const Clock& clock_;
  const bool sequential_;
  const std::function<void(const std::string&)> progress_;
  // Read by the query threads; brought forward by this one.
  Deadline gateway_answer_;
  Deadline gateway_;
  Deadline trace_;
  // gateways is written by the gateway query, hops by the trace.
  Output out_;
  // Joined by Finish or the destructor.
  std::vector<std::thread> threads_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_EVIDENCE_RUN_H_
