// `natscope tokens ...`: site tokens (enrollment and intake) and API
// tokens, over AdminService.
#ifndef NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_
#define NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/admin.pb.h"
#include "server/cli/rpc_error.h"

namespace natscope::server {

// Flags of `tokens enroll create`.
struct EnrollTokenFlags {
  // Zero: the server's default, 7 days (an intake token: never).
  absl::Duration expires = absl::ZeroDuration();
  int64_t uses = 0;  // 0: no limit.
  // An intake token, which log shippers present for the site's hosts,
  // instead of an enrollment token for agents.
  bool intake = false;
  // With `intake`: "client" or "connector", the role of hosts whose
  // messages name none; "": the server's default (client).
  std::string role;
};

// The request `tokens enroll create SITE` sends with `flags`, its expiry
// counted from `now`. InvalidArgument, with the line to print, for flags
// out of range or that do not go together (--role or --uses with, or
// without, --intake).
absl::StatusOr<v1::CreateEnrollmentTokenRequest> SiteTokenRequest(
    const std::string& site, const EnrollTokenFlags& flags, absl::Time now);

// `args` follow "tokens": "enroll create SITE", "enroll list [SITE]",
// "enroll revoke ID", "api create admin|viewer NAME", "api list",
// "api revoke ID". `authorize` adds the caller's token to each call.
// Returns the process exit code; errors go to `err` as one line.
int TokensCommand(const std::vector<std::string>& args,
                  const EnrollTokenFlags& enroll_flags,
                  const std::shared_ptr<grpc::Channel>& channel,
                  const std::function<void(grpc::ClientContext*)>& authorize,
                  absl::Duration timeout, bool json, std::ostream& out,
                  std::ostream& err,
                  const RpcErrorText& describe = {});

// `args` follow "agents" and are "reset ID" or "remove ID" (admin):
// release an agent id for a new enrolment, or remove the agent.
int AgentsAdminCommand(const std::vector<std::string>& args,
                       const std::shared_ptr<grpc::Channel>& channel,
                       const std::function<void(grpc::ClientContext*)>& authorize,
                       absl::Duration timeout, bool json, std::ostream& out,
                       std::ostream& err,
                       const RpcErrorText& describe = {});

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_
