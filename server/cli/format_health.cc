// The agents' own health as the natscope CLI prints it: `agents
// --unhealthy` and the health block of `agent ID`.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/verdict_names.h"
#include "google/protobuf/util/time_util.h"
#include "server/cli/format.h"

namespace natscope::server {
namespace {

using google::protobuf::util::TimeUtil;

std::string TimeOr(bool has, const google::protobuf::Timestamp& time,
                   const char* none) {
  return has ? TimeUtil::ToString(time) : none;
}

std::string Bytes(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20)) {
    return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  if (bytes >= 1024) return absl::StrFormat("%.1f KiB", bytes / 1024.0);
  return absl::StrCat(bytes, " B");
}

// "+90s", "-30s", "0s".
std::string Skew(int64_t seconds) {
  return absl::StrCat(seconds > 0 ? "+" : "", seconds, "s");
}

}  // namespace

std::string FormatAgentsHealth(const v1::ListAgentsResponse& response,
                               bool with_site) {
  std::string out;
  if (response.agents().empty()) {
    out = "no unhealthy agents\n";
  } else {
    std::vector<std::string> header = {"AGENT", "ROLE", "VERSION", "LAST BATCH",
                                       "PROBLEMS"};
    if (with_site) header.insert(header.begin() + 1, "SITE");
    std::vector<std::vector<std::string>> rows = {header};
    for (const v1::AgentState& a : response.agents()) {
      const v1::AgentHealth& h = a.health();
      std::vector<std::string>& row =
          rows.emplace_back(std::vector<std::string>{
              a.identity().agent_id(), analyzer::RoleName(a.identity().role()),
              h.version().empty() ? "-" : h.version(),
              TimeOr(h.has_last_batch_time(), h.last_batch_time(), "never"),
              h.problems().empty() ? "-" : absl::StrJoin(h.problems(), "; ")});
      if (with_site) row.insert(row.begin() + 1, a.identity().site());
    }
    out = RenderTable(rows);
  }
  // A filtered page may be short, even empty, while more follow.
  if (!response.next_page_token().empty()) {
    absl::StrAppend(&out, "(more: --page_token=", response.next_page_token(),
                    ")\n");
  }
  return out;
}

std::string FormatAgentDetail(const v1::AgentState& agent,
                              const v1::AgentHistory& history) {
  const std::string probes = FormatAgentHistory(history);
  const size_t header_end = probes.find('\n') + 1;  // "Agent ID (...)\n".
  const v1::AgentHealth& h = agent.health();
  const v1::AgentCounters& c = h.counters();
  std::string out = probes.substr(0, header_end);
  absl::StrAppend(&out, "Health: ", h.problems().empty() ? "ok" : "UNHEALTHY",
                  "\n");
  for (const std::string& problem : h.problems()) {
    absl::StrAppend(&out, "  - ", problem, "\n");
  }
  absl::StrAppend(&out, "  version ", h.version().empty() ? "-" : h.version(),
                  ", last batch ",
                  TimeOr(h.has_last_batch_time(), h.last_batch_time(), "never"),
                  ", last probe ",
                  TimeOr(h.has_last_probe_time(), h.last_probe_time(), "never"),
                  ", clock skew ", Skew(agent.clock_skew_seconds()), "\n");
  if (h.has_counters()) {
    absl::StrAppend(&out, "  spool ", Bytes(c.spool_bytes()), " of ",
                    Bytes(c.spool_capacity_bytes()), ", records dropped ",
                    c.records_dropped(), ", retries ", c.retries(),
                    ", dead letters ", c.dead_letters(),
                    ", backpressure pauses ", c.backpressure_pauses(),
                    ", batch conflicts ", c.batch_conflicts(), "\n");
  } else {
    absl::StrAppend(&out, "  no counters yet (its batches carried none)\n");
  }
  if (const std::string analysis = FormatAgentAnalysis(agent);
      !analysis.empty()) {
    absl::StrAppend(&out, "\n", analysis);
  }
  absl::StrAppend(&out, "\n", probes.substr(header_end));
  return out;
}

}  // namespace natscope::server
