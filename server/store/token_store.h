// Access tokens: admin and viewer API tokens, and per-site tokens
// (enrollment tokens for agents, intake tokens for log shippers). Tokens
// are kept as the hex SHA-256 of their secret (`token_hash`) and named by
// token_id. Callers: the Authenticator (lookups), the AdminService
// (create, revoke, list), the AgentService (enrolment), intake, the
// bootstrap admin token. Errors and thread safety: see agent_registry.h.
#ifndef NATSCOPE_SERVER_STORE_TOKEN_STORE_H_
#define NATSCOPE_SERVER_STORE_TOKEN_STORE_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/admin.pb.h"

namespace natscope::server {

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Stores a new admin or viewer token. `info` gives token_id, name, role
  // and created; its revoked is ignored. AlreadyExists when token_id or
  // token_hash is taken; InvalidArgument when token_id, token_hash or name
  // is empty or the role is unspecified.
  virtual absl::Status CreateApiToken(const natscope::v1::ApiTokenInfo& info,
                                      absl::string_view token_hash) = 0;
  // The API token with `token_hash`, revoked or not; NotFound when none.
  virtual absl::StatusOr<natscope::v1::ApiTokenInfo> ApiTokenByHash(
      absl::string_view token_hash) = 0;
  // Marks the token revoked at `now` (an already revoked token keeps its
  // first time) and returns it; NotFound when there is no such token_id.
  virtual absl::StatusOr<natscope::v1::ApiTokenInfo> RevokeApiToken(
      absl::string_view token_id, absl::Time now) = 0;
  // Every API token (revoked ones too), by creation time then token_id.
  virtual absl::StatusOr<std::vector<natscope::v1::ApiTokenInfo>>
  ListApiTokens() = 0;

  // The same for per-site tokens, enrollment and intake alike: `info`
  // gives token_id, site, created and optionally expires, max_uses,
  // purpose and default_role, kept as given (the AdminService applies the
  // rules of each purpose) and returned by every read below.
  // InvalidArgument when token_id, token_hash or site is empty.
  virtual absl::Status CreateEnrollmentToken(
      const natscope::v1::EnrollmentTokenInfo& info,
      absl::string_view token_hash) = 0;
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  EnrollmentTokenByHash(absl::string_view token_hash) = 0;
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  RevokeEnrollmentToken(absl::string_view token_id, absl::Time now) = 0;
  // Tokens of `site` (every site when empty), revoked ones too and of
  // every purpose (callers filter), by site, then creation time, then
  // token_id.
  virtual absl::StatusOr<std::vector<natscope::v1::EnrollmentTokenInfo>>
  ListEnrollmentTokens(absl::string_view site) = 0;
  // Counts one enrolment by the token with `token_hash` and returns the
  // token as it is after counting. FailedPrecondition when it has enrolled
  // max_uses agents already; NotFound when there is no such token. (Expiry
  // and revocation are the caller's to check.)
  virtual absl::StatusOr<natscope::v1::EnrollmentTokenInfo>
  UseEnrollmentToken(absl::string_view token_hash) = 0;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_TOKEN_STORE_H_
