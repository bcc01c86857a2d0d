#include "server/store/pg_ingest.h"

#include <algorithm>
#include <string>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/utf8.h"
#include "server/store/ingest_rules.h"
#include "server/store/pg_encoding.h"
#include "server/store/pg_values.h"

namespace natscope::server {
namespace {

using natscope::v1::IngestRequest;
using natscope::v1::LogEvent;
using natscope::v1::ProbeReport;

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

bool HasRecord(const StoredBatch* stored, bool probe) {
  const auto& records = stored->batch->records();
  return std::any_of(records.begin(), records.end(),
                     [probe](const natscope::v1::Record& r) {
                       return probe ? r.has_probe() : r.has_log();
                     });
}

// COPY's text format, written without libpqxx's per-field conversions:
// rows go out in chunks of about 256 KiB. (libpqxx 6.4's stream_to keeps
// its raw line writer private; tablewriter, deprecated for stream_to's
// sake, has a public one. Its warning about multibyte encodings concerns
// those where a backslash byte can end a character; the databases here
// are UTF-8, where it cannot.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
class CopyWriter {
 public:
  CopyWriter(pqxx::transaction_base& tx, const char* table,
             const std::vector<std::string>& columns)
      : copy_(tx, table, columns.begin(), columns.end()) {
    buffer_.reserve(kChunk + 4096);
  }

  // Starts the next row.
  void Row() {
    if (buffer_.size() >= kChunk) Flush();
    if (!buffer_.empty()) buffer_.push_back('\n');
    first_ = true;
  }
  // A field that needs no escaping (numbers, timestamps, hex).
  void Plain(absl::string_view text) {
    Separate();
    buffer_.append(text.data(), text.size());
  }
  // Any text: the format's delimiter, line breaks and backslash escaped.
  void Text(absl::string_view text) {
    Separate();
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const char* escaped = nullptr;
      switch (text[i]) {
        case '\\': escaped = "\\\\"; break;
        case '\t': escaped = "\\t"; break;
        case '\n': escaped = "\\n"; break;
        case '\r': escaped = "\\r"; break;
        default: continue;
      }
      buffer_.append(text.data() + start, i - start);
      buffer_.append(escaped);
      start = i + 1;
    }
    buffer_.append(text.data() + start, text.size() - start);
  }
  // Text from outside: made valid for a UTF-8 database first (pg_encoding.h
  // SanitizeText), copied only when it has to change.
  void Outside(absl::string_view text) {
    if (IsCleanUtf8(text)) {
      Text(text);
    } else {
      Text(SanitizeText(text));
    }
  }
  void Complete() {
    Flush();
    copy_.complete();
  }

 private:
  static constexpr size_t kChunk = 256 * 1024;
  void Separate() {
    if (!first_) buffer_.push_back('\t');
    first_ = false;
  }
  // write_raw_line ends the chunk's last row.
  void Flush() {
    if (buffer_.empty()) return;
    copy_.write_raw_line(buffer_);
    buffer_.clear();
  }

