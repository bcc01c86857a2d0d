// IngestGroup (pg_ingest.h): a group of concurrent Ingest calls in one
// transaction, in a fixed number of round trips whatever the group's size:
// the registration check, the ledger insert, one COPY per table, the
// agent_state and activity upserts. Per call only what is rare: a
// duplicate's digest comparison, a probe request's answer.
#include <algorithm>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "server/store/fact_store.h"
#include "server/store/ingest_rules.h"
#include "server/store/pg_encoding.h"
#include "server/store/pg_ingest.h"
#include "server/store/pg_values.h"

namespace natscope::server {
namespace {

using natscope::v1::IngestRequest;

struct Registration {
  std::string site;
  std::optional<absl::Time> probe_requested;
};

// agent_id -> its site and pending probe request, for the group's agents.
absl::flat_hash_map<std::string, Registration> ReadRegistrations(
    pqxx::transaction_base& tx, absl::Span<IngestCall* const> calls) {
  ParamRows ids;
  for (const IngestCall* call : calls) {
    ids.Row();
    ids.Add(call->agent->agent_id());
  }
  const pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT agent_id, site, ", UnixMicrosSql("probe_requested_at"),
                   " FROM agents WHERE agent_id IN (SELECT id FROM (VALUES ",
                   ids.sql(), ") AS v (id))"),
      pqxx::prepare::make_dynamic_params(ids.params()));
  absl::flat_hash_map<std::string, Registration> registered;
  for (const pqxx::row& row : rows) {
    Registration& r = registered[row[0].as<std::string>()];
    r.site = row[1].as<std::string>();
    if (!row[2].is_null()) {
      r.probe_requested = absl::FromUnixMicros(row[2].as<int64_t>());
    }
  }
  return registered;
}

// Inserts the ledger rows of `batches`; returns the agent ids whose row
// is new (calls are of distinct agents).
absl::flat_hash_set<std::string> InsertLedger(
    pqxx::transaction_base& tx,
    absl::Span<const StoredBatch* const> batches) {
  ParamRows rows;
  for (const StoredBatch* b : batches) {
    rows.Row();
    rows.Add(b->agent->site());
    rows.Add(b->agent->agent_id());
    rows.Add(b->epoch);  // numeric(20): epochs are uint64.
    rows.Add(b->sequence);
    rows.Add(std::to_string(b->summary.records), "integer");
    rows.Add(b->received_text, "timestamptz");
    rows.Add(ByteaText(BatchDigest(*b->batch)), "bytea");
  }
  const pqxx::result inserted = tx.exec_params(
      absl::StrCat("INSERT INTO ingest_ledger (site, agent_id, epoch, "
                   "sequence, records, received_at, digest) VALUES ",
                   rows.sql(), " ON CONFLICT DO NOTHING RETURNING agent_id"),
      pqxx::prepare::make_dynamic_params(rows.params()));
  absl::flat_hash_set<std::string> fresh;
  for (const pqxx::row& row : inserted) fresh.insert(row[0].as<std::string>());
  return fresh;
}

// True when the ledger row of the batch has a digest other than its own
// (rows from before schema 5 have none).
bool LedgerDigestDiffers(pqxx::transaction_base& tx, const StoredBatch& b) {
  const pqxx::result rows = tx.exec_params(
      "SELECT digest FROM ingest_ledger WHERE site = $1 AND agent_id = $2 "
      "AND epoch = $3 AND sequence = $4",
      b.agent->site(), b.agent->agent_id(), b.epoch, b.sequence);
  if (rows.empty() || rows[0][0].is_null()) return false;
  return pqxx::binarystring(rows[0][0]).str() != BatchDigest(*b.batch);
}

// A batch the ledger already holds: a duplicate, or a conflict (counted on
// the agent after the commit).
absl::StatusOr<IngestResult> Redelivered(pqxx::transaction_base& tx,
                                         const StoredBatch& b,
                                         GroupFollowUp* follow_up) {
  if (!LedgerDigestDiffers(tx, b)) return IngestResult{0, true, std::nullopt};
  follow_up->conflicted_agents.push_back(b.agent->agent_id());
  return BatchConflictError(*b.batch);
}

// Ends the agent's probe request `*requested` (after the commit) when the
// batch's newest probe report answers it.
void AnswerProbeRequest(const StoredBatch& b,
                        std::optional<absl::Time>* requested,
                        GroupFollowUp* follow_up) {
  const analyzer::Newest& probe = b.summary.probe;
  if (!requested->has_value() || !probe.found() ||
      !AnswersProbeRequest(*b.batch, b.batch->records(probe.index).probe(),
                           b.received, **requested)) {
    return;
  }
  follow_up->answered_requests.emplace_back(b.agent->agent_id(),
                                            TimestampText(**requested));
  requested->reset();
}

