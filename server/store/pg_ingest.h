// The SQL side of Store::Ingest. Internal to //server/store.
#ifndef NATSCOPE_SERVER_STORE_PG_INGEST_H_
#define NATSCOPE_SERVER_STORE_PG_INGEST_H_

#include <optional>
#include <pqxx/transaction_base>
#include <string>

#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"
#include "server/store/store.h"

namespace natscope::server {

// Within `tx` (committing is the caller's): records the batch in the ledger
// and, when it is new there, stores its records and updates agent_state as
// Store::Ingest documents. (The caller marks the site for the health
// refresher after the commit.) Returns duplicate=true, having written nothing,
// when the ledger already holds the batch with the same digest; sets
// *conflict, having only counted it on the agent, when it holds it with
// another. `*probe_requested` is the agent's pending probe request as the
// caller read it; a new batch that answers it clears it, in the agents
// table and here. The agent must exist. Throws libpqxx exceptions.
IngestResult IngestBatch(pqxx::transaction_base& tx,
                         const natscope::v1::AgentIdentity& agent,
                         const natscope::v1::IngestRequest& batch,
                         absl::Time received,
                         std::optional<absl::Time>* probe_requested,
                         bool* conflict);

// Within `tx`: a check-in (a batch with no records) updates only the
// agent's last_seen, clock skew, version and counters in agent_state (see
// Store::Ingest). The agent must exist. Throws libpqxx exceptions.
void RecordCheckIn(pqxx::transaction_base& tx,
                   const natscope::v1::AgentIdentity& agent,
                   const natscope::v1::IngestRequest& batch,
                   absl::Time received);

// Within `tx`: stores the log records of `batch` for `agent` and updates
// its agent_state and activity as IngestBatch does for a new batch, with
// no ledger row (intake: FactStore::IngestIntake; epoch and sequence 0).
// The agent must exist. Throws libpqxx exceptions.
void StoreIntakeRecords(pqxx::transaction_base& tx,
                        const natscope::v1::AgentIdentity& agent,
                        const natscope::v1::IngestRequest& batch,
                        absl::Time received);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_INGEST_H_