  pqxx::tablewriter copy_;
  std::string buffer_;
  bool first_ = true;
};
#pragma GCC diagnostic pop

// COPY: one round trip per table, whatever the number of batches.
void CopyLogEvents(pqxx::transaction_base& tx,
                   absl::Span<const StoredBatch* const> batches) {
  if (std::none_of(batches.begin(), batches.end(),
                   [](const StoredBatch* b) { return HasRecord(b, false); })) {
    return;
  }
  CopyWriter copy(tx, "log_events", LogColumns());
  for (const StoredBatch* b : batches) {
    for (const natscope::v1::Record& record : b->batch->records()) {
      if (!record.has_log()) continue;
      const LogEvent& event = record.log();
      const absl::Time time =
          analyzer::RecordTime(event.time(), event.has_time(), b->received);
      copy.Row();
      copy.Text(b->agent->site());
      copy.Text(b->agent->agent_id());
      copy.Plain(b->epoch);
      copy.Plain(b->sequence);
      copy.Plain(TimestampText(time));
      copy.Outside(event.source_file());
      copy.Plain(std::to_string(static_cast<int>(event.severity())));
      copy.Outside(event.component());
      copy.Outside(event.kind());
      copy.Text(JsonObject(event.fields()));
      copy.Outside(event.raw_line());
      copy.Plain(b->received_text);
    }
  }
  copy.Complete();
}

void CopyProbeReports(pqxx::transaction_base& tx,
                      absl::Span<const StoredBatch* const> batches) {
  if (std::none_of(batches.begin(), batches.end(),
                   [](const StoredBatch* b) { return HasRecord(b, true); })) {
    return;
  }
  CopyWriter copy(tx, "probe_reports", ProbeColumns());
  for (const StoredBatch* b : batches) {
    for (const natscope::v1::Record& record : b->batch->records()) {
      if (!record.has_probe()) continue;
      const ProbeReport& report = record.probe();
      const absl::Time time =
          analyzer::RecordTime(report.time(), report.has_time(), b->received);
      copy.Row();
      copy.Text(b->agent->site());
      copy.Text(b->agent->agent_id());
      copy.Plain(b->epoch);
      copy.Plain(b->sequence);
      copy.Plain(TimestampText(time));
      copy.Plain(std::to_string(static_cast<int>(report.mapping_behavior())));
      copy.Plain(
          std::to_string(static_cast<int>(report.filtering_behavior())));
      copy.Plain(report.udp_reachable() ? "t" : "f");
      copy.Outside(report.public_address());
      // bytea's hex form, its backslash escaped for COPY.
      copy.Text(ByteaText(report.SerializeAsString()));
      copy.Plain(b->received_text);
    }
  }
  copy.Complete();
}

// The newest value of a kind in the batch replaces the stored one unless
// the stored one is ranked later. `time` is NULL in the row when the batch
// has none; `columns` move together with their time column.
std::string NewestSet(const std::string& time,
                      const std::vector<std::string>& columns) {
  const std::string newer = absl::StrCat(
      "EXCLUDED.", time, " IS NOT NULL AND (s.", time, " IS NULL OR s.", time,
      " <= EXCLUDED.", time, ")");
  std::string set;
  for (const std::string& column : columns) {
    absl::StrAppend(&set, ", ", column, " = CASE WHEN ", newer, " THEN EXCLUDED.",
                    column, " ELSE s.", column, " END");
  }
  return set;
}

const std::string& AgentStateUpsert() {
  static const std::string* sql = new std::string(absl::StrCat(
      " ON CONFLICT (site, agent_id) DO UPDATE SET "
      "last_seen = GREATEST(s.last_seen, EXCLUDED.last_seen), "
      "clock_skew_ms = COALESCE(EXCLUDED.clock_skew_ms, s.clock_skew_ms)",
      NewestSet("stun_nat_type_time", {"stun_nat_type", "stun_nat_type_time"}),
      NewestSet("sdwan_state_time", {"sdwan_state", "sdwan_state_time"}),
      NewestSet("probe_time", {"mapping", "filtering", "udp_reachable",
                               "public_address", "probe_report", "probe_time"}),
      // The version and the counters only when the batch reports them.
      ", agent_version = CASE WHEN EXCLUDED.self_report_time IS NOT NULL AND "
      "(s.self_report_time IS NULL OR s.self_report_time <= "
      "EXCLUDED.self_report_time) THEN COALESCE(EXCLUDED.agent_version, "
      "s.agent_version) ELSE s.agent_version END, "
      "counters = CASE WHEN EXCLUDED.self_report_time IS NOT NULL AND "
      "(s.self_report_time IS NULL OR s.self_report_time <= "
      "EXCLUDED.self_report_time) THEN COALESCE(EXCLUDED.counters, "
      "s.counters) ELSE s.counters END",
      NewestSet("self_report_time", {"self_report_time"})));
  return *sql;
}

// One row of the agent_state upsert; see UpsertAgentStates. A kind the
// batch does not report is NULL, its time too.
void AgentStateRow(const StoredBatch& b, bool self_report, ParamRows* rows) {
  const IngestRequest& batch = *b.batch;
  const analyzer::BatchSummary& summary = b.summary;
  rows->Row();
  rows->Add(b.agent->site());
  rows->Add(b.agent->agent_id());
  rows->Add(b.received_text, "timestamptz");
  // The skew of the newest batch to arrive; NULL when it carries no send
  // time (an older agent) keeps the last one known.
  rows->AddIf(batch.has_sent(),
              std::to_string(ClockSkewMillis(batch, b.received)), "bigint");
  const analyzer::Newest& nat = summary.nat_type;
  rows->AddIf(nat.found(),
              nat.found() ? SanitizeText(batch.records(nat.index)
                                             .log()
                                             .fields()
                                             .at("nat_type"))
                          : "",
              "text");
  rows->AddIf(nat.found(), TimestampText(nat.rank), "timestamptz");
  const analyzer::Newest& sdwan = summary.sdwan_state;
  std::string state;
  if (sdwan.found()) {
    const LogEvent& event = batch.records(sdwan.index).log();
    const auto it = event.fields().find("state");
    state = SanitizeText(it == event.fields().end() ? "" : it->second);
  }
  rows->AddIf(sdwan.found(), std::move(state), "text");
  rows->AddIf(sdwan.found(), TimestampText(sdwan.rank), "timestamptz");
  const analyzer::Newest& newest = summary.probe;
  const ProbeReport* probe =
      newest.found() ? &batch.records(newest.index).probe() : nullptr;
  const bool p = probe != nullptr;
  rows->AddIf(p, p ? std::to_string(probe->mapping_behavior()) : "",
              "smallint");
  rows->AddIf(p, p ? std::to_string(probe->filtering_behavior()) : "",
              "smallint");
  rows->AddIf(p, p && probe->udp_reachable() ? "t" : "f", "boolean");
  rows->AddIf(p, p ? SanitizeText(probe->public_address()) : "", "text");
  rows->AddIf(p, p ? ByteaText(probe->SerializeAsString()) : "", "bytea");
  rows->AddIf(p, TimestampText(newest.rank), "timestamptz");
  const bool reports = self_report && HasSelfReport(batch);
  // An empty version keeps the one known.
  rows->AddIf(reports && !batch.agent().version().empty(),
              SanitizeText(batch.agent().version()), "text");
  rows->AddIf(reports && batch.has_counters(),
              reports ? ByteaText(batch.counters().SerializeAsString()) : "",
              "bytea");
  rows->AddIf(reports, TimestampText(SelfReportTime(batch, b.received)),
              "timestamptz");
}

}  // namespace

