// Establishes who is calling from the "authorization" metadata value:
// "Bearer <secret>" where the secret is an agent credential or an admin or
// viewer API token; nothing at all means anonymous.
//
// Thread-safe (the Store is). The Store must outlive the Authenticator.
#ifndef NATSCOPE_SERVER_AUTH_AUTHENTICATOR_H_
#define NATSCOPE_SERVER_AUTH_AUTHENTICATOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "natscope/v1/agent.pb.h"
#include "server/auth/policy.h"
#include "server/store/store.h"

namespace natscope::server::auth {

// A new secret for a token and what the server keeps of it.
struct IssuedToken {
  std::string secret;    // Shown once to whoever asked for it.
  std::string hash;      // Lower-case hex SHA-256 of `secret`.
  std::string token_id;  // TokenIdOf(hash).
};

// Internal when the system random source fails.
absl::StatusOr<IssuedToken> IssueToken();

// The public name of a token: the first 16 hex digits of its hash.
std::string TokenIdOf(absl::string_view hash);

class Authenticator {
 public:
  explicit Authenticator(Store* store) : store_(store) {}

  // The caller presenting `authorization` (the metadata value, "" when
  // absent: anonymous). Agent credentials are tried first (Ingest is the
  // hot path), then API tokens. When the caller is an agent and `agent` is
  // not null, *agent receives its registered identity.
  // Unauthenticated for a malformed header, an unknown secret or a revoked
  // API token; the Store's errors (e.g. Unavailable) otherwise.
  absl::StatusOr<Caller> Identify(absl::string_view authorization,
                                  v1::AgentIdentity* agent = nullptr);

 private:
  Store* store_;
};

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_AUTHENTICATOR_H_
