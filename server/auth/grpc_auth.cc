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

absl::StatusOr<Caller> AuthorizeCall(Authenticator& authenticator,
                                     const grpc::ServerContext& context,
                                     absl::string_view full_method,
                                     v1::AgentIdentity* agent) {
  ASSIGN_OR_RETURN(Caller caller,
                   authenticator.Identify(AuthorizationOf(context), agent,
                                          SourceKeyOfPeer(context.peer())));
  RETURN_IF_ERROR(Authorize(caller, full_method));
  return caller;
}

grpc::Status AuthorizingQueryService::Check(const grpc::ServerContext& context,
                                            absl::string_view method) {
  const std::string full =
      absl::StrCat("/", v1::QueryService::service_full_name(), "/", method);
  return ToGrpcStatus(AuthorizeCall(*authenticator_, context, full).status());
}

grpc::Status AuthorizingQueryService::ListSites(
    grpc::ServerContext* context, const v1::ListSitesRequest* request,
    v1::ListSitesResponse* response) {
  grpc::Status status = Check(*context, "ListSites");
  if (!status.ok()) return status;
  return inner_->ListSites(context, request, response);
}

grpc::Status AuthorizingQueryService::GetSiteHealth(
    grpc::ServerContext* context, const v1::GetSiteHealthRequest* request,
    v1::SiteHealth* response) {
  grpc::Status status = Check(*context, "GetSiteHealth");
  if (!status.ok()) return status;
  return inner_->GetSiteHealth(context, request, response);
}

grpc::Status AuthorizingQueryService::ListAgents(
    grpc::ServerContext* context, const v1::ListAgentsRequest* request,
    v1::ListAgentsResponse* response) {
  grpc::Status status = Check(*context, "ListAgents");
  if (!status.ok()) return status;
  return inner_->ListAgents(context, request, response);
}

grpc::Status AuthorizingQueryService::ListFindings(
    grpc::ServerContext* context, const v1::ListFindingsRequest* request,
    v1::ListFindingsResponse* response) {
  grpc::Status status = Check(*context, "ListFindings");
  if (!status.ok()) return status;
  return inner_->ListFindings(context, request, response);
}

grpc::Status AuthorizingQueryService::GetSiteAnalysis(
    grpc::ServerContext* context, const v1::GetSiteHealthRequest* request,
    v1::SiteHealthView* response) {
  grpc::Status status = Check(*context, "GetSiteAnalysis");
  if (!status.ok()) return status;
  return inner_->GetSiteAnalysis(context, request, response);
}

grpc::Status AuthorizingQueryService::GetAgentHistory(
    grpc::ServerContext* context, const v1::GetAgentHistoryRequest* request,
    v1::AgentHistory* response) {
  grpc::Status status = Check(*context, "GetAgentHistory");
  if (!status.ok()) return status;
  return inner_->GetAgentHistory(context, request, response);
}

grpc::Status AuthorizingQueryService::GetTrend(grpc::ServerContext* context,
                                               const v1::GetTrendRequest* request,
                                               v1::Trend* response) {
  grpc::Status status = Check(*context, "GetTrend");
  if (!status.ok()) return status;
  return inner_->GetTrend(context, request, response);
}

}  // namespace natscope::server::auth
