// The gRPC edge of access control: every natscope service calls
// AuthorizeCall first thing in each method.
//
// gRPC 1.51's experimental server interceptors cannot refuse a call before
// its handler runs (they can only observe or cancel), so the check is a
// call at the top of each method instead: AgentService and AdminService
// make it themselves, and QueryService is wrapped in
// AuthorizingQueryService so that its own code stays free of it.
#ifndef NATSCOPE_SERVER_AUTH_GRPC_AUTH_H_
#define NATSCOPE_SERVER_AUTH_GRPC_AUTH_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/query.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/auth/policy.h"

namespace natscope::server::auth {

// The "authorization" metadata value of `context` ("" when absent).
absl::string_view AuthorizationOf(const grpc::ServerContext& context);

// Identifies the caller of `context` and checks it may call `full_method`.
// Errors as Authenticator::Identify and Authorize.
absl::StatusOr<Caller> AuthorizeCall(Authenticator& authenticator,
                                     const grpc::ServerContext& context,
                                     absl::string_view full_method,
                                     v1::AgentIdentity* agent = nullptr);

// QueryService with AuthorizeCall in front of each method of `inner`.
// Both pointers must outlive this object. A method the proto gains and
// this class does not forward answers UNIMPLEMENTED (fails closed);
// grpc_auth_test checks that every method is forwarded.
class AuthorizingQueryService final : public v1::QueryService::Service {
 public:
  AuthorizingQueryService(v1::QueryService::Service* inner,
                          Authenticator* authenticator)
      : inner_(inner), authenticator_(authenticator) {}

  grpc::Status ListSites(grpc::ServerContext*, const v1::ListSitesRequest*,
                         v1::ListSitesResponse*) override;
  grpc::Status GetSiteHealth(grpc::ServerContext*,
                             const v1::GetSiteHealthRequest*,
                             v1::SiteHealth*) override;
  grpc::Status ListAgents(grpc::ServerContext*, const v1::ListAgentsRequest*,
                          v1::ListAgentsResponse*) override;
  grpc::Status ListFindings(grpc::ServerContext*,
                            const v1::ListFindingsRequest*,
                            v1::ListFindingsResponse*) override;
  grpc::Status GetAgentHistory(grpc::ServerContext*,
                               const v1::GetAgentHistoryRequest*,
                               v1::AgentHistory*) override;
  grpc::Status GetSiteAnalysis(grpc::ServerContext*,
                               const v1::GetSiteHealthRequest*,
                               v1::SiteHealthView*) override;
  grpc::Status GetTrend(grpc::ServerContext*, const v1::GetTrendRequest*,
                        v1::Trend*) override;

 private:
  grpc::Status Check(const grpc::ServerContext& context,
                     absl::string_view method);

  v1::QueryService::Service* inner_;
  Authenticator* authenticator_;
};

}  // namespace natscope::server::auth

#endif  // NATSCOPE_SERVER_AUTH_GRPC_AUTH_H_
