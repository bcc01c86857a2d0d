// `natscope tokens ...`: enrollment and API tokens, over AdminService.
#ifndef NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_
#define NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/cli/rpc_error.h"

namespace natscope::server {

// Flags of `tokens enroll create`.
struct EnrollTokenFlags {
  absl::Duration expires = absl::ZeroDuration();  // Zero: the server's 7 days.
  int64_t uses = 0;                               // 0: no limit.
};

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
