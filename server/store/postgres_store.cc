#include "server/store/postgres_store.h"

#include <algorithm>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/status_macros.h"
#include "server/store/migrations.h"
#include "server/store/pg_auth.h"
#include "server/store/pg_connection_pool.h"
#include "server/store/pg_distribute.h"
#include "server/store/pg_encoding.h"
#include "server/store/pg_ingest.h"

namespace natscope::server {
namespace {

using natscope::v1::AgentIdentity;
using natscope::v1::AgentState;
using natscope::v1::SiteSummary;

// Serialises concurrent Migrate calls ("natscope" in ASCII).
constexpr char kMigrationLock[] = "7953766774541184869";

// Columns of agents a joined with agent_state s, in the order the helpers
// below read them.
const std::string& AgentColumns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "a.agent_id, a.site, a.role, a.hostname, a.version, s.stun_nat_type, ",
      UnixMicrosSql("s.stun_nat_type_time"), ", ", UnixMicrosSql("s.last_seen"),
      ", s.probe_report, s.clock_skew_ms, a.batch_conflicts, "
      "s.agent_version, s.counters, ", UnixMicrosSql("a.probe_requested_at"),
      ", a.intake"));
  return *columns;
}

AgentIdentity IdentityFromRow(const pqxx::row& row) {
  AgentIdentity identity;
  identity.set_agent_id(row[0].as<std::string>());
  identity.set_site(row[1].as<std::string>());
  identity.set_role(static_cast<natscope::v1::Role>(row[2].as<int>()));
  identity.set_hostname(row[3].as<std::string>());
  identity.set_version(row[4].as<std::string>());
  return identity;
}

absl::StatusOr<AgentState> AgentStateFromRow(const pqxx::row& row) {
  AgentState state;
  *state.mutable_identity() = IdentityFromRow(row);
  if (!row[5].is_null()) {
    state.set_log_nat_type(row[5].as<std::string>());
    if (!row[6].is_null()) {
      MicrosToProto(row[6].as<int64_t>(), state.mutable_log_nat_type_time());
    }
  }
  if (!row[7].is_null()) {
    MicrosToProto(row[7].as<int64_t>(), state.mutable_last_seen());
    *state.mutable_health()->mutable_last_batch_time() = state.last_seen();
  }
  if (!row[8].is_null()) {
    const pqxx::binarystring bytes(row[8]);
    if (!state.mutable_latest_probe()->ParseFromArray(
            bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError(absl::StrCat(
          "stored probe report of agent ", state.identity().agent_id(),
          " does not parse: the database was altered outside natscope"));
    }
  }
  if (!row[9].is_null()) {
    state.set_clock_skew_seconds(row[9].as<int64_t>() / 1000);
  }
  state.set_batch_conflicts(row[10].as<uint64_t>());
  state.mutable_health()->set_version(row[11].is_null()
                                          ? state.identity().version()
                                          : row[11].as<std::string>());
  if (!row[12].is_null()) {
    const pqxx::binarystring bytes(row[12]);
    if (!state.mutable_health()->mutable_counters()->ParseFromArray(
            bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError(absl::StrCat(
          "stored counters of agent ", state.identity().agent_id(),
          " do not parse: the database was altered outside natscope"));
    }
  }
  if (!row[13].is_null()) {
    MicrosToProto(row[13].as<int64_t>(), state.mutable_probe_requested_at());
  }
  state.set_intake(row[14].as<bool>());
  return state;
}

}  // namespace

namespace {

// Groups stored at once: two, so that one is written while the other
// waits for its commit; never the whole pool (queries need connections).
IngestGrouper::Options GroupOptions(int pool_size) {
  IngestGrouper::Options options;
  options.max_groups_in_flight = std::max(1, std::min(2, pool_size - 1));
  return options;
}

}  // namespace

PostgresStore::PostgresStore(std::unique_ptr<PgConnectionPool> pool,
                             int pool_size)
    : pool_(std::move(pool)),
      grouper_(GroupOptions(pool_size),
               [this](absl::Span<IngestCall* const> calls) {
                 StoreIngestGroup(calls);
               }) {}

PostgresStore::~PostgresStore() = default;

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Connect(
    const std::string& conninfo, int pool_size) {
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnectionPool> pool,
                   PgConnectionPool::Create(conninfo, pool_size));
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::move(pool), pool_size));
}

absl::Status PostgresStore::Migrate() {
  const absl::Span<const Migration> migrations = AllMigrations();
  const int known = migrations.empty() ? 0 : migrations.back().version;
  return pool_->Run("Migrate", [&](pqxx::connection& conn) -> absl::Status {
    pqxx::work tx(conn);
    tx.exec("SET LOCAL client_min_messages = warning");
    tx.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kMigrationLock, ")"));
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version integer PRIMARY KEY, applied_at timestamptz NOT NULL)");
    const int current =
        tx.exec1("SELECT COALESCE(max(version), 0) FROM schema_migrations")[0]
            .as<int>();
    if (current > known) {
      return absl::FailedPreconditionError(
          absl::StrCat("database schema version ", current,
                       " is newer than this natscope-server knows (", known,
                       "): upgrade natscope-server"));
    }
    for (const Migration& migration : migrations) {
      if (migration.version <= current) continue;
      try {
        tx.exec(migration.sql);
      } catch (const pqxx::sql_error&) {
        return StatusFromCurrentException(
            absl::StrCat("Migrate: migration ", migration.name));
      }
      tx.exec_params(
          "INSERT INTO schema_migrations (version, applied_at) "
          "VALUES ($1, now())",
          migration.version);
    }
    tx.commit();
    // On a Citus coordinator, places the tables (pg_distribute.h).
    return DistributeOnCitus(conn);
  });
}

