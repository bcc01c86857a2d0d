// The transport-free authorisation of one call: who is calling (from the
// "authorization" value, "Bearer <secret>") and whether the policy lets
// them call the method. Both edges use it: gRPC (grpc_auth.h, from the
// call's metadata and peer) and HTTP (server/http, from the request's
// Authorization header and remote address), so that a route answers the
// same caller the same way on either.
#ifndef NATSCOPE_SERVER_AUTH_AUTHORIZE_H_
#define NATSCOPE_SERVER_AUTH_AUTHORIZE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "natscope/v1/agent.pb.h"
#include "server/auth/authenticator.h"
#include "server/auth/policy.h"

namespace natscope::server::auth {

// A caller the policy let through.
struct AuthorizedCall {
  Caller caller;
  // kAgent: the agent its credential is registered to.
  v1::AgentIdentity agent;
};

// Identifies the caller presenting `authorization` ("" when absent) from
// `source` (a rate-limit key: SourceKeyOfPeer or SourceKeyOfAddress) and
// checks it may call `full_method` ("/natscope.v1.QueryService/ListSites").
// On a method open to anyone (OpenToAnyone: Enroll, health), a credential
// that does not identify anyone leaves the caller anonymous instead of
// failing (the request itself carries the proof). Errors as
// Authenticator::Identify and Authorize.
absl::StatusOr<AuthorizedCall> AuthorizeRequest(Authenticator& authenticator,
                                                absl::string_view authorization,
                                                absl::string_view source,
                                                absl::string_view full_method);

// The rate-limit key of a bare IP address ("10.0.0.1", "2001:db8::1"), as
// SourceKeyOfPeer gives for a gRPC peer at that address.
std::string SourceKeyOfAddress(absl::string_view address);

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_AUTHORIZE_H_
