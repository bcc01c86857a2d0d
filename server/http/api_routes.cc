// The route table of the /v1 JSON API (json_api.h). One line per gRPC
// method; json_api_test checks that every method of the three services
// has exactly one route.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/http/json_api.h"

namespace natscope::server::http {
namespace {

using google::protobuf::Message;

// A route answering `Request` with `serve(request, call)`, which returns
// absl::StatusOr<Response>.
template <typename Request, typename Serve>
Route Bind(std::string verb, std::string pattern, absl::string_view service,
           absl::string_view method, bool body, Serve serve) {
  Route route;
  route.verb = std::move(verb);
  route.pattern = std::move(pattern);
  route.full_method = absl::StrCat("/", service, "/", method);
  route.body = body;
  route.new_request = [] { return std::make_unique<Request>(); };
  route.serve = [serve = std::move(serve)](const Message& request,
                                           const auth::AuthorizedCall& call)
      -> absl::StatusOr<std::unique_ptr<Message>> {
    auto response = serve(static_cast<const Request&>(request), call);
    if (!response.ok()) return response.status();
    using Response = typename std::decay_t<decltype(response)>::value_type;
    return std::unique_ptr<Message>(new Response(*std::move(response)));
  };
  return route;
}

constexpr bool kBody = true;
constexpr bool kNoBody = false;

using Call = auth::AuthorizedCall;

// QueryService: reads, for admins and viewers.
void AddQueryRoutes(QueryServiceCore* query, std::vector<Route>& routes) {
  const std::string q = v1::QueryService::service_full_name();
  routes.push_back(Bind<v1::ListSitesRequest>(
      "GET", "/v1/sites", q, "ListSites", kNoBody,
      [query](const v1::ListSitesRequest& req, const Call&) { return query->ListSites(req); }));
  routes.push_back(Bind<v1::GetSiteHealthRequest>(
      "GET", "/v1/sites/{site}", q, "GetSiteHealth", kNoBody,
      [query](const v1::GetSiteHealthRequest& req, const Call&) {
        return query->GetSiteHealth(req);
      }));
  routes.push_back(Bind<v1::GetSiteHealthRequest>(
      "GET", "/v1/sites/{site}/analysis", q, "GetSiteAnalysis", kNoBody,
      [query](const v1::GetSiteHealthRequest& req, const Call&) {
        return query->GetSiteAnalysis(req, absl::Now());
      }));
  routes.push_back(Bind<v1::ListAgentsRequest>(
      "GET", "/v1/agents", q, "ListAgents", kNoBody,
      [query](const v1::ListAgentsRequest& req, const Call&) { return query->ListAgents(req); }));
  routes.push_back(Bind<v1::ListAgentsRequest>(
      "GET", "/v1/sites/{site}/agents", q, "ListAgents", kNoBody,
      [query](const v1::ListAgentsRequest& req, const Call&) { return query->ListAgents(req); }));
  routes.push_back(Bind<v1::GetAgentRequest>(
      "GET", "/v1/agents/{agent_id}", q, "GetAgent", kNoBody,
      [query](const v1::GetAgentRequest& req, const Call&) { return query->GetAgent(req, absl::Now()); }));
  routes.push_back(Bind<v1::GetAgentHistoryRequest>(
      "GET", "/v1/agents/{agent_id}/history", q, "GetAgentHistory", kNoBody,
      [query](const v1::GetAgentHistoryRequest& req, const Call&) {
        return query->GetAgentHistory(req);
      }));
  routes.push_back(Bind<v1::ListFindingsRequest>(
      "GET", "/v1/findings", q, "ListFindings", kNoBody,
      [query](const v1::ListFindingsRequest& req, const Call&) {
        return query->ListFindings(req);
      }));
  routes.push_back(Bind<v1::ListFindingsRequest>(
      "GET", "/v1/sites/{site}/findings", q, "ListFindings", kNoBody,
      [query](const v1::ListFindingsRequest& req, const Call&) {
        return query->ListFindings(req);
      }));
  routes.push_back(Bind<v1::GetTrendRequest>(
      "GET", "/v1/trend", q, "GetTrend", kNoBody,
      [query](const v1::GetTrendRequest& req, const Call&) {
        return query->GetTrend(req, absl::Now());
      }));
  routes.push_back(Bind<v1::GetTrendRequest>(
      "GET", "/v1/sites/{site}/trend", q, "GetTrend", kNoBody,
      [query](const v1::GetTrendRequest& req, const Call&) {
        return query->GetTrend(req, absl::Now());
      }));
}

// AdminService: tokens and agents, admins only.
void AddAdminRoutes(AdminServiceCore* admin, std::vector<Route>& routes) {
  const std::string a = v1::AdminService::service_full_name();
  routes.push_back(Bind<v1::CreateEnrollmentTokenRequest>(
      "POST", "/v1/enrollment-tokens", a, "CreateEnrollmentToken", kBody,
      [admin](const v1::CreateEnrollmentTokenRequest& req, const Call&) {
        return admin->CreateEnrollmentToken(req);
      }));
  routes.push_back(Bind<v1::ListEnrollmentTokensRequest>(
      "GET", "/v1/enrollment-tokens", a, "ListEnrollmentTokens", kNoBody,
      [admin](const v1::ListEnrollmentTokensRequest& req, const Call&) {
        return admin->ListEnrollmentTokens(req);
      }));
  routes.push_back(Bind<v1::RevokeEnrollmentTokenRequest>(
      "DELETE", "/v1/enrollment-tokens/{token_id}", a, "RevokeEnrollmentToken", kNoBody,
      [admin](const v1::RevokeEnrollmentTokenRequest& req, const Call&) {
        return admin->RevokeEnrollmentToken(req);
      }));
  routes.push_back(Bind<v1::CreateApiTokenRequest>(
      "POST", "/v1/api-tokens", a, "CreateApiToken", kBody,
      [admin](const v1::CreateApiTokenRequest& req, const Call&) {
        return admin->CreateApiToken(req);
      }));
  routes.push_back(Bind<v1::ListApiTokensRequest>(
      "GET", "/v1/api-tokens", a, "ListApiTokens", kNoBody,
      [admin](const v1::ListApiTokensRequest& req, const Call&) {
        return admin->ListApiTokens(req);
      }));
  routes.push_back(Bind<v1::RevokeApiTokenRequest>(
      "DELETE", "/v1/api-tokens/{token_id}", a, "RevokeApiToken", kNoBody,
      [admin](const v1::RevokeApiTokenRequest& req, const Call&) {
        return admin->RevokeApiToken(req);
      }));
  routes.push_back(Bind<v1::ResetAgentRequest>(
      "POST", "/v1/agents/{agent_id}:reset", a, "ResetAgent", kNoBody,
      [admin](const v1::ResetAgentRequest& req, const Call&) {
        return admin->ResetAgent(req);
      }));
  routes.push_back(Bind<v1::RemoveAgentRequest>(
      "DELETE", "/v1/agents/{agent_id}", a, "RemoveAgent", kNoBody,
      [admin](const v1::RemoveAgentRequest& req, const Call&) {
        return admin->RemoveAgent(req);
      }));
  routes.push_back(Bind<v1::RequestProbeRequest>(
      "POST", "/v1/probes", a, "RequestProbe", kBody,
      [admin](const v1::RequestProbeRequest& req, const Call&) {
        return admin->RequestProbe(req);
      }));
}

// ReportService: admins create, delete and run; viewers list and read.
void AddReportRoutes(ReportServiceCore* reports, std::vector<Route>& routes) {
  const std::string r = v1::ReportService::service_full_name();
  routes.push_back(Bind<v1::CreateScheduleRequest>(
      "POST", "/v1/schedules", r, "CreateSchedule", kBody,
      [reports](const v1::CreateScheduleRequest& req, const Call&) {
        return reports->CreateSchedule(req);
      }));
  routes.push_back(Bind<v1::ListSchedulesRequest>(
      "GET", "/v1/schedules", r, "ListSchedules", kNoBody,
      [reports](const v1::ListSchedulesRequest& req, const Call& call) {
        return reports->ListSchedules(
            req, /*reveal_secrets=*/call.caller.kind == auth::CallerKind::kAdmin);
      }));
  routes.push_back(Bind<v1::DeleteScheduleRequest>(
      "DELETE", "/v1/schedules/{schedule_id}", r, "DeleteSchedule", kNoBody,
      [reports](const v1::DeleteScheduleRequest& req, const Call&) {
        return reports->DeleteSchedule(req);
      }));
  routes.push_back(Bind<v1::RunReportRequest>(
      "POST", "/v1/reports:run", r, "RunReport", kBody,
      [reports](const v1::RunReportRequest& req, const Call&) {
        return reports->RunReport(req);
      }));
  routes.push_back(Bind<v1::ListReportsRequest>(
      "GET", "/v1/reports", r, "ListReports", kNoBody,
      [reports](const v1::ListReportsRequest& req, const Call&) {
        return reports->ListReports(req);
      }));
  routes.push_back(Bind<v1::GetReportRequest>(
      "GET", "/v1/reports/{run_id}", r, "GetReport", kNoBody,
      [reports](const v1::GetReportRequest& req, const Call&) {
        return reports->GetReport(req);
      }));
}

}  // namespace

std::vector<Route> ApiRoutes(QueryServiceCore* query, AdminServiceCore* admin,
                             ReportServiceCore* reports) {
  std::vector<Route> routes;
  AddQueryRoutes(query, routes);
  AddAdminRoutes(admin, routes);
  AddReportRoutes(reports, routes);
  return routes;
}

}  // namespace natscope::server::http
