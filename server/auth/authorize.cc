#include "server/auth/authorize.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace natscope::server::auth {

absl::StatusOr<AuthorizedCall> AuthorizeRequest(Authenticator& authenticator,
                                                absl::string_view authorization,
                                                absl::string_view source,
                                                absl::string_view full_method) {
  AuthorizedCall call;
  absl::StatusOr<Caller> caller =
      authenticator.Identify(authorization, &call.agent, source);
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

std::string SourceKeyOfAddress(absl::string_view address) {
  const bool v6 = address.find(':') != absl::string_view::npos;
  return SourceKeyOfPeer(v6 ? absl::StrCat("ipv6:[", address, "]:0")
                            : absl::StrCat("ipv4:", address, ":0"));
}

}  // namespace natscope::server::auth