StoredBatch::StoredBatch(const natscope::v1::AgentIdentity& agent,
                         const natscope::v1::IngestRequest& batch,
                         absl::Time received, bool ledgered)
    : agent(&agent),
      batch(&batch),
      received(received),
      received_text(TimestampText(received)),
      epoch(ledgered ? std::to_string(batch.epoch()) : "0"),
      sequence(ledgered ? std::to_string(batch.sequence()) : "0"),
      summary(analyzer::SummarizeBatch(batch, received)) {}

void CopyRecords(pqxx::transaction_base& tx,
                 absl::Span<const StoredBatch* const> batches) {
  CopyLogEvents(tx, batches);
  CopyProbeReports(tx, batches);
}

void UpsertAgentStates(pqxx::transaction_base& tx,
                       absl::Span<const StoredBatch* const> batches,
                       bool self_report) {
  if (batches.empty()) return;
  ParamRows rows;
  for (const StoredBatch* b : batches) AgentStateRow(*b, self_report, &rows);
  tx.exec_params(
      absl::StrCat(
          "INSERT INTO agent_state AS s (site, agent_id, last_seen, "
          "clock_skew_ms, stun_nat_type, stun_nat_type_time, sdwan_state, "
          "sdwan_state_time, mapping, filtering, udp_reachable, "
          "public_address, probe_report, probe_time, agent_version, counters, "
          "self_report_time) VALUES ",
          rows.sql(), AgentStateUpsert()),
      pqxx::prepare::make_dynamic_params(rows.params()));
}

