// Registered agents and their credentials: who an agent is, and whether
// its id is free to enroll. Callers: the Authenticator (lookups), the
// AgentService (enrolment), the AdminService (reset, removal, probe
// requests), the QueryService (an agent's identity).
//
// Errors common to every method of every store role (agent_registry.h,
// token_store.h, fact_store.h, site_health_store.h, report_store.h,
// maintenance.h): Unavailable (the database cannot be reached; retry with
// backoff), Aborted (a conflict with a concurrent transaction; retry),
// Unknown (the connection broke while committing, so the outcome is
// unknown; Ingest may be retried, its dedup makes that safe), Internal
// (anything else; the message carries the SQLSTATE). Implementations are
// thread-safe.
#ifndef NATSCOPE_SERVER_STORE_AGENT_REGISTRY_H_
#define NATSCOPE_SERVER_STORE_AGENT_REGISTRY_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::server {

class AgentRegistry {
 public:
  virtual ~AgentRegistry() = default;

  // The agent registered with `credential_hash`; NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view credential_hash) = 0;

  // The registered agent `agent_id`; NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> AgentById(
      absl::string_view agent_id) = 0;

  // Registers `agent` with `credential_hash` when its agent_id is free to
  // take: not registered, released (ReleaseAgent), or registered with
  // `current_hash` (non-empty: credential rotation). The old credential
  // stops working and the auth generation moves. Unless it is a rotation,
  // counts one use of the enrollment token with `use_token_hash` (when not
  // empty) in the same transaction, as TokenStore::UseEnrollmentToken.
  // Nothing changes on error: PermissionDenied when the id is registered
  // to another site; AlreadyExists when it is enrolled and `current_hash`
  // is empty or not its credential, or when another agent has the same
  // credential hash; FailedPrecondition when the token is used up;
  // InvalidArgument when agent_id or credential_hash is empty.
  virtual absl::Status EnrollAgent(const natscope::v1::AgentIdentity& agent,
                                   absl::string_view credential_hash,
                                   absl::string_view current_hash,
                                   absl::string_view use_token_hash) = 0;

  // Makes the agent's credential stop working and its id free to enroll
  // again (its data stays); returns the agent. NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> ReleaseAgent(
      absl::string_view agent_id) = 0;

  // Removes the agent with its latest state and ingest ledger (stored
  // facts age out with retention); returns it. NotFound when none.
  virtual absl::StatusOr<natscope::v1::AgentIdentity> RemoveAgent(
      absl::string_view agent_id) = 0;

  // Asks for a probe at `now` (FactStore::Ingest tells the agent, until it
  // sends a probe report started after the request): of the agent
  // `agent_id` when it is not empty, else of every agent of `site` last
  // seen at or after `seen_since` or never seen. A pending request is
  // replaced. Returns the agents asked, sorted by agent_id. InvalidArgument
  // unless exactly one of `site` and `agent_id` is empty; NotFound when no
  // agent is asked.
  virtual absl::StatusOr<std::vector<natscope::v1::AgentIdentity>>
  RequestProbe(absl::string_view site, absl::string_view agent_id,
               absl::Time seen_since, absl::Time now) = 0;

  // A number that changes whenever a credential or token stops working
  // (revocation, release, removal, rotation), on any server sharing the
  // database: whoever caches lookups drops the cache when it moves.
  virtual absl::StatusOr<int64_t> AuthGeneration() = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_AGENT_REGISTRY_H_
