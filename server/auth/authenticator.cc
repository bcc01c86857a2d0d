#include "server/auth/authenticator.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "server/service/credentials.h"

namespace natscope::server::auth {

absl::StatusOr<IssuedToken> IssueToken() {
  IssuedToken token;
  ASSIGN_OR_RETURN(token.secret, NewCredential());
  token.hash = HashCredential(token.secret);
  token.token_id = TokenIdOf(token.hash);
  return token;
}

std::string TokenIdOf(absl::string_view hash) {
  return std::string(hash.substr(0, 16));
}

absl::StatusOr<Caller> Authenticator::Identify(absl::string_view authorization,
                                               v1::AgentIdentity* agent) {
  Caller caller;
  if (authorization.empty()) return caller;  // Anonymous.
  absl::StatusOr<std::string> secret = BearerToken(authorization);
  if (!secret.ok()) {
    return absl::UnauthenticatedError(
        "malformed authorization metadata: send \"authorization: Bearer "
        "<token>\"");
  }
  const std::string hash = HashCredential(*secret);
  absl::StatusOr<v1::AgentIdentity> identity =
      store_->AgentByCredentialHash(hash);
  if (identity.ok()) {
    caller.kind = CallerKind::kAgent;
    caller.agent_id = identity->agent_id();
    caller.site = identity->site();
    if (agent != nullptr) *agent = *std::move(identity);
    return caller;
  }
  if (!absl::IsNotFound(identity.status())) return identity.status();
  absl::StatusOr<v1::ApiTokenInfo> token = store_->ApiTokenByHash(hash);
  if (absl::IsNotFound(token.status())) {
    return absl::UnauthenticatedError(
        "unknown token: it is neither an agent credential nor an API token "
        "(enroll the agent again, or ask an admin for a token)");
  }
  if (!token.ok()) return token.status();
  if (token->has_revoked()) {
    return absl::UnauthenticatedError(
        absl::StrCat("token ", token->token_id(), " (\"", token->name(),
                     "\") was revoked: ask an admin for a new one"));
  }
  switch (token->role()) {
    case v1::API_TOKEN_ROLE_ADMIN:
      caller.kind = CallerKind::kAdmin;
      break;
    case v1::API_TOKEN_ROLE_VIEWER:
      caller.kind = CallerKind::kViewer;
      break;
    default:
      return absl::UnauthenticatedError(
          absl::StrCat("token ", token->token_id(), " has no role: revoke it"));
  }
  caller.token_id = token->token_id();
  caller.token_name = token->name();
  return caller;
}

}  // namespace natscope::server::auth
