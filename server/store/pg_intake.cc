// PostgresStore::IngestIntake: log lines a log shipper sent for a host
// without natscope-agent (fact_store.h), in one transaction: the host's
// registration, intake's ledger (intake_seen) and the records.
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "server/store/ingest_rules.h"
#include "server/store/pg_auth.h"
#include "server/store/pg_connection_pool.h"
#include "server/store/pg_encoding.h"
#include "server/store/pg_ingest.h"
#include "server/store/pg_values.h"
#include "server/store/postgres_store.h"

namespace natscope::server {
namespace {

using natscope::v1::AgentIdentity;
using natscope::v1::IngestRequest;

// A PostgreSQL text[] literal of the digests in hex: no quoting needed.
std::string HexArray(const std::vector<std::string>& digests) {
  std::string out = "{";
  for (size_t i = 0; i < digests.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += ByteaText(digests[i]).substr(2);  // Without "\x".
  }
  out.push_back('}');
  return out;
}

// Registers `host` as a log-only agent unless its id is taken; OK when
// the id is (now) registered at host.site().
absl::Status RegisterIntakeHost(pqxx::transaction_base& tx,
                                const AgentIdentity& host) {
  const pqxx::result inserted = tx.exec_params(
      "INSERT INTO agents (agent_id, site, role, hostname, version, "
      "credential_hash, intake) VALUES ($1, $2, $3, $4, '', NULL, true) "
      "ON CONFLICT (agent_id) DO NOTHING RETURNING 1",
      host.agent_id(), host.site(), static_cast<int>(host.role()),
      SanitizeText(host.hostname()));
  if (!inserted.empty()) return absl::OkStatus();
  const pqxx::row row = tx.exec_params1(
      "SELECT site FROM agents WHERE agent_id = $1", host.agent_id());
  const std::string site = row[0].as<std::string>();
  if (site != host.site()) return IntakeOtherSiteError(host, site);
  return absl::OkStatus();
}

// Remembers the digests; returns those that were not remembered before.
std::multiset<std::string> ClaimDigests(pqxx::transaction_base& tx,
                                        const AgentIdentity& host,
                                        const std::vector<std::string>& digests,
                                        absl::Time received) {
  const pqxx::result claimed = tx.exec_params(
      "INSERT INTO intake_seen (digest, site, agent_id, seen_at) "
      "SELECT decode(d, 'hex'), $1, $2, $3 FROM unnest($4::text[]) AS d "
      "ON CONFLICT (digest) DO NOTHING RETURNING digest",
      host.site(), host.agent_id(), TimestampText(received),
      HexArray(digests));
  std::multiset<std::string> fresh;
  for (const pqxx::row& row : claimed) {
    fresh.insert(pqxx::binarystring(row[0]).str());
  }
  return fresh;
}

}  // namespace

absl::StatusOr<IngestResult> PostgresStore::IngestIntake(
    const AgentIdentity& host, const IngestRequest& batch,
    const std::vector<std::string>& digests, absl::Time received) {
  RETURN_IF_ERROR(CheckIntakeBatch(batch, digests));
  if (!PartitionReady(received)) {
    RETURN_IF_ERROR(EnsurePartitions(received - absl::Hours(24),
                                     received + absl::Hours(48)));
  }
  IngestResult result;
  RETURN_IF_ERROR(pool_->Run(
      "IngestIntake", [&](pqxx::connection& conn) -> absl::Status {
        result = IngestResult();
        {
          pqxx::work tx(conn);
          RETURN_IF_ERROR(RegisterIntakeHost(tx, host));
          std::multiset<std::string> fresh =
              ClaimDigests(tx, host, digests, received);
          // Each claimed digest admits one record: the first with it.
          IngestRequest records;
          for (int i = 0; i < batch.records_size(); ++i) {
            const auto claimed = fresh.find(digests[i]);
            if (claimed == fresh.end()) {
              ++result.duplicate_records;
              continue;
            }
            fresh.erase(claimed);
            *records.add_records() = batch.records(i);
          }
          if (!records.records().empty()) {
            StoreIntakeRecords(tx, host, records, received);
          }
          result.records_committed = records.records_size();
          tx.commit();
        }
        // After the commit, as Ingest does (see there).
        pqxx::nontransaction mark(conn);
        MarkSiteDirty(mark, host.site());
        return absl::OkStatus();
      }));
  return result;
}

}  // namespace natscope::server
