// `natscope probe SITE|AGENT [--wait[=DURATION]]`: asks agents to probe at
// their next contact with the server (AdminService.RequestProbe; admin),
// and with --wait polls QueryService.GetAgent until each has sent a probe
// started after the request, printing each result as it comes.
#ifndef NATSCOPE_SERVER_CLI_PROBE_COMMAND_H_
#define NATSCOPE_SERVER_CLI_PROBE_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "grpcpp/grpcpp.h"
#include "server/cli/rpc_error.h"
#include "natscope/v1/query.pb.h"

namespace natscope::server {

struct ProbeFlags {
  // How long to wait for the results; zero: do not wait.
  absl::Duration wait = absl::ZeroDuration();
  // How often each agent still awaited is looked at.
  absl::Duration poll = absl::Seconds(2);
};

// What `--wait` alone means.
inline constexpr absl::Duration kDefaultProbeWait = absl::Minutes(10);

// Whether `agent` (as GetAgent gives it) has answered a probe request made
// at `requested_at`: the server no longer holds that request (it clears a
// request when a probe report started after it arrives) and the agent has
// a probe. When a newer request replaced it, the probe's start, taken to
// the server's clock with the agent's clock skew, must be at or after
// `requested_at`.
bool ProbeAnswered(const v1::AgentState& agent, absl::Time requested_at);

// One line for an answered agent: id, when it probed, the server's mapping
// and filtering verdicts, public address and findings.
std::string FormatProbeResult(const v1::AgentState& agent);

// `target` is an agent id when GetAgent knows it, else a site. Calls
// carry `authorize`'s token and a `timeout` deadline; `clock` paces the
// polls. Prints the agents asked (and with a wait, each result) to `out`,
// progress and errors to `err`; with `json`, the replies as one JSON
// object. Returns 0, or 1 when a call failed or the wait ended first.
int ProbeCommand(const std::string& target, const ProbeFlags& flags,
                 const std::shared_ptr<grpc::Channel>& channel,
                 const std::function<void(grpc::ClientContext*)>& authorize,
                 absl::Duration timeout, bool json, const Clock& clock,
                 std::ostream& out, std::ostream& err,
                 const RpcErrorText& describe = {});

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_CLI_PROBE_COMMAND_H_
