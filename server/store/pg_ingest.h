// The SQL side of Store::Ingest and IngestIntake: set-based statements
// that store many batches at once (one COPY per table, one upsert of
// agent_state, one of agent_activity), so that a group of concurrent
// batches costs a few round trips (see ingest_grouper.h). Internal to
// //server/store.
#ifndef NATSCOPE_SERVER_STORE_PG_INGEST_H_
#define NATSCOPE_SERVER_STORE_PG_INGEST_H_

#include <pqxx/transaction_base>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "analyzer/batch_summary.h"
#include "natscope/v1/agent.pb.h"
#include "server/store/ingest_grouper.h"
#include "server/store/store.h"

namespace natscope::server {

// One batch to store, with what its statements share. The agent's rows
// are keyed (site, agent_id).
struct StoredBatch {
  StoredBatch(const natscope::v1::AgentIdentity& agent,
              const natscope::v1::IngestRequest& batch, absl::Time received,
              bool ledgered);

  const natscope::v1::AgentIdentity* agent;
  const natscope::v1::IngestRequest* batch;
  absl::Time received;
  std::string received_text;
  // "0" and "0" for intake batches (no ledger row).
  std::string epoch;
  std::string sequence;
  analyzer::BatchSummary summary;
};

// Within `tx`: the log records, then the probe reports, of `batches` (in
// their order), one COPY per table for all of them.
void CopyRecords(pqxx::transaction_base& tx,
                 absl::Span<const StoredBatch* const> batches);

// Within `tx`: one statement that brings each batch's agent_state up to
// date: last contact and clock skew (when the batch carries a send time),
// and the newest log-reported NAT type, sdwan_state and probe report
// unless a record ranked later is stored. With `self_report`, also the
// version and counters the batch reports of the agent (ingest_rules.h).
// At most one batch per agent (an upsert touches a row once); in
// (site, agent_id) order, so that concurrent groups lock rows in one order.
void UpsertAgentStates(pqxx::transaction_base& tx,
                       absl::Span<const StoredBatch* const> batches,
                       bool self_report);

// Within `tx`: adds each batch's tunnel and relay counts to its agent's
// hourly agent_activity rows (one statement). Same order rule.
void AddActivity(pqxx::transaction_base& tx,
                 absl::Span<const StoredBatch* const> batches);

// What a group changes once it has committed (FollowUpGroup).
struct GroupFollowUp {
  // Sites of the group's batches (duplicates and conflicts included): the
  // refresher reads what the batches wrote.
  std::vector<std::string> sites;
  // Agents whose batch conflicted with a stored one (counted on the agent).
  std::vector<std::string> conflicted_agents;
  // (agent_id, request time as timestamptz text): probe requests a new
  // batch answered, to be ended unless a newer one was made.
  std::vector<std::pair<std::string, std::string>> answered_requests;
};

// Within `tx`: stores every call of a group and sets its result, as
// FactStore::Ingest documents: an unregistered agent gets NotFound, a
// batch the ledger holds with the same digest duplicate=true (nothing
// written), with another digest the conflict error. A new batch that
// answers its agent's pending probe request reports it answered. Calls
// must be of distinct agents. Fills `*follow_up` with what FollowUpGroup
// must do once `tx` commits. Results are final only then. Throws libpqxx
// exceptions.
void IngestGroup(pqxx::transaction_base& tx,
                 absl::Span<IngestCall* const> calls,
                 GroupFollowUp* follow_up);

// After the group's commit, in `tx` (a nontransaction: each statement on
// its own): marks the sites for the health refresher, counts the
// conflicts on their agents, ends the answered probe requests. Lost on a
// crash between the two, a mark comes back with the periodic sweep, a
// request is answered by the agent's next probe, and only a conflict's
// count is missed (its error reached the agent).
void FollowUpGroup(pqxx::transaction_base& tx, const GroupFollowUp& follow_up);

// Within `tx`: stores the log records of `batch` for `agent` and updates
// its agent_state and activity as IngestGroup does for a new batch, with
// no ledger row (intake: FactStore::IngestIntake; epoch and sequence 0).
// The agent must exist. Throws libpqxx exceptions.
void StoreIntakeRecords(pqxx::transaction_base& tx,
                        const natscope::v1::AgentIdentity& agent,
                        const natscope::v1::IngestRequest& batch,
                        absl::Time received);

// Within `tx`: marks `sites` for the health refresher, in one statement
// (sorted, so that concurrent marks take the rows' locks in one order).
void MarkBatchSites(pqxx::transaction_base& tx,
                    std::vector<std::string> sites);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_INGEST_H_