absl::StatusOr<AgentIdentity> PostgresStore::AgentByCredentialHash(
    absl::string_view credential_hash) {
  AgentIdentity identity;
  RETURN_IF_ERROR(pool_->Run(
      "AgentByCredentialHash", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec_params(
            "SELECT agent_id, site, role, hostname, version FROM agents "
            "WHERE credential_hash = $1",
            std::string(credential_hash));
        if (rows.empty()) {
          return absl::NotFoundError("no agent has this credential");
        }
        identity = IdentityFromRow(rows[0]);
        return absl::OkStatus();
      }));
  return identity;
}

absl::StatusOr<IngestResult> PostgresStore::Ingest(
    const AgentIdentity& agent, const natscope::v1::IngestRequest& batch,
    absl::Time received) {
  if (!PartitionReady(received)) {
    RETURN_IF_ERROR(EnsurePartitions(received - absl::Hours(24),
                                     received + absl::Hours(48)));
  }
  IngestCall call;
  call.agent = &agent;
  call.batch = &batch;
  call.received = received;
  grouper_.Run(&call);
  return std::move(call.result);
}

absl::Status PostgresStore::StoreIngestGroupOnce(
    absl::Span<IngestCall* const> calls) {
  return pool_->Run("Ingest", [&](pqxx::connection& conn) -> absl::Status {
    GroupFollowUp follow_up;
    {
      pqxx::work tx(conn);
      IngestGroup(tx, calls, &follow_up);
      // A duplicate wrote nothing, a conflict nothing yet: both commit.
      tx.commit();
    }
    // After the commit, so that a refresher that claims the mark reads the
    // state the batches wrote (see 0003_scale.sql), and so that groups do
    // not hold a hot site's mark (or an agents row) while they write.
    pqxx::nontransaction after(conn);
    FollowUpGroup(after, follow_up);
    return absl::OkStatus();
  });
}

void PostgresStore::StoreIngestGroup(absl::Span<IngestCall* const> calls) {
  static metrics::Counter& groups =
      metrics::DefaultRegistry()
          .Counter("natscope_ingest_groups_total",
                   "Transactions that stored Ingest calls (group commit).", {})
          .With({});
  static metrics::Counter& grouped =
      metrics::DefaultRegistry()
          .Counter("natscope_ingest_group_calls_total",
                   "Ingest calls stored in those transactions (divided by "
                   "natscope_ingest_groups_total: the mean group size).",
                   {})
          .With({});
  groups.Increment();
  grouped.Increment(calls.size());
  const absl::Status status = StoreIngestGroupOnce(calls);
  if (status.ok()) return;
  if (calls.size() == 1 || absl::IsUnavailable(status)) {
    for (IngestCall* call : calls) call->result = status;
    return;
  }
  // Which batch the database refused is not known: each alone, so that
  // the others are stored and only the bad one fails.
  for (IngestCall* call : calls) {
    IngestCall* one[] = {call};
    const absl::Status alone = StoreIngestGroupOnce(one);
    if (!alone.ok()) call->result = alone;
  }
}

absl::StatusOr<std::vector<AgentState>> PostgresStore::ListAgents(
    absl::string_view site, absl::string_view after_agent_id, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ListAgents limit must be at least 1, not ", limit));
  }
  std::vector<AgentState> agents;
  RETURN_IF_ERROR(
      pool_->Run("ListAgents", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", AgentColumns(),
                         " FROM agents a LEFT JOIN agent_state s ON "
                         "s.site = a.site AND s.agent_id = a.agent_id WHERE ($1 = '' OR a.site = $1) AND "
                         "a.agent_id > $2 ORDER BY a.agent_id LIMIT $3"),
            std::string(site), std::string(after_agent_id), limit);
        agents.clear();
        for (const pqxx::row& row : rows) {
          ASSIGN_OR_RETURN(AgentState state, AgentStateFromRow(row));
          agents.push_back(std::move(state));
        }
        return absl::OkStatus();
      }));
  return agents;
}

absl::StatusOr<std::vector<natscope::v1::ProbeReport>>
PostgresStore::ProbeHistory(absl::string_view agent_id, int limit) {
  std::vector<natscope::v1::ProbeReport> reports;
  RETURN_IF_ERROR(pool_->Run("ProbeHistory", [&](pqxx::connection& conn) {
    reports.clear();
    pqxx::read_transaction tx(conn);
    const pqxx::result rows = tx.exec_params(
        // The site is the index's first column (and the partitions'
        // primary key's): without it every partition's index is walked.
        "SELECT report FROM probe_reports WHERE site = (SELECT site FROM "
        "agents WHERE agent_id = $1) AND agent_id = $1 "
        "ORDER BY probe_time DESC, id DESC LIMIT $2",
        std::string(agent_id), limit);
    for (const pqxx::row& row : rows) {
      const pqxx::binarystring bytes(row[0]);
      natscope::v1::ProbeReport& report = reports.emplace_back();
      if (!report.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        return absl::DataLossError(absl::StrCat(
            "a stored probe report of agent ", agent_id,
            " does not parse: the database was altered outside natscope"));
      }
    }
    return absl::OkStatus();
  }));
  return reports;
}

}  // namespace natscope::server
