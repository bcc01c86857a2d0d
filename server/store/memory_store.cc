// MemoryStore's agents, ingest and listings; the SQL it mirrors is in
// postgres_store.cc and pg_ingest.cc.
#include "server/store/memory_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analyzer/batch_summary.h"
#include "server/store/ingest_rules.h"
#include "server/store/migrations.h"
#include "server/store/pg_encoding.h"

namespace natscope::server {
namespace {

using natscope::v1::AgentIdentity;
using natscope::v1::AgentState;
using natscope::v1::IngestRequest;
using natscope::v1::LogEvent;
using natscope::v1::ProbeReport;
using natscope::v1::SiteSummary;

}  // namespace

AgentIdentity MemoryStore::StoredIdentity(const AgentIdentity& agent) {
  AgentIdentity stored;
  stored.set_agent_id(agent.agent_id());
  stored.set_site(agent.site());
  stored.set_role(agent.role());
  stored.set_hostname(SanitizeText(agent.hostname()));
  stored.set_version(SanitizeText(agent.version()));
  return stored;
}

absl::Time MemoryStore::StoredTime(absl::Time t) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  static const absl::Time earliest =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), utc);
  static const absl::Time latest =
      absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59), utc);
  return absl::FromUnixMicros(
      absl::ToUnixMicros(std::clamp(t, earliest, latest)));
}

void MemoryStore::SetStoredTime(absl::Time t,
                                google::protobuf::Timestamp* out) {
  MicrosToProto(absl::ToUnixMicros(StoredTime(t)), out);
}

void MemoryStore::SetSchemaVersionForTest(int version) {
  absl::MutexLock lock(&mu_);
  schema_version_ = std::max(schema_version_, version);
}

absl::Status MemoryStore::Migrate() {
  const absl::Span<const Migration> migrations = AllMigrations();
  const int known = migrations.empty() ? 0 : migrations.back().version;
  absl::MutexLock lock(&mu_);
  if (schema_version_ > known) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema version ", schema_version_,
                     " is newer than this natscope-server knows (", known,
                     "): upgrade natscope-server"));
  }
  schema_version_ = known;
  return absl::OkStatus();
}

absl::StatusOr<AgentIdentity> MemoryStore::AgentByCredentialHash(
    absl::string_view credential_hash) {
  absl::MutexLock lock(&mu_);
  const auto owner = agent_by_hash_.find(std::string(credential_hash));
  if (owner == agent_by_hash_.end()) {
    return absl::NotFoundError("no agent has this credential");
  }
  return agents_.at(owner->second).identity;
}

absl::StatusOr<AgentIdentity> MemoryStore::AgentById(
    absl::string_view agent_id) {
  absl::MutexLock lock(&mu_);
  const auto agent = agents_.find(std::string(agent_id));
  if (agent == agents_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no agent \"", agent_id, "\" is registered"));
  }
  return agent->second.identity;
}

absl::StatusOr<IngestResult> MemoryStore::Ingest(const AgentIdentity& agent,
                                                 const IngestRequest& batch,
                                                 absl::Time received) {
  absl::MutexLock lock(&mu_);
  // The partitions PostgresStore::Ingest creates, so that ApplyRetention
  // counts the same ones. Where PostgreSQL would find no partition for
  // `received` (before its horizon), the day is added instead of failing.
  if (received >= partitions_until_) {
    AddPartitions(received - absl::Hours(24), received + absl::Hours(48));
  } else {
    AddPartitions(received, received);
  }
  const auto registered = agents_.find(agent.agent_id());
  if (registered == agents_.end() ||
      registered->second.identity.site() != agent.site()) {
    return absl::NotFoundError(absl::StrCat("agent ", agent.agent_id(),
                                            " of site ", agent.site(),
                                            " is not registered: enroll it"));
  }
  AgentRow& agent_row = registered->second;
  if (batch.records().empty()) {
    // A check-in: the agent's last contact only (no ledger row, no mark).
    StoreBatch(agent_row, agent, batch, received);
    return IngestResult{0, false, agent_row.probe_requested};
  }
  uint32_t records = 0;
  for (const natscope::v1::Record& record : batch.records()) {
    if (record.has_log() || record.has_probe()) ++records;
  }
  std::string digest = BatchDigest(batch);
  const auto [row, stored] = ledger_.try_emplace(
      LedgerKey(agent.site(), agent.agent_id(), batch.epoch(),
                batch.sequence()),
      LedgerRow{StoredTime(received), digest});
  // A duplicate marks the site too, as PostgresStore does.
  MarkDirty(agent.site(), StoredTime(received));
  if (!stored && row->second.digest != digest) {
    ++agent_row.batch_conflicts;
    return BatchConflictError(batch);
  }
  if (!stored) return IngestResult{0, true, agent_row.probe_requested};
  StoreBatch(agent_row, agent, batch, received);
  return IngestResult{records, false, agent_row.probe_requested};
}

