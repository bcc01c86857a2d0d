// The server's durable state: registered agents, ingested batches, and the
// latest known state of every agent, as one abstract interface.
//
// Implementations: PostgresStore (postgres_store.h). Every implementation
// passes the conformance suite in store_conformance.h.
//
// Thread safety: every implementation is thread-safe; all methods may be
// called concurrently from any thread.
//
// Errors common to every method: Unavailable (the database cannot be
// reached; retry with backoff), Aborted (a conflict with a concurrent
// transaction; retry), Unknown (the connection broke while committing, so
// the outcome is unknown; Ingest may be retried, its dedup makes that
// safe), Internal (anything else; the message carries the SQLSTATE).
#ifndef NATSCOPE_SERVER_STORE_STORE_H_
#define NATSCOPE_SERVER_STORE_STORE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/admin.pb.h"
#include "natscope/v1/agent.pb.h"
#include "natscope/v1/query.pb.h"

namespace natscope::server {

struct IngestResult {
  // Records stored by this call (0 when `duplicate`).
  uint32_t records_committed = 0;
  // True when (agent, epoch, sequence) had been committed before.
  bool duplicate = false;
};

class Store {
 public:
  virtual ~Store() = default;

  // Brings the schema up to the newest version this binary knows, applying
  // the missing migrations in order in one transaction; a no-op when up to
  // date, and safe to run from several servers at once. FailedPrecondition
  // "database schema version N is newer than this natscope-server knows
  // (M): upgrade natscope-server" when the database is ahead. Call before
  // any other method.
  virtual absl::Status Migrate() = 0;

  // Registers `agent`, or replaces the identity and credential of the agent
  // with the same agent_id. `credential_hash` identifies the agent from now
  // on (the old one stops working). AlreadyExists when another agent has
  // the same credential hash; InvalidArgument when agent_id or
  // credential_hash is empty.
  virtual absl::Status UpsertAgent(const natscope::v1::AgentIdentity& agent,
                                   absl::string_view credential_hash) = 0;

  // The agent registered with `credential_hash`; NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view credential_hash) = 0;

  // Stores a batch atomically. `agent` is the authenticated identity (from
  // the credential); `batch.agent()` is ignored. When (agent_id, epoch,
  // sequence) was committed before, stores nothing and returns
  // duplicate=true. Otherwise stores every record that has a payload and
  // updates the agent's latest state: last seen at `received`, the latest
  // `stun_nat_type` log event (kind "stun_nat_type", field "nat_type") and
  // the latest probe report, "latest" by the record's own time (`received`
  // when it has none), ties going to the later arrival. NotFound when
  // the agent is not registered.
  virtual absl::StatusOr<IngestResult> Ingest(
      const natscope::v1::AgentIdentity& agent,
      const natscope::v1::IngestRequest& batch, absl::Time received) = 0;

  // Every site that has at least one registered agent, sorted by site
  // name, with its client and connector counts, agents per (role, reported
  // NAT type) as given by analyzer::ReportedNatType, and the newest
  // last-seen time of its agents (unset when none has sent anything).
  virtual absl::StatusOr<std::vector<natscope::v1::SiteSummary>>
  ListSites() = 0;

  // Up to `limit` agents of `site` (every site when empty) whose agent_id
  // sorts (bytewise) after `after_agent_id` (empty: from the start), sorted
  // by agent_id, with their latest state. InvalidArgument when limit < 1.
  virtual absl::StatusOr<std::vector<natscope::v1::AgentState>> ListAgents(
      absl::string_view site, absl::string_view after_agent_id, int limit) = 0;

  // Log events plus probe reports stored for `agent_id` (0 when unknown).
  virtual absl::StatusOr<int64_t> CountRecords(absl::string_view agent_id) = 0;

  // The agent's probe reports, newest first (by probe time, ties by
  // arrival), at most `limit`. Empty for an unknown agent. The default
  // answers Unimplemented (for test fakes that keep no history).
  virtual absl::StatusOr<std::vector<natscope::v1::ProbeReport>> ProbeHistory(
      absl::string_view agent_id, int limit);

  // --- Access tokens (schema version 2). ---
  //
  // Tokens are kept as the hex SHA-256 of their secret (`token_hash`) and
  // named by info.token_id. The defaults answer Unimplemented, so that a
  // Store that keeps no tokens still compiles; PostgresStore implements
  // them all and the conformance suite checks them.

  // Stores a new admin or viewer token. `info` gives token_id, name, role
  // and created; its revoked is ignored. AlreadyExists when token_id or
  // token_hash is taken; InvalidArgument when token_id, token_hash or name
  // is empty or the role is unspecified.
  virtual absl::Status CreateApiToken(const natscope::v1::ApiTokenInfo& info,
                                      absl::string_view token_hash);
  // The API token with `token_hash`, revoked or not; NotFound when none.
  virtual absl::StatusOr<natscope::v1::ApiTokenInfo> ApiTokenByHash(
      absl::string_view token_hash);
  // Marks the token revoked at `now` (an already revoked token keeps its
  // first time) and returns it; NotFound when there is no such token_id.
  virtual absl::StatusOr<natscope::v1::ApiTokenInfo> RevokeApiToken(
      absl::string_view token_id, absl::Time now);
  // Every API token (revoked ones too), by creation time then token_id.
  virtual absl::StatusOr<std::vector<natscope::v1::ApiTokenInfo>>
  ListApiTokens();

  // The same for per-site enrollment tokens: `info` gives token_id, site,
  // created and optionally expires. InvalidArgument when token_id,
  // token_hash or site is empty.
  virtual absl::Status CreateEnrollmentToken(
      const natscope::v1::EnrollmentTokenInfo& info,
      absl::string_view token_hash);
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  EnrollmentTokenByHash(absl::string_view token_hash);
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  RevokeEnrollmentToken(absl::string_view token_id, absl::Time now);
  // Tokens of `site` (every site when empty), revoked ones too, by site,
  // then creation time, then token_id.
  virtual absl::StatusOr<std::vector<natscope::v1::EnrollmentTokenInfo>>
  ListEnrollmentTokens(absl::string_view site);

  // The registered agent `agent_id`; NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> AgentById(
      absl::string_view agent_id);
};

// Default bodies of the token methods: Unimplemented.
inline absl::Status StoreKeepsNoTokens() {
  return absl::UnimplementedError(
      "this store keeps no access tokens: run natscope-server on PostgreSQL");
}
inline absl::Status Store::CreateApiToken(const natscope::v1::ApiTokenInfo&,
                                          absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::ApiTokenInfo> Store::ApiTokenByHash(
    absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::ApiTokenInfo> Store::RevokeApiToken(
    absl::string_view, absl::Time) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<std::vector<natscope::v1::ApiTokenInfo>>
Store::ListApiTokens() {
  return StoreKeepsNoTokens();
}
inline absl::Status Store::CreateEnrollmentToken(
    const natscope::v1::EnrollmentTokenInfo&, absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
Store::EnrollmentTokenByHash(absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
Store::RevokeEnrollmentToken(absl::string_view, absl::Time) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<std::vector<natscope::v1::EnrollmentTokenInfo>>
Store::ListEnrollmentTokens(absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<natscope::v1::AgentIdentity> Store::AgentById(
    absl::string_view) {
  return StoreKeepsNoTokens();
}
inline absl::StatusOr<std::vector<natscope::v1::ProbeReport>>
Store::ProbeHistory(absl::string_view, int) {
  return absl::UnimplementedError("this store keeps no probe history");
}

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_STORE_H_
