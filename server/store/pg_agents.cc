// PostgresStore's agent enrolment and release (migration 0005_trust.sql),
// and probe requests (0008_probe_request.sql).
#include <algorithm>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "server/store/pg_auth.h"
#include "server/store/pg_connection_pool.h"
#include "server/store/pg_encoding.h"
#include "server/store/postgres_store.h"

namespace natscope::server {
namespace {

using natscope::v1::AgentIdentity;

constexpr char kAgentColumns[] = "agent_id, site, role, hostname, version";

AgentIdentity AgentFromRow(const pqxx::row& row) {
  AgentIdentity identity;
  identity.set_agent_id(row[0].as<std::string>());
  identity.set_site(row[1].as<std::string>());
  identity.set_role(static_cast<natscope::v1::Role>(row[2].as<int>()));
  identity.set_hostname(row[3].as<std::string>());
  identity.set_version(row[4].as<std::string>());
  return identity;
}

// Whether the caller may take the registered agent row `row` (site,
// credential_hash): see Store::EnrollAgent.
absl::Status MayTake(const pqxx::row& row, const AgentIdentity& agent,
                     absl::string_view current_hash) {
  const std::string site = row[0].as<std::string>();
  if (site != agent.site()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "agent id is registered to site \"", site, "\""));
  }
  if (row[1].is_null()) return absl::OkStatus();  // Released.
  if (!current_hash.empty() && row[1].as<std::string>() == current_hash) {
    return absl::OkStatus();  // Rotation by the agent itself.
  }
  return absl::AlreadyExistsError("agent id is enrolled");
}

// One use of the enrollment token `token_hash`, in `tx`: FailedPrecondition
// when it has none left (the caller then drops `tx`).
absl::Status CountTokenUse(pqxx::transaction_base& tx,
                           absl::string_view token_hash) {
  const pqxx::result used = tx.exec_params(
      "UPDATE enrollment_tokens SET uses = uses + 1 WHERE token_hash = $1 "
      "AND (max_uses = 0 OR uses < max_uses) RETURNING 1",
      std::string(token_hash));
  if (used.empty()) {
    return absl::FailedPreconditionError(
        "the enrollment token has enrolled as many agents as it may");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PostgresStore::EnrollAgent(const AgentIdentity& agent,
                                        absl::string_view credential_hash,
                                        absl::string_view current_hash,
                                        absl::string_view use_token_hash) {
  if (agent.agent_id().empty() || credential_hash.empty()) {
    return absl::InvalidArgumentError(
        "EnrollAgent needs an agent_id and a credential hash");
  }
  return pool_->Run("EnrollAgent", [&](pqxx::connection& conn) -> absl::Status {
    pqxx::work tx(conn);
    // A new id: inserted here, or taken by a concurrent enrolment (then
    // the row below is theirs and locked until they commit).
    const pqxx::result inserted = tx.exec_params(
        "INSERT INTO agents (agent_id, site, role, hostname, version, "
        "credential_hash) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (agent_id) DO NOTHING RETURNING 1",
        agent.agent_id(), agent.site(), static_cast<int>(agent.role()),
        SanitizeText(agent.hostname()), SanitizeText(agent.version()),
        std::string(credential_hash));
    bool rotation = false;
    if (inserted.empty()) {
      const pqxx::row row = tx.exec_params1(
          "SELECT site, credential_hash FROM agents WHERE agent_id = $1 "
          "FOR UPDATE",
          agent.agent_id());
      RETURN_IF_ERROR(MayTake(row, agent, current_hash));
      rotation = !row[1].is_null();
      tx.exec_params(
          "UPDATE agents SET role = $2, hostname = $3, version = $4, "
          "credential_hash = $5, intake = false, updated_at = now() "
          "WHERE agent_id = $1",
          agent.agent_id(), static_cast<int>(agent.role()),
          SanitizeText(agent.hostname()), SanitizeText(agent.version()),
          std::string(credential_hash));
      BumpAuthGeneration(tx);
    }
    if (!rotation && !use_token_hash.empty()) {
      RETURN_IF_ERROR(CountTokenUse(tx, use_token_hash));
    }
    tx.commit();
    pqxx::nontransaction mark(conn);
    MarkSiteDirty(mark, agent.site());
    return absl::OkStatus();
  });
}

absl::StatusOr<AgentIdentity> PostgresStore::ReleaseAgent(
    absl::string_view agent_id) {
  AgentIdentity agent;
  RETURN_IF_ERROR(
      pool_->Run("ReleaseAgent", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::work tx(conn);
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("UPDATE agents SET credential_hash = NULL, "
                         "updated_at = now() WHERE agent_id = $1 RETURNING ",
                         kAgentColumns),
            std::string(agent_id));
        if (rows.empty()) {
          return absl::NotFoundError("no agent has this id: see natscope agents");
        }
        agent = AgentFromRow(rows[0]);
        BumpAuthGeneration(tx);
        tx.commit();
        return absl::OkStatus();
      }));
  return agent;
}

