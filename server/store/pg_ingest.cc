#include "server/store/pg_ingest.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <pqxx/pqxx>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/batch_summary.h"
#include "server/store/ingest_rules.h"
#include "server/store/pg_encoding.h"

namespace natscope::server {
namespace {

using natscope::v1::IngestRequest;
using natscope::v1::LogEvent;
using natscope::v1::ProbeReport;

// bytea in its text input form ("\x0a1b..."), as COPY's text format wants
// it before its own escaping (which pqxx::stream_to applies).
std::string ByteaText(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

const std::vector<std::string>& LogColumns() {
  static const auto* columns = new std::vector<std::string>{
      "site", "agent_id", "epoch", "sequence", "event_time", "source_file",
      "severity", "component", "kind", "fields", "raw_line", "received_at"};
  return *columns;
}

const std::vector<std::string>& ProbeColumns() {
  static const auto* columns = new std::vector<std::string>{
      "site", "agent_id", "epoch", "sequence", "probe_time", "mapping",
      "filtering", "udp_reachable", "public_address", "report",
      "received_at"};
  return *columns;
}

void AddActivity(pqxx::transaction_base& tx, const std::string& site,
                 const std::string& agent_id,
                 const std::map<absl::Time, analyzer::TunnelHour>& hours) {
  for (const auto& [hour, counts] : hours) {
    // Only this agent's row: no contention with other agents.
    tx.exec_params(
        "INSERT INTO agent_activity (site, agent_id, hour, direct, relayed, "
        "relay_unavailable, relay_listener_errors, last_tunnel) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, NULLIF($8, '')::timestamptz) "
        "ON CONFLICT (site, agent_id, hour) DO UPDATE "
        "SET direct = agent_activity.direct + EXCLUDED.direct, "
        "relayed = agent_activity.relayed + EXCLUDED.relayed, "
        "relay_unavailable = agent_activity.relay_unavailable + "
        "EXCLUDED.relay_unavailable, "
        "relay_listener_errors = agent_activity.relay_listener_errors + "
        "EXCLUDED.relay_listener_errors, "
        "last_tunnel = GREATEST(agent_activity.last_tunnel, EXCLUDED.last_tunnel)",
        site, agent_id, TimestampText(hour), counts.direct,
        counts.relayed, counts.relay_unavailable, counts.relay_listener_errors,
        counts.last_tunnel == absl::InfinitePast() ? std::string()
                                                   : TimestampText(counts.last_tunnel));
  }
}

// True when the ledger row of (site, agent_id, epoch, sequence) has a
// digest other than `digest` (rows from before schema 5 have none).
bool LedgerDigestDiffers(pqxx::transaction_base& tx, const std::string& site,
                         const std::string& agent_id, const std::string& epoch,
                         const std::string& sequence,
                         const std::string& digest) {
  const pqxx::result rows = tx.exec_params(
      "SELECT digest FROM ingest_ledger WHERE site = $1 AND agent_id = $2 "
      "AND epoch = $3 AND sequence = $4",
      site, agent_id, epoch, sequence);
  if (rows.empty() || rows[0][0].is_null()) return false;
  const pqxx::binarystring stored(rows[0][0]);
  return stored.str() != digest;
}

// The columns every row of one batch shares.
struct BatchKey {
  const std::string& site;
  const std::string& agent_id;
  const std::string& epoch;
  const std::string& sequence;
  const std::string& received;
};

// COPY: one round trip per table, whatever the batch size.
void CopyLogEvents(pqxx::transaction_base& tx, const BatchKey& key,
                   const IngestRequest& batch, absl::Time received) {
  if (std::none_of(batch.records().begin(), batch.records().end(),
                   [](const natscope::v1::Record& r) { return r.has_log(); })) {
    return;
  }
  pqxx::stream_to copy(tx, "log_events", LogColumns());
  for (const natscope::v1::Record& record : batch.records()) {
    if (!record.has_log()) continue;
    const LogEvent& event = record.log();
    const absl::Time time =
        analyzer::RecordTime(event.time(), event.has_time(), received);
    copy << std::make_tuple(
        key.site, key.agent_id, key.epoch, key.sequence, TimestampText(time),
        SanitizeText(event.source_file()), static_cast<int>(event.severity()),
        SanitizeText(event.component()), SanitizeText(event.kind()),
        JsonObject(event.fields()), SanitizeText(event.raw_line()),
        key.received);
  }
  copy.complete();
}

void CopyProbeReports(pqxx::transaction_base& tx, const BatchKey& key,
                      const IngestRequest& batch, absl::Time received) {
  if (std::none_of(batch.records().begin(), batch.records().end(),
                   [](const natscope::v1::Record& r) { return r.has_probe(); })) {
    return;
  }
  pqxx::stream_to copy(tx, "probe_reports", ProbeColumns());
  for (const natscope::v1::Record& record : batch.records()) {
    if (!record.has_probe()) continue;
    const ProbeReport& report = record.probe();
    const absl::Time time =
        analyzer::RecordTime(report.time(), report.has_time(), received);
    copy << std::make_tuple(
        key.site, key.agent_id, key.epoch, key.sequence, TimestampText(time),
        static_cast<int>(report.mapping_behavior()),
        static_cast<int>(report.filtering_behavior()),
        std::string(report.udp_reachable() ? "t" : "f"),
        SanitizeText(report.public_address()),
        ByteaText(report.SerializeAsString()), key.received);
  }
  copy.complete();
}

void UpdateAgentState(pqxx::transaction_base& tx, const std::string& site,
                      const std::string& agent_id, const IngestRequest& batch,
                      const analyzer::BatchSummary& summary,
                      absl::Time received) {
  const analyzer::Newest& nat = summary.nat_type;
  const analyzer::Newest& sdwan = summary.sdwan_state;
  const analyzer::Newest& probe = summary.probe;
  // The skew of the newest batch to arrive; NULL when it carries no send
  // time (an older agent) keeps the last one known.
  tx.exec_params(
      "INSERT INTO agent_state (site, agent_id, last_seen, clock_skew_ms) "
      "VALUES ($1, $2, $3, NULLIF($4, '')::bigint) "
      "ON CONFLICT (site, agent_id) DO UPDATE "
      "SET last_seen = GREATEST(agent_state.last_seen, EXCLUDED.last_seen), "
      "clock_skew_ms = COALESCE(EXCLUDED.clock_skew_ms, "
      "agent_state.clock_skew_ms)",
      site, agent_id, TimestampText(received),
      batch.has_sent() ? std::to_string(ClockSkewMillis(batch, received))
                       : std::string());
  if (nat.found()) {
    const LogEvent& event = batch.records(nat.index).log();
    tx.exec_params(
        "UPDATE agent_state SET stun_nat_type = $3, "
        "stun_nat_type_time = $4::timestamptz WHERE site = $1 AND "
        "agent_id = $2 AND (stun_nat_type_time IS NULL OR "
        "stun_nat_type_time <= $4::timestamptz)",
        site, agent_id, SanitizeText(event.fields().at("nat_type")),
        TimestampText(nat.rank));
  }
  if (sdwan.found()) {
    const LogEvent& event = batch.records(sdwan.index).log();
    const auto state = event.fields().find("state");
    tx.exec_params(
        "UPDATE agent_state SET sdwan_state = $3, "
        "sdwan_state_time = $4::timestamptz WHERE site = $1 AND "
        "agent_id = $2 AND (sdwan_state_time IS NULL OR "
        "sdwan_state_time <= $4::timestamptz)",
        site, agent_id,
        SanitizeText(state == event.fields().end() ? "" : state->second),
        TimestampText(sdwan.rank));
  }
  if (probe.found()) {
    const ProbeReport& report = batch.records(probe.index).probe();
    tx.exec_params(
        "UPDATE agent_state SET probe_time = $3::timestamptz, mapping = $4, "
        "filtering = $5, udp_reachable = $6, public_address = $7, "
        "probe_report = $8 WHERE site = $1 AND agent_id = $2 AND "
        "(probe_time IS NULL OR probe_time <= $3::timestamptz)",
        site, agent_id, TimestampText(probe.rank),
        static_cast<int>(report.mapping_behavior()),
        static_cast<int>(report.filtering_behavior()), report.udp_reachable(),
        SanitizeText(report.public_address()),
        pqxx::binarystring(report.SerializeAsString()));
  }
}

// What the batch says of the agent itself (ingest_rules.h), unless a
// batch ranked later said it first.
void UpdateSelfReport(pqxx::transaction_base& tx, const std::string& site,
                      const std::string& agent_id, const IngestRequest& batch,
                      absl::Time received) {
  if (!HasSelfReport(batch)) return;
  tx.exec_params(
      "UPDATE agent_state SET "
      "agent_version = COALESCE(NULLIF($3, ''), agent_version), "
      "counters = CASE WHEN $4::boolean THEN $5::bytea ELSE counters END, "
      "self_report_time = $6::timestamptz WHERE site = $1 AND agent_id = $2 "
      "AND (self_report_time IS NULL OR self_report_time <= $6::timestamptz)",
      site, agent_id, SanitizeText(batch.agent().version()),
      batch.has_counters(),
      pqxx::binarystring(batch.counters().SerializeAsString()),
      TimestampText(SelfReportTime(batch, received)));
}

// Clears the agent's probe request `*requested` when the batch's newest
// probe report answers it. A newer request made meanwhile stays.
void AnswerProbeRequest(pqxx::transaction_base& tx, const std::string& agent_id,
                        const IngestRequest& batch,
                        const analyzer::BatchSummary& summary,
                        absl::Time received,
                        std::optional<absl::Time>* requested) {
  if (!requested->has_value() || !summary.probe.found() ||
      !AnswersProbeRequest(batch, batch.records(summary.probe.index).probe(),
                           received, **requested)) {
    return;
  }
  tx.exec_params(
      "UPDATE agents SET probe_requested_at = NULL WHERE agent_id = $1 AND "
      "probe_requested_at <= $2::timestamptz",
      agent_id, TimestampText(**requested));
  requested->reset();
}

}  // namespace

void RecordCheckIn(pqxx::transaction_base& tx,
                   const natscope::v1::AgentIdentity& agent,
                   const IngestRequest& batch, absl::Time received) {
  UpdateAgentState(tx, agent.site(), agent.agent_id(), batch,
                   analyzer::BatchSummary(), received);
  UpdateSelfReport(tx, agent.site(), agent.agent_id(), batch, received);
}

IngestResult IngestBatch(pqxx::transaction_base& tx,
                         const natscope::v1::AgentIdentity& agent,
                         const IngestRequest& batch, absl::Time received,
                         std::optional<absl::Time>* probe_requested,
                         bool* conflict) {
  *conflict = false;
  const std::string& site = agent.site();
  const std::string& agent_id = agent.agent_id();
  const std::string epoch = std::to_string(batch.epoch());
  const std::string sequence = std::to_string(batch.sequence());
  const std::string received_text = TimestampText(received);

  const analyzer::BatchSummary summary = analyzer::SummarizeBatch(batch, received);
  const std::string digest = BatchDigest(batch);
  const pqxx::result ledger = tx.exec_params(
      "INSERT INTO ingest_ledger (site, agent_id, epoch, sequence, records, "
      "received_at, digest) VALUES ($1, $2, $3, $4, $5, $6, $7) "
      "ON CONFLICT DO NOTHING RETURNING 1",
      site, agent_id, epoch, sequence, summary.records, received_text,
      pqxx::binarystring(digest));
  if (ledger.empty()) {
    if (LedgerDigestDiffers(tx, site, agent_id, epoch, sequence, digest)) {
      *conflict = true;
      tx.exec_params(
          "UPDATE agents SET batch_conflicts = batch_conflicts + 1 "
          "WHERE agent_id = $1",
          agent_id);
    }
    return IngestResult{0, true, std::nullopt};
  }
  const BatchKey key{site, agent_id, epoch, sequence, received_text};
  CopyLogEvents(tx, key, batch, received);
  CopyProbeReports(tx, key, batch, received);
  UpdateAgentState(tx, site, agent_id, batch, summary, received);
  UpdateSelfReport(tx, site, agent_id, batch, received);
  AddActivity(tx, site, agent_id, summary.hours);
  AnswerProbeRequest(tx, agent_id, batch, summary, received, probe_requested);
  return IngestResult{summary.records, false, std::nullopt};
}

void StoreIntakeRecords(pqxx::transaction_base& tx,
                        const natscope::v1::AgentIdentity& agent,
                        const IngestRequest& batch, absl::Time received) {
  const std::string zero = "0";
  const std::string received_text = TimestampText(received);
  const analyzer::BatchSummary summary = analyzer::SummarizeBatch(batch, received);
  const BatchKey key{agent.site(), agent.agent_id(), zero, zero, received_text};
  CopyLogEvents(tx, key, batch, received);
  UpdateAgentState(tx, agent.site(), agent.agent_id(), batch, summary, received);
  AddActivity(tx, agent.site(), agent.agent_id(), summary.hours);
}

}  // namespace natscope::server
