#include "ingest/probe/firewalk_step.h"

namespace natscope::ingest {

std::vector<v1::FirewalkCheck> RunFirewalk(PathEvidence& evidence,
                                           const FirewalkPlan& plan,
                                           const Clock& clock) {
  FirewalkJudge judge(plan);
  for (std::vector<size_t> sent = judge.NextRound(); !sent.empty();
       sent = judge.NextRound()) {
    if (judge.PauseFirst()) clock.SleepUntil(clock.Now() + plan.pause);
    FirewalkRoundOptions round;
    round.ttl = plan.ttl;
    round.sibling = plan.sibling;
    round.wait = plan.wait;
    for (size_t i : sent) round.targets.push_back(plan.targets[i].destination);
    auto replies = evidence.Firewalk(round, clock);
    if (!replies.ok()) break;
    judge.Record(sent, *replies);
  }
  return judge.Checks();
}

}  // namespace natscope::ingest
