// Runs a firewalking plan (firewalk_plan.h) round by round through
// PathEvidence, pausing for routers' ICMP tokens when a sibling stays
// silent. The executor's step; decides nothing itself.
#ifndef NATSCOPE_INGEST_PROBE_FIREWALK_STEP_H_
#define NATSCOPE_INGEST_PROBE_FIREWALK_STEP_H_

#include <vector>

#include "common/clock.h"
#include "ingest/probe/firewalk_plan.h"
#include "ingest/probe/path_evidence.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::ingest {

// At most plan.max_rounds rounds of plan.wait, with plan.pause before a
// round that follows a silent sibling. A round that cannot run (no socket,
// no route) ends the walk; what is undecided then stays FIREWALK_UNKNOWN.
std::vector<v1::FirewalkCheck> RunFirewalk(PathEvidence& evidence,
                                           const FirewalkPlan& plan,
                                           const Clock& clock);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_PROBE_FIREWALK_STEP_H_
