// The shape of every authorised natscope RPC: check the caller may call
// "/<service>/<method>", run the transport-free core, map its Status.
#ifndef NATSCOPE_SERVER_SERVICE_SERVE_AUTHORIZED_H_
#define NATSCOPE_SERVER_SERVICE_SERVE_AUTHORIZED_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "server/auth/grpc_auth.h"

namespace natscope::server {

// Authorises `context` for `service`/`method` (e.g.
// v1::ReportService::service_full_name(), "RunReport"), then answers with
// `core(request)`.
template <typename Request, typename Response, typename Core>
grpc::Status ServeAuthorized(auth::Authenticator& authenticator,
                             grpc::ServerContext& context, absl::string_view service,
                             absl::string_view method, const Request& request,
                             Response* response, Core core) {
  const std::string full = absl::StrCat("/", service, "/", method);
  auto caller = auth::AuthorizeCall(authenticator, context, full);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Response> result = core(request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_SERVE_AUTHORIZED_H_
