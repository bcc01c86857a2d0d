#include "server/store/pg_ingest.h"

#include <pqxx/pqxx>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/store/pg_encoding.h"

namespace natscope::server {
namespace {

using natscope::v1::IngestRequest;
using natscope::v1::LogEvent;
using natscope::v1::ProbeReport;

// Rows per INSERT statement: large enough to amortise round trips, small
// enough to keep statements modest.
constexpr size_t kRowsPerInsert = 500;

// The newest record of one kind seen so far in the batch.
struct Latest {
  int index = -1;
  absl::Time time;
  // Later records win ties: they arrived later.
  void Offer(int i, absl::Time t) {
    if (index < 0 || t >= time) {
      index = i;
      time = t;
    }
  }
};

void InsertRows(pqxx::transaction_base& tx, absl::string_view insert_prefix,
                const std::vector<std::string>& rows) {
  for (size_t start = 0; start < rows.size(); start += kRowsPerInsert) {
    const size_t end = std::min(rows.size(), start + kRowsPerInsert);
    tx.exec(absl::StrCat(
        insert_prefix,
        absl::StrJoin(rows.begin() + start, rows.begin() + end, ",\n")));
  }
}

std::string LogRow(pqxx::transaction_base& tx, absl::string_view batch_key,
                   const LogEvent& event, absl::Time time,
                   absl::string_view received) {
  return absl::StrCat(
      "(", batch_key, tx.quote(TimestampText(time)), "::timestamptz, ",
      tx.quote(SanitizeText(event.source_file())), ", ",
      static_cast<int>(event.severity()), ", ",
      tx.quote(SanitizeText(event.component())), ", ",
      tx.quote(SanitizeText(event.kind())), ", ",
      tx.quote(JsonObject(event.fields())), "::jsonb, ",
      tx.quote(SanitizeText(event.raw_line())), ", ", received, ")");
}

std::string ProbeRow(pqxx::transaction_base& tx, absl::string_view batch_key,
                     const ProbeReport& probe, absl::Time time,
                     absl::string_view received) {
  return absl::StrCat(
      "(", batch_key, tx.quote(TimestampText(time)), "::timestamptz, ",
      static_cast<int>(probe.mapping_behavior()), ", ",
      static_cast<int>(probe.filtering_behavior()), ", ",
      probe.udp_reachable() ? "true" : "false", ", ",
      tx.quote(SanitizeText(probe.public_address())), ", ",
      tx.quote_raw(probe.SerializeAsString()), ", ", received, ")");
}

void UpdateAgentState(pqxx::transaction_base& tx, const std::string& agent_id,
                      const IngestRequest& batch, const Latest& nat,
                      const Latest& probe, absl::Time received) {
  tx.exec_params(
      "INSERT INTO agent_state (agent_id, last_seen) VALUES ($1, $2) "
      "ON CONFLICT (agent_id) DO UPDATE "
      "SET last_seen = GREATEST(agent_state.last_seen, EXCLUDED.last_seen)",
      agent_id, TimestampText(received));
  if (nat.index >= 0) {
    const LogEvent& event = batch.records(nat.index).log();
    tx.exec_params(
        "UPDATE agent_state SET stun_nat_type = $2, "
        "stun_nat_type_time = $3::timestamptz WHERE agent_id = $1 AND "
        "(stun_nat_type_time IS NULL OR stun_nat_type_time <= "
        "$3::timestamptz)",
        agent_id, SanitizeText(event.fields().at("nat_type")),
        TimestampText(nat.time));
  }
  if (probe.index >= 0) {
    const ProbeReport& report = batch.records(probe.index).probe();
    tx.exec_params(
        "UPDATE agent_state SET probe_time = $2::timestamptz, mapping = $3, "
        "filtering = $4, udp_reachable = $5, public_address = $6, "
        "probe_report = $7 WHERE agent_id = $1 AND "
        "(probe_time IS NULL OR probe_time <= $2::timestamptz)",
        agent_id, TimestampText(probe.time),
        static_cast<int>(report.mapping_behavior()),
        static_cast<int>(report.filtering_behavior()), report.udp_reachable(),
        SanitizeText(report.public_address()),
        pqxx::binarystring(report.SerializeAsString()));
  }
}

}  // namespace

IngestResult IngestBatch(pqxx::transaction_base& tx,
                         const std::string& agent_id,
                         const IngestRequest& batch, absl::Time received) {
  const std::string epoch = std::to_string(batch.epoch());
  const std::string sequence = std::to_string(batch.sequence());
  const std::string batch_key =
      absl::StrCat(tx.quote(agent_id), ", ", epoch, ", ", sequence, ", ");
  const std::string received_sql =
      absl::StrCat(tx.quote(TimestampText(received)), "::timestamptz");

  uint32_t records = 0;
  for (const natscope::v1::Record& record : batch.records()) {
    if (record.has_log() || record.has_probe()) ++records;
  }
  const pqxx::result ledger = tx.exec_params(
      "INSERT INTO ingest_ledger (agent_id, epoch, sequence, records, "
      "received_at) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT DO NOTHING RETURNING 1",
      agent_id, epoch, sequence, records, TimestampText(received));
  if (ledger.empty()) return IngestResult{0, true};

  std::vector<std::string> log_rows, probe_rows;
  Latest nat, probe;
  for (int i = 0; i < batch.records_size(); ++i) {
    const natscope::v1::Record& record = batch.records(i);
    if (record.has_log()) {
      const LogEvent& event = record.log();
      const absl::Time time =
          TimeFromProto(event.time(), event.has_time(), received);
      log_rows.push_back(LogRow(tx, batch_key, event, time, received_sql));
      if (event.kind() == "stun_nat_type" &&
          event.fields().contains("nat_type")) {
        nat.Offer(i, time);
      }
    } else if (record.has_probe()) {
      const ProbeReport& report = record.probe();
      const absl::Time time =
          TimeFromProto(report.time(), report.has_time(), received);
      probe_rows.push_back(ProbeRow(tx, batch_key, report, time, received_sql));
      probe.Offer(i, time);
    }
  }
  InsertRows(tx,
             "INSERT INTO log_events (agent_id, epoch, sequence, event_time, "
             "source_file, severity, component, kind, fields, raw_line, "
             "received_at) VALUES\n",
             log_rows);
  InsertRows(tx,
             "INSERT INTO probe_reports (agent_id, epoch, sequence, "
             "probe_time, mapping, filtering, udp_reachable, public_address, "
             "report, received_at) VALUES\n",
             probe_rows);
  UpdateAgentState(tx, agent_id, batch, nat, probe, received);
  return IngestResult{records, false};
}

}  // namespace natscope::server