void MemoryStore::StoreBatch(AgentRow& agent_row, const AgentIdentity& agent,
                             const IngestRequest& batch, absl::Time received) {
  const absl::Time received_at = StoredTime(received);
  const analyzer::BatchSummary summary =
      analyzer::SummarizeBatch(batch, received);
  if (agent_row.probe_requested.has_value() && summary.probe.found() &&
      AnswersProbeRequest(batch, batch.records(summary.probe.index).probe(),
                          received, *agent_row.probe_requested)) {
    agent_row.probe_requested.reset();
  }
  History& history = history_[agent.agent_id()];
  for (const natscope::v1::Record& record : batch.records()) {
    if (record.has_log()) history.logs.push_back(LogRow{agent.site(), received_at});
    if (record.has_probe()) {
      const ProbeReport& report = record.probe();
      const absl::Time time =
          analyzer::RecordTime(report.time(), report.has_time(), received);
      history.probes.push_back(ProbeRow{agent.site(), next_probe_id_++,
                                        StoredTime(time), received_at, report});
    }
  }
  UpdateState(agent, batch, summary, received_at);
  if (batch.has_sent()) {
    states_[agent.agent_id()].clock_skew_ms = ClockSkewMillis(batch, received);
  }
  UpdateSelfReport(agent, batch, received);
  // The hourly counts, as agent_activity keeps them.
  if (summary.hours.empty()) return;
  auto& hours = activity_[{agent.site(), agent.agent_id()}];
  for (const auto& [hour, counts] : summary.hours) {
    analyzer::TunnelHour& kept = hours[StoredTime(hour)];
    kept.direct += counts.direct;
    kept.relayed += counts.relayed;
    kept.relay_unavailable += counts.relay_unavailable;
    kept.relay_listener_errors += counts.relay_listener_errors;
    if (counts.last_tunnel != absl::InfinitePast()) {
      kept.last_tunnel = std::max(kept.last_tunnel, StoredTime(counts.last_tunnel));
    }
  }
}

namespace {

// Takes `newest` of the batch into `*kept` (with its time `*kept_time`)
// unless the state holds a newer one; times compare as stored (to the
// microsecond), ties going to this later arrival.
template <typename T>
void TakeNewer(const analyzer::Newest& newest, T value, std::optional<T>* kept,
               absl::Time* kept_time, absl::Time stored_rank) {
  if (!newest.found()) return;
  if (kept->has_value() && *kept_time > stored_rank) return;
  *kept = std::move(value);
  *kept_time = stored_rank;
}

}  // namespace

void MemoryStore::UpdateState(const AgentIdentity& agent,
                              const IngestRequest& batch,
                              const analyzer::BatchSummary& summary,
                              absl::Time received_at) {
  auto [entry, created] = states_.try_emplace(agent.agent_id());
  LatestState& state = entry->second;
  if (created || state.site != agent.site()) {
    state = LatestState();
    state.site = agent.site();
    state.last_seen = received_at;
  }
  state.last_seen = std::max(state.last_seen, received_at);
  const auto field = [&](const analyzer::Newest& newest, const char* key) {
    const auto& fields = batch.records(newest.index).log().fields();
    const auto it = fields.find(key);
    return SanitizeText(it == fields.end() ? "" : it->second);
  };
  if (summary.nat_type.found()) {
    TakeNewer(summary.nat_type, field(summary.nat_type, "nat_type"),
              &state.nat_type, &state.nat_time,
              StoredTime(summary.nat_type.rank));
  }
  if (summary.sdwan_state.found()) {
    TakeNewer(summary.sdwan_state, field(summary.sdwan_state, "state"),
              &state.sdwan_state, &state.sdwan_time,
              StoredTime(summary.sdwan_state.rank));
  }
  if (summary.probe.found()) {
    TakeNewer(summary.probe, batch.records(summary.probe.index).probe(),
              &state.probe, &state.probe_time,
              StoredTime(summary.probe.rank));
  }
}

