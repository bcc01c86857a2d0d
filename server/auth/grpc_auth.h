// The gRPC edge of access control, and the one way every natscope RPC is
// served: ServeAuthorized (or CallAuthorized, when the method adds to the
// answer's metadata) identifies the caller from its "authorization"
// metadata, asks the policy (policy.h) whether it may call
// "/<service>/<method>", and only then runs the method's transport-free
// core with the authorised caller (and, for an agent, its identity).
//
// gRPC 1.51's experimental server interceptors cannot refuse a call before
// its handler runs (they can only observe or cancel), so the check is a
// call at the top of each method; a method the proto gains and a service
// does not implement answers UNIMPLEMENTED (fails closed), and
// server/service/authorization_test.cc checks every method of every
// service against anonymous and wrong-kind callers.
#ifndef NATSCOPE_SERVER_AUTH_GRPC_AUTH_H_
#define NATSCOPE_SERVER_AUTH_GRPC_AUTH_H_

#include <chrono>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/agent.pb.h"
#include "server/auth/authenticator.h"
#include "server/auth/authorize.h"
#include "server/auth/policy.h"

namespace natscope::server::auth {

// The "authorization" metadata value of `context` ("" when absent).
absl::string_view AuthorizationOf(const grpc::ServerContext& context);

// AuthorizeRequest (authorize.h) with the call's "authorization" metadata
// and its peer's address.
absl::StatusOr<AuthorizedCall> AuthorizeCall(Authenticator& authenticator,
                                             const grpc::ServerContext& context,
                                             absl::string_view full_method);

// Counts one RPC of `full_method` and its latency from construction to
// Done (natscope_rpc_requests_total, natscope_rpc_duration_seconds).
class RpcMeter {
 public:
  explicit RpcMeter(std::string full_method)
      : full_method_(std::move(full_method)),
        start_(std::chrono::steady_clock::now()) {}
  const std::string& full_method() const { return full_method_; }
  void Done(const absl::Status& status) const;

 private:
  const std::string full_method_;
  const std::chrono::steady_clock::time_point start_;
};

// Authorises `context` for `service`/`method` (e.g.
// v1::ReportService::service_full_name(), "RunReport"), then answers
// `serve(call, request)`, which returns absl::StatusOr<Response>.
template <typename Request, typename Serve>
auto CallAuthorized(Authenticator& authenticator, grpc::ServerContext& context,
                    absl::string_view service, absl::string_view method,
                    const Request& request, Serve serve)
    -> decltype(serve(std::declval<const AuthorizedCall&>(), request)) {
  const RpcMeter meter(absl::StrCat("/", service, "/", method));
  absl::StatusOr<AuthorizedCall> call =
      AuthorizeCall(authenticator, context, meter.full_method());
  if (!call.ok()) {
    meter.Done(call.status());
    return call.status();
  }
  auto result = serve(*call, request);
  meter.Done(result.status());
  return result;
}

// `result` as the RPC's answer.
template <typename Response>
grpc::Status Reply(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

// CallAuthorized, answered.
template <typename Request, typename Response, typename Serve>
grpc::Status ServeAuthorized(Authenticator& authenticator,
                             grpc::ServerContext& context,
                             absl::string_view service, absl::string_view method,
                             const Request& request, Response* response,
                             Serve serve) {
  return Reply(CallAuthorized(authenticator, context, service, method,
                              request, std::move(serve)),
               response);
}

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_GRPC_AUTH_H_