absl::StatusOr<AgentIdentity> PostgresStore::RemoveAgent(
    absl::string_view agent_id) {
  AgentIdentity agent;
  RETURN_IF_ERROR(
      pool_->Run("RemoveAgent", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::work tx(conn);
        // The ledger and agent_state go with it (ON DELETE CASCADE).
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("DELETE FROM agents WHERE agent_id = $1 RETURNING ",
                         kAgentColumns),
            std::string(agent_id));
        if (rows.empty()) {
          return absl::NotFoundError("no agent has this id: see natscope agents");
        }
        agent = AgentFromRow(rows[0]);
        tx.exec_params("DELETE FROM agent_activity WHERE agent_id = $1",
                       std::string(agent_id));
        tx.exec_params("DELETE FROM intake_seen WHERE agent_id = $1",
                       std::string(agent_id));
        BumpAuthGeneration(tx);
        MarkSiteDirty(tx, agent.site());
        tx.commit();
        return absl::OkStatus();
      }));
  return agent;
}

namespace {

// The agents of `site` last seen before `seen_since`, as a text[] literal
// (agent ids are [A-Za-z0-9._-]: nothing to quote).
std::string SilentAgentIds(pqxx::transaction_base& tx, absl::string_view site,
                           absl::Time seen_since) {
  const pqxx::result silent = tx.exec_params(
      "SELECT agent_id FROM agent_state WHERE site = $1 AND last_seen < $2",
      std::string(site), TimestampText(seen_since));
  std::vector<std::string> ids;
  for (const pqxx::row& row : silent) ids.push_back(row[0].as<std::string>());
  return absl::StrCat("{", absl::StrJoin(ids, ","), "}");
}

}  // namespace

absl::StatusOr<std::vector<AgentIdentity>> PostgresStore::RequestProbe(
    absl::string_view site, absl::string_view agent_id, absl::Time seen_since,
    absl::Time now) {
  if (site.empty() == agent_id.empty()) {
    return absl::InvalidArgumentError(
        "RequestProbe needs a site or an agent_id, not both");
  }
  std::vector<AgentIdentity> agents;
  RETURN_IF_ERROR(
      pool_->Run("RequestProbe", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::work tx(conn);
        const std::string returning = absl::StrCat(" RETURNING ", kAgentColumns);
        // A site's agents: those seen since `seen_since`, or never. The
        // silent ones are read first, in a statement of their own: Citus
        // cannot modify a reference table (agents) in a statement that
        // reads a distributed one (agent_state).
        const pqxx::result rows =
            agent_id.empty()
                ? tx.exec_params(
                      absl::StrCat(
                          "UPDATE agents SET probe_requested_at = $2 "
                          "WHERE site = $1 AND NOT (agent_id = ANY($3::text[]))",
                          returning),
                      std::string(site), TimestampText(now),
                      SilentAgentIds(tx, site, seen_since))
                : tx.exec_params(
                      absl::StrCat("UPDATE agents SET probe_requested_at = $2 "
                                   "WHERE agent_id = $1",
                                   returning),
                      std::string(agent_id), TimestampText(now));
        if (rows.empty()) {
          return absl::NotFoundError(
              agent_id.empty() ? "no agent of this site to ask"
                               : "no agent has this id: see natscope agents");
        }
        agents.clear();
        for (const pqxx::row& row : rows) agents.push_back(AgentFromRow(row));
        tx.commit();
        return absl::OkStatus();
      }));
  std::sort(agents.begin(), agents.end(),
            [](const AgentIdentity& a, const AgentIdentity& b) {
              return a.agent_id() < b.agent_id();
            });
  return agents;
}

absl::StatusOr<int64_t> PostgresStore::AuthGeneration() {
  int64_t generation = 0;
  RETURN_IF_ERROR(pool_->Run("AuthGeneration", [&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    generation =
        tx.exec1("SELECT generation FROM auth_generation")[0].as<int64_t>();
    return absl::OkStatus();
  }));
  return generation;
}

}  // namespace natscope::server
