#include "server/auth/grpc_auth.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace natscope::server::auth {

absl::string_view AuthorizationOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return {};
  return {it->second.data(), it->second.size()};
}

absl::StatusOr<AuthorizedCall> AuthorizeCall(Authenticator& authenticator,
                                             const grpc::ServerContext& context,
                                             absl::string_view full_method) {
  AuthorizedCall call;
  absl::StatusOr<Caller> caller = authenticator.Identify(
      AuthorizationOf(context), &call.agent, SourceKeyOfPeer(context.peer()));
  if (!caller.ok()) {
    if (!absl::IsUnauthenticated(caller.status()) ||
        !OpenToAnyone(full_method)) {
      return caller.status();
    }
    caller = Caller();  // Anonymous: the request carries the proof.
    call.agent.Clear();
  }
  RETURN_IF_ERROR(Authorize(*caller, full_method));
  call.caller = *std::move(caller);
  return call;
}

}  // namespace natscope::server::auth