void MemoryStore::UpdateSelfReport(const AgentIdentity& agent,
                                   const IngestRequest& batch,
                                   absl::Time received) {
  if (!HasSelfReport(batch)) return;
  LatestState& state = states_.at(agent.agent_id());  // UpdateState made it.
  const absl::Time rank = StoredTime(SelfReportTime(batch, received));
  if (state.self_report_time.has_value() && *state.self_report_time > rank) {
    return;
  }
  state.self_report_time = rank;
  if (!batch.agent().version().empty()) {
    state.version = SanitizeText(batch.agent().version());
  }
  if (batch.has_counters()) state.counters = batch.counters();
}

void MemoryStore::MarkDirty(const std::string& site, absl::Time since) {
  dirty_.try_emplace(site, since);
}

const MemoryStore::LatestState* MemoryStore::FindState(
    const AgentIdentity& identity) const {
  const auto state = states_.find(identity.agent_id());
  if (state == states_.end() || state->second.site != identity.site()) {
    return nullptr;
  }
  return &state->second;
}

AgentState MemoryStore::StateOf(const AgentRow& agent) const {
  AgentState state;
  *state.mutable_identity() = agent.identity;
  state.set_batch_conflicts(agent.batch_conflicts);
  state.set_intake(agent.intake);
  natscope::v1::AgentHealth* health = state.mutable_health();
  health->set_version(agent.identity.version());
  if (agent.probe_requested.has_value()) {
    SetStoredTime(*agent.probe_requested, state.mutable_probe_requested_at());
  }
  const LatestState* latest = FindState(agent.identity);
  if (latest == nullptr) return state;
  if (latest->version.has_value()) health->set_version(*latest->version);
  if (latest->counters.has_value()) *health->mutable_counters() = *latest->counters;
  if (latest->nat_type.has_value()) {
    state.set_log_nat_type(*latest->nat_type);
    SetStoredTime(latest->nat_time, state.mutable_log_nat_type_time());
  }
  if (latest->clock_skew_ms.has_value()) {
    state.set_clock_skew_seconds(*latest->clock_skew_ms / 1000);
  }
  SetStoredTime(latest->last_seen, state.mutable_last_seen());
  *health->mutable_last_batch_time() = state.last_seen();
  if (latest->probe.has_value()) {
    *state.mutable_latest_probe() = *latest->probe;
  }
  return state;
}

absl::StatusOr<std::vector<AgentState>> MemoryStore::ListAgents(
    absl::string_view site, absl::string_view after_agent_id, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ListAgents limit must be at least 1, not ", limit));
  }
  absl::MutexLock lock(&mu_);
  std::vector<AgentState> agents;
  for (auto agent = agents_.upper_bound(std::string(after_agent_id));
       agent != agents_.end() && agents.size() < static_cast<size_t>(limit);
       ++agent) {
    if (!site.empty() && agent->second.identity.site() != site) continue;
    agents.push_back(StateOf(agent->second));
  }
  return agents;
}

int64_t MemoryStore::CountRecordsForTest(const std::string& agent_id) {
  absl::MutexLock lock(&mu_);
  const auto history = history_.find(agent_id);
  const auto agent = agents_.find(agent_id);
  if (history == history_.end() || agent == agents_.end()) return 0;
  // The agent's current site only, as the PostgreSQL count reads it.
  const std::string& site = agent->second.identity.site();
  int64_t count = 0;
  for (const auto& row : history->second.logs) count += row.site == site;
  for (const auto& row : history->second.probes) count += row.site == site;
  return count;
}

absl::StatusOr<std::vector<ProbeReport>> MemoryStore::ProbeHistory(
    absl::string_view agent_id, int limit) {
  if (limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("ProbeHistory limit must not be negative, not ", limit));
  }
  absl::MutexLock lock(&mu_);
  std::vector<const ProbeRow*> rows;
  const auto history = history_.find(std::string(agent_id));
  const auto agent = agents_.find(std::string(agent_id));
  if (history != history_.end() && agent != agents_.end()) {
    for (const ProbeRow& row : history->second.probes) {
      if (row.site == agent->second.identity.site()) rows.push_back(&row);
    }
  }
  // Newest probe first, ties to the later arrival.
  std::sort(rows.begin(), rows.end(), [](const ProbeRow* a, const ProbeRow* b) {
    return std::tie(b->probe_time, b->id) < std::tie(a->probe_time, a->id);
  });
  if (rows.size() > static_cast<size_t>(limit)) rows.resize(limit);
  std::vector<ProbeReport> reports;
  reports.reserve(rows.size());
  for (const ProbeRow* row : rows) reports.push_back(row->report);
  return reports;
}

}  // namespace natscope::server
