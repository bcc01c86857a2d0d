// QueryService's gRPC face: each method authorises the caller and hands
// the request to QueryServiceCore.
#include "server/service/query_service.h"

#include "absl/time/clock.h"
#include "server/auth/grpc_auth.h"

namespace natscope::server {

grpc::Status QueryServiceImpl::ListSites(grpc::ServerContext* context,
                                  const v1::ListSitesRequest* request,
                                  v1::ListSitesResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "ListSites",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::ListSitesRequest& r) {
        return core_->ListSites(r);
      });
}

grpc::Status QueryServiceImpl::GetSiteHealth(grpc::ServerContext* context,
                                  const v1::GetSiteHealthRequest* request,
                                  v1::SiteHealth* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "GetSiteHealth",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::GetSiteHealthRequest& r) {
        return core_->GetSiteHealth(r, absl::Now());
      });
}

grpc::Status QueryServiceImpl::ListAgents(grpc::ServerContext* context,
                                  const v1::ListAgentsRequest* request,
                                  v1::ListAgentsResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "ListAgents",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::ListAgentsRequest& r) {
        return core_->ListAgents(r);
      });
}

grpc::Status QueryServiceImpl::GetSiteAnalysis(grpc::ServerContext* context,
                                  const v1::GetSiteHealthRequest* request,
                                  v1::SiteHealthView* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "GetSiteAnalysis",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::GetSiteHealthRequest& r) {
        return core_->GetSiteAnalysis(r, absl::Now());
      });
}

grpc::Status QueryServiceImpl::GetAgent(grpc::ServerContext* context,
                                  const v1::GetAgentRequest* request,
                                  v1::AgentState* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "GetAgent",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::GetAgentRequest& r) {
        return core_->GetAgent(r, absl::Now());
      });
}

grpc::Status QueryServiceImpl::GetAgentHistory(grpc::ServerContext* context,
                                  const v1::GetAgentHistoryRequest* request,
                                  v1::AgentHistory* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "GetAgentHistory",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::GetAgentHistoryRequest& r) {
        return core_->GetAgentHistory(r);
      });
}

grpc::Status QueryServiceImpl::ListFindings(grpc::ServerContext* context,
                                  const v1::ListFindingsRequest* request,
                                  v1::ListFindingsResponse* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "ListFindings",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::ListFindingsRequest& r) {
        return core_->ListFindings(r, absl::Now());
      });
}

grpc::Status QueryServiceImpl::GetTrend(grpc::ServerContext* context,
                                  const v1::GetTrendRequest* request,
                                  v1::Trend* response) {
  return auth::ServeAuthorized(
      *authenticator_, *context, v1::QueryService::service_full_name(), "GetTrend",
      *request, response,
      [this](const auth::AuthorizedCall&, const v1::GetTrendRequest& r) {
        return core_->GetTrend(r, absl::Now());
      });
}

}  // namespace natscope::server
