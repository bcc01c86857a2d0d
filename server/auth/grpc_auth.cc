#include "server/auth/grpc_auth.h"

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/metrics/metrics.h"
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
  return AuthorizeRequest(authenticator, AuthorizationOf(context),
                          SourceKeyOfPeer(context.peer()), full_method);
}

void RpcMeter::Done(const absl::Status& status) const {
  static metrics::HistogramFamily& durations =
      metrics::DefaultRegistry().Histogram(
          "natscope_rpc_duration_seconds",
          "Time to serve a gRPC call, authorisation included, by method.",
          {"method"});
  static metrics::CounterFamily& requests = metrics::DefaultRegistry().Counter(
      "natscope_rpc_requests_total", "gRPC calls served, by method and code.",
      {"method", "code"});
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start_;
  durations.With({full_method_}).Observe(elapsed.count());
  // The gRPC code name ("OK", "UNAVAILABLE"): absl's codes are gRPC's.
  requests.With({full_method_, absl::StatusCodeToString(status.code())})
      .Increment();
}

}  // namespace natscope::server::auth
