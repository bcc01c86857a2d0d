#include "ingest/agent/agent_metrics.h"

#include <cstdint>

#include "absl/time/time.h"

namespace natscope::ingest {
namespace {

// One natscope_agent_* metric read from v1::AgentCounters.
struct CounterMetric {
  const char* name;
  metrics::MetricType type;
  const char* help;
  uint64_t (*get)(const v1::AgentCounters&);
};

using metrics::MetricType;
const CounterMetric kCounterMetrics[] = {
    {"natscope_agent_lines_read_total", MetricType::kCounter,
     "Lines read from the followed log files.",
     [](const v1::AgentCounters& c) { return c.lines_read(); }},
    {"natscope_agent_lines_truncated_total", MetricType::kCounter,
     "Lines longer than max_line_bytes, cut and flagged.",
     [](const v1::AgentCounters& c) { return c.lines_truncated(); }},
    {"natscope_agent_records_spooled_total", MetricType::kCounter,
     "Records (log events and probe reports) written to the spool.",
     [](const v1::AgentCounters& c) { return c.records_spooled(); }},
    {"natscope_agent_records_shipped_total", MetricType::kCounter,
     "Records the server acknowledged.",
     [](const v1::AgentCounters& c) { return c.records_shipped(); }},
    {"natscope_agent_records_dropped_total", MetricType::kCounter,
     "Records lost: undecodable spool entries dropped when the spool was "
     "opened.",
     [](const v1::AgentCounters& c) { return c.records_dropped(); }},
    {"natscope_agent_spool_bytes", MetricType::kGauge,
     "Bytes held in the on-disk spool.",
     [](const v1::AgentCounters& c) { return c.spool_bytes(); }},
    {"natscope_agent_spool_capacity_bytes", MetricType::kGauge,
     "The spool's cap (spool_cap_bytes).",
     [](const v1::AgentCounters& c) { return c.spool_capacity_bytes(); }},
    {"natscope_agent_delivery_retries_total", MetricType::kCounter,
     "Upload attempts that failed and were retried.",
     [](const v1::AgentCounters& c) { return c.retries(); }},
    {"natscope_agent_dead_letter_batches_total", MetricType::kCounter,
     "Batches the server rejected as malformed, kept in the dead-letter "
     "file.",
     [](const v1::AgentCounters& c) { return c.dead_letters(); }},
    {"natscope_agent_batch_conflicts_total", MetricType::kCounter,
     "Batches refused because their (epoch, sequence) was committed with "
     "other records (a cloned or restored state directory).",
     [](const v1::AgentCounters& c) { return c.batch_conflicts(); }},
    {"natscope_agent_backpressure_pauses_total", MetricType::kCounter,
     "Times reading paused because the spool was full.",
     [](const v1::AgentCounters& c) { return c.backpressure_pauses(); }},
};

}  // namespace

AgentMetrics::AgentMetrics(AgentState* state, const Spool* spool,
                           metrics::Registry& registry) {
  for (const CounterMetric& m : kCounterMetrics) {
    handles_.push_back(registry.AddCallback(
        m.name, m.help, m.type, {}, [state, spool, get = m.get] {
          const double value =
              static_cast<double>(get(state->Counters(spool->counters())));
          return std::vector<metrics::Sample>{{{}, value}};
        }));
  }
  handles_.push_back(registry.AddGauge(
      "natscope_agent_spool_pending_records",
      "Records in the spool not yet acknowledged by the server.", [spool] {
        return static_cast<double>(spool->counters().pending_records);
      }));
  handles_.push_back(registry.AddGauge(
      "natscope_agent_backlog_age_seconds",
      "How long the oldest record not yet acknowledged by the server has "
      "waited (0 when none; records spooled before the agent started count "
      "from its start).",
      [state, spool] {
        return absl::ToDoubleSeconds(
            state->OldestUnshippedAge(spool->counters().records_acked));
      }));
}

}  // namespace natscope::ingest
