// `natscope tokens ...`: enrollment and API tokens, over AdminService.
#ifndef NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_
#define NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace natscope::server {

// `args` follow "tokens": "enroll create SITE", "enroll list [SITE]",
// "enroll revoke ID", "api create admin|viewer NAME", "api list",
// "api revoke ID". `authorize` adds the caller's token to each call.
// Returns the process exit code; errors go to `err` as one line.
int TokensCommand(const std::vector<std::string>& args,
                  const std::shared_ptr<grpc::Channel>& channel,
                  const std::function<void(grpc::ClientContext*)>& authorize,
                  absl::Duration timeout, bool json, std::ostream& out,
                  std::ostream& err);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_CLI_TOKENS_COMMAND_H_