namespace {

void UpsertActivityRows(pqxx::transaction_base& tx, const ParamRows& rows) {
  if (rows.empty()) return;
  tx.exec_params(
      absl::StrCat(
          "INSERT INTO agent_activity AS a (site, agent_id, hour, direct, "
          "relayed, relay_unavailable, relay_listener_errors, last_tunnel) "
          "VALUES ",
          rows.sql(),
          " ON CONFLICT (site, agent_id, hour) DO UPDATE "
          "SET direct = a.direct + EXCLUDED.direct, "
          "relayed = a.relayed + EXCLUDED.relayed, "
          "relay_unavailable = a.relay_unavailable + "
          "EXCLUDED.relay_unavailable, "
          "relay_listener_errors = a.relay_listener_errors + "
          "EXCLUDED.relay_listener_errors, "
          "last_tunnel = GREATEST(a.last_tunnel, EXCLUDED.last_tunnel)"),
      pqxx::prepare::make_dynamic_params(rows.params()));
}

}  // namespace

void AddActivity(pqxx::transaction_base& tx,
                 absl::Span<const StoredBatch* const> batches) {
  // Hours come from the records' own times: a batch may span thousands.
  // 8 parameters a row, and a statement takes at most 65,535.
  constexpr int kRowsAStatement = 4096;
  ParamRows rows;
  int in_rows = 0;
  for (const StoredBatch* b : batches) {
    for (const auto& [hour, counts] : b->summary.hours) {
      if (in_rows == kRowsAStatement) {
        UpsertActivityRows(tx, rows);
        rows = ParamRows();
        in_rows = 0;
      }
      ++in_rows;
      rows.Row();
      rows.Add(b->agent->site());
      rows.Add(b->agent->agent_id());
      rows.Add(TimestampText(hour), "timestamptz");
      rows.Add(std::to_string(counts.direct), "integer");
      rows.Add(std::to_string(counts.relayed), "integer");
      rows.Add(std::to_string(counts.relay_unavailable), "integer");
      rows.Add(std::to_string(counts.relay_listener_errors), "integer");
      rows.AddIf(counts.last_tunnel != absl::InfinitePast(),
                 TimestampText(counts.last_tunnel), "timestamptz");
    }
  }
  UpsertActivityRows(tx, rows);
}

void StoreIntakeRecords(pqxx::transaction_base& tx,
                        const natscope::v1::AgentIdentity& agent,
                        const IngestRequest& batch, absl::Time received) {
  const StoredBatch stored(agent, batch, received, /*ledgered=*/false);
  const StoredBatch* one[] = {&stored};
  CopyRecords(tx, one);
  UpsertAgentStates(tx, one, /*self_report=*/false);
  AddActivity(tx, one);
}

void MarkBatchSites(pqxx::transaction_base& tx,
                    std::vector<std::string> sites) {
  std::sort(sites.begin(), sites.end());
  sites.erase(std::unique(sites.begin(), sites.end()), sites.end());
  if (sites.empty()) return;
  ParamRows rows;
  for (std::string& site : sites) {
    rows.Row();
    rows.Add(std::move(site));
    rows.AddSql("now()");
  }
  tx.exec_params(absl::StrCat("INSERT INTO site_dirty (site, since) VALUES ",
                              rows.sql(), " ON CONFLICT DO NOTHING"),
                 pqxx::prepare::make_dynamic_params(rows.params()));
}

}  // namespace natscope::server
