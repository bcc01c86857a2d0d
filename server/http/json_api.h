// The /v1 JSON API: every QueryService, AdminService and ReportService
// method as an HTTP route in the style of Google's HTTP/JSON transcoding
// (resource paths, GET for reads with filters and page tokens as query
// parameters, POST/DELETE for changes, bodies in proto3 JSON printed by
// protobuf's own printer). Each request is authorised exactly as the gRPC
// method it maps to (auth::AuthorizeRequest with the same bearer token
// and policy) and answered by the same transport-free core, so the two
// surfaces cannot drift apart. Errors carry the gRPC status mapped to an
// HTTP status and a JSON body {"error": {"code", "status", "message"}}.
// docs/http-api.md lists the routes.
//
// Thread-safe (the cores and the Authenticator are).
#ifndef NATSCOPE_SERVER_HTTP_JSON_API_H_
#define NATSCOPE_SERVER_HTTP_JSON_API_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/http/http.h"
#include "google/protobuf/message.h"
#include "server/auth/authenticator.h"
#include "server/auth/authorize.h"
#include "server/service/admin_service.h"
#include "server/service/query_service.h"
#include "server/service/report_service.h"

namespace natscope::server::http {

// One route: an HTTP method and path pattern mapped to a gRPC method.
struct Route {
  std::string verb;     // "GET", "POST", "DELETE"
  // "/v1/sites/{site}/agents"; a {name} matches one non-empty segment and
  // sets the request field `name`; ":reset" after the last segment is a
  // custom verb.
  std::string pattern;
  std::string full_method;  // "/natscope.v1.QueryService/ListAgents"
  // True: the request body is the request message in JSON.
  bool body = false;
  // A new, empty request message.
  std::function<std::unique_ptr<google::protobuf::Message>()> new_request;
  // Answers an authorised request.
  std::function<absl::StatusOr<std::unique_ptr<google::protobuf::Message>>(
      const google::protobuf::Message& request, const auth::AuthorizedCall& call)>
      serve;
};

// Every route over the three cores (not owned; must outlive the routes).
std::vector<Route> ApiRoutes(QueryServiceCore* query, AdminServiceCore* admin,
                             ReportServiceCore* reports);

// The gRPC status code's HTTP status (Google's mapping: NOT_FOUND 404,
// INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, ...).
int HttpStatusOf(absl::StatusCode code);

// `status` as an HTTP error response with a JSON body.
natscope::http::HttpResponse ErrorResponse(const absl::Status& status);

class JsonApi {
 public:
  // `authenticator` is not owned and must outlive this object.
  JsonApi(std::vector<Route> routes, auth::Authenticator* authenticator);

  // Answers a request whose path starts with "/v1/": 404 for an unknown
  // path, 405 (with Allow) for a known path with another method, 415 for
  // a body that is not JSON, otherwise the route's answer.
  natscope::http::HttpResponse Handle(const natscope::http::HttpRequest& request) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  // The route for `request`, filling `*path_fields`; nullptr when none
  // (then *allowed lists the methods the path has, if any).
  const Route* Match(const natscope::http::HttpRequest& request,
                     std::vector<std::pair<std::string, std::string>>* path_fields,
                     std::string* allowed) const;
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Serve(
      const Route& route, const natscope::http::HttpRequest& request,
      const std::vector<std::pair<std::string, std::string>>& path_fields) const;

  std::vector<Route> routes_;
  // Each route's pattern cut into segments once (json_api.cc's Pattern).
  std::vector<std::vector<std::string>> segments_;
  std::vector<std::string> custom_verbs_;
  auth::Authenticator* authenticator_;
};

}  // namespace natscope::server::http

#endif  // NATSCOPE_SERVER_HTTP_JSON_API_H_
