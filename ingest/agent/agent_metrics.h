// The agent's natscope_agent_* metrics that are read at scrape time: the
// counters it already keeps for the server and the status file
// (v1::AgentCounters: AgentState completed with the spool's), the spool's
// backlog, and the age of its oldest unshipped record. Counted elsewhere:
// probes (probe_loop.cc) and delivery errors (delivery_driver.cc).
// docs/metrics.md lists them all.
//
// Thread-safe. Unregisters on destruction.
#ifndef NATSCOPE_INGEST_AGENT_AGENT_METRICS_H_
#define NATSCOPE_INGEST_AGENT_AGENT_METRICS_H_

#include <vector>

#include "common/metrics/metrics.h"
#include "ingest/agent/agent_state.h"
#include "ingest/spool/spool.h"

namespace natscope::ingest {

class AgentMetrics {
 public:
  // `state`, `spool` and `registry` must outlive this object. A second
  // AgentMetrics in the same registry at once is refused metric by metric
  // (logged); the first one's stay.
  AgentMetrics(AgentState* state, const Spool* spool,
               metrics::Registry& registry = metrics::DefaultRegistry());
  AgentMetrics(const AgentMetrics&) = delete;
  AgentMetrics& operator=(const AgentMetrics&) = delete;

 private:
  std::vector<metrics::CallbackHandle> handles_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_AGENT_METRICS_H_