// The one row order of every statement of a group.
bool SiteAgentLess(const natscope::v1::AgentIdentity& a,
                   const natscope::v1::AgentIdentity& b) {
  return std::tie(a.site(), a.agent_id()) < std::tie(b.site(), b.agent_id());
}

}  // namespace

void IngestGroup(pqxx::transaction_base& tx,
                 absl::Span<IngestCall* const> unordered,
                 GroupFollowUp* follow_up) {
  // One lock order for every group: concurrent groups never deadlock.
  std::vector<IngestCall*> calls(unordered.begin(), unordered.end());
  std::sort(calls.begin(), calls.end(),
            [](const IngestCall* a, const IngestCall* b) {
              return SiteAgentLess(*a->agent, *b->agent);
            });
  const absl::flat_hash_map<std::string, Registration> registered =
      ReadRegistrations(tx, calls);
  std::vector<std::unique_ptr<StoredBatch>> owned;
  std::vector<const StoredBatch*> check_ins, batches;
  std::vector<IngestCall*> batch_calls;
  for (IngestCall* call : calls) {
    const auto it = registered.find(call->agent->agent_id());
    if (it == registered.end() || it->second.site != call->agent->site()) {
      call->result = absl::NotFoundError(absl::StrCat(
          "agent ", call->agent->agent_id(), " of site ", call->agent->site(),
          " is not registered: enroll it"));
      continue;
    }
    IngestResult pending;
    pending.probe_requested = it->second.probe_requested;
    call->result = pending;
    owned.push_back(std::make_unique<StoredBatch>(
        *call->agent, *call->batch, call->received, /*ledgered=*/true));
    // A check-in: the agent's last contact only, and no mark (of what a
    // site's summary shows it changes only the agent's health and whether
    // it is forgotten, which the periodic sweep catches).
    if (call->batch->records().empty()) {
      check_ins.push_back(owned.back().get());
      continue;
    }
    batches.push_back(owned.back().get());
    batch_calls.push_back(call);
    // A duplicate marks too: its first delivery may have committed and
    // then lost its mark with the connection.
    follow_up->sites.push_back(call->agent->site());
  }
  const absl::flat_hash_set<std::string> fresh =
      batches.empty() ? absl::flat_hash_set<std::string>()
                      : InsertLedger(tx, batches);
  std::vector<const StoredBatch*> stored = check_ins;
  std::vector<const StoredBatch*> fresh_batches;
  for (size_t i = 0; i < batches.size(); ++i) {
    if (fresh.contains(batches[i]->agent->agent_id())) {
      fresh_batches.push_back(batches[i]);
      continue;
    }
    absl::StatusOr<IngestResult> again =
        Redelivered(tx, *batches[i], follow_up);
    if (again.ok()) again->probe_requested = batch_calls[i]->result->probe_requested;
    batch_calls[i]->result = std::move(again);
  }
  CopyRecords(tx, fresh_batches);
  stored.insert(stored.end(), fresh_batches.begin(), fresh_batches.end());
  std::sort(stored.begin(), stored.end(),
            [](const StoredBatch* a, const StoredBatch* b) {
              return SiteAgentLess(*a->agent, *b->agent);
            });
  UpsertAgentStates(tx, stored, /*self_report=*/true);
  AddActivity(tx, fresh_batches);
  for (size_t i = 0; i < batches.size(); ++i) {
    if (!fresh.contains(batches[i]->agent->agent_id())) continue;
    IngestResult& result = *batch_calls[i]->result;
    result.records_committed = batches[i]->summary.records;
    AnswerProbeRequest(*batches[i], &result.probe_requested, follow_up);
  }
}

void FollowUpGroup(pqxx::transaction_base& tx,
                   const GroupFollowUp& follow_up) {
  MarkBatchSites(tx, follow_up.sites);
  for (const std::string& agent_id : follow_up.conflicted_agents) {
    tx.exec_params(
        "UPDATE agents SET batch_conflicts = batch_conflicts + 1 "
        "WHERE agent_id = $1",
        agent_id);
  }
  // A newer request made meanwhile stays.
  for (const auto& [agent_id, requested] : follow_up.answered_requests) {
    tx.exec_params(
        "UPDATE agents SET probe_requested_at = NULL WHERE agent_id = $1 AND "
        "probe_requested_at <= $2::timestamptz",
        agent_id, requested);
  }
}

}  // namespace natscope::server
