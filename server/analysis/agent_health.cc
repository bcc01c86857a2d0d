#include "server/analysis/agent_health.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/proto_time.h"

namespace natscope::server {
namespace {

// "2h10m", "45m", "30s": to the minute past one minute.
std::string Ago(absl::Duration d) {
  if (d >= absl::Minutes(1)) d = absl::Trunc(d, absl::Minutes(1));
  return absl::FormatDuration(absl::Trunc(d, absl::Seconds(1)));
}

// "2026-12-01T08:00:00Z".
std::string Utc(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", FromProtoTime(t),
                          absl::UTCTimeZone());
}

std::string Bytes(uint64_t bytes) {
  if (bytes >= (uint64_t{1} << 20)) {
    return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  }
  if (bytes >= 1024) return absl::StrFormat("%.1f KiB", bytes / 1024.0);
  return absl::StrCat(bytes, " bytes");
}

// Silence and probes: the agent's timeline.
void TimelineProblems(const v1::AgentState& state, absl::Time now,
                      const AgentHealthRules& rules,
                      std::vector<std::string>* problems) {
  // A host that sends through a log shipper (intake) is heard only when
  // its product logs a line a rule matches: silence is normal, and it has
  // no natscope-agent to check.
  if (state.intake()) return;
  const v1::AgentHealth& health = state.health();
  if (!health.has_last_batch_time()) {
    problems->push_back(
        "has sent no batch since it enrolled: check that natscope-agent runs "
        "on the host and reaches the server (natscope-agent status)");
    return;
  }
  const absl::Time last_batch = FromProtoTime(health.last_batch_time());
  if (now - last_batch > rules.silent_after) {
    problems->push_back(absl::StrCat(
        "silent for ", Ago(now - last_batch), " (no batch since ",
        Utc(health.last_batch_time()),
        "): check that natscope-agent runs on the host and reaches the "
        "server (natscope-agent status)"));
    return;  // A silent agent's probes are silent too: said once.
  }
  if (state.has_latest_probe() && state.latest_probe().has_time()) {
    const absl::Duration age = now - FromProtoTime(state.latest_probe().time());
    if (age > rules.probe_stale_after) {
      problems->push_back(absl::StrCat(
          "no probe for ", Ago(age), " (latest ",
          Utc(state.latest_probe().time()),
          ") though it still reports: check its STUN servers and its log"));
    }
  }
}

// What the agent counts of itself.
void CounterProblems(const v1::AgentCounters& c, const AgentHealthRules& rules,
                     std::vector<std::string>* problems) {
  if (c.spool_capacity_bytes() > 0 &&
      static_cast<double>(c.spool_bytes()) >
          rules.spool_full_share *
              static_cast<double>(c.spool_capacity_bytes())) {
    problems->push_back(absl::StrFormat(
        "spool %.0f%% full (%s of %s): it reads faster than it delivers; "
        "check its link to the server",
        100.0 * static_cast<double>(c.spool_bytes()) / c.spool_capacity_bytes(),
        Bytes(c.spool_bytes()), Bytes(c.spool_capacity_bytes())));
  }
  if (c.records_dropped() > 0) {
    problems->push_back(absl::StrCat(
        "lost ", c.records_dropped(),
        " record(s) from its spool since it started (unreadable at "
        "recovery): check the host's disk"));
  }
  if (c.dead_letters() > 0) {
    problems->push_back(absl::StrCat(
        "set aside ", c.dead_letters(),
        " batch(es) the server refused as malformed since it started (its "
        "dead-letter file): see the agent's log, and upgrade agent or server "
        "so that they agree"));
  }
  if (c.batch_conflicts() > 0) {
    problems->push_back(absl::StrCat(
        c.batch_conflicts(),
        " batch(es) refused since it started as committed before with other "
        "records: its state directory looks cloned or restored; give each "
        "host its own"));
  }
}

}  // namespace

std::vector<std::string> AgentProblems(const v1::AgentState& state,
                                       absl::Time now,
                                       const AgentHealthRules& rules) {
  std::vector<std::string> problems;
  TimelineProblems(state, now, rules, &problems);
  CounterProblems(state.health().counters(), rules, &problems);
  const absl::Duration skew = absl::Seconds(state.clock_skew_seconds());
  if (absl::AbsDuration(skew) > rules.max_clock_skew) {
    problems.push_back(
        absl::StrCat("clock ", Ago(absl::AbsDuration(skew)),
                     skew > absl::ZeroDuration() ? " ahead of" : " behind",
                     " the server's: fix the host's time sync (NTP)"));
  }
  return problems;
}

void JudgeAgentHealth(v1::AgentState* state, absl::Time now,
                      const AgentHealthRules& rules) {
  v1::AgentHealth* health = state->mutable_health();
  if (state->has_latest_probe() && state->latest_probe().has_time()) {
    *health->mutable_last_probe_time() = state->latest_probe().time();
  } else {
    health->clear_last_probe_time();
  }
  health->clear_problems();
  for (std::string& problem : AgentProblems(*state, now, rules)) {
    health->add_problems(std::move(problem));
  }
  health->set_healthy(health->problems().empty());
}

}  // namespace natscope::server
