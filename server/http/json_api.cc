#include "server/http/json_api.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/json_string.h"
#include "common/metrics/metrics.h"
#include "server/http/request_fields.h"

namespace natscope::server::http {
namespace {

using natscope::http::HttpRequest;
using natscope::http::HttpResponse;

constexpr char kJson[] = "application/json; charset=utf-8";

// `pattern` split into segments, the custom verb (":reset") cut off.
struct Pattern {
  std::vector<std::string> segments;
  std::string custom_verb;
};

Pattern Split(absl::string_view path) {
  Pattern out;
  absl::string_view last_part = path;
  const size_t slash = path.rfind('/');
  const size_t colon = path.find(':', slash == absl::string_view::npos ? 0 : slash);
  if (colon != absl::string_view::npos) {
    out.custom_verb = std::string(path.substr(colon));
    last_part = path.substr(0, colon);
  }
  for (absl::string_view s : absl::StrSplit(last_part, '/', absl::SkipEmpty())) {
    out.segments.emplace_back(s);
  }
  return out;
}

// Whether `path` fits `pattern`; fills `fields` with its variables.
bool Fits(const std::vector<std::string>& segments, const std::string& custom_verb,
          const Pattern& path, std::vector<std::pair<std::string, std::string>>* fields) {
  if (segments.size() != path.segments.size() || custom_verb != path.custom_verb) {
    return false;
  }
  fields->clear();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = segments[i];
    if (absl::StartsWith(want, "{") && absl::EndsWith(want, "}")) {
      fields->emplace_back(want.substr(1, want.size() - 2), path.segments[i]);
    } else if (want != path.segments[i]) {
      return false;
    }
  }
  return true;
}

std::string JsonString(absl::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kJson;
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

// Requests served over HTTP, by route and HTTP status, and their latency.
void Record(absl::string_view route, int status,
            std::chrono::steady_clock::time_point start) {
  static metrics::HistogramFamily& durations = metrics::DefaultRegistry().Histogram(
      "natscope_http_request_duration_seconds",
      "Time to answer an HTTP API request, authorisation included, by route.",
      {"route"});
  static metrics::CounterFamily& requests = metrics::DefaultRegistry().Counter(
      "natscope_http_requests_total", "HTTP API requests answered, by route and status.",
      {"route", "status"});
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  durations.With({std::string(route)}).Observe(elapsed.count());
  requests.With({std::string(route), absl::StrCat(status)}).Increment();
}

}  // namespace

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;  // Unknown, Internal, DataLoss.
  }
}

HttpResponse ErrorResponse(const absl::Status& status) {
  const int http_status = HttpStatusOf(status.code());
  HttpResponse response = Json(
      http_status,
      absl::StrCat("{\"error\":{\"code\":", http_status, ",\"status\":",
                   JsonString(absl::StatusCodeToString(status.code())),
                   ",\"message\":", JsonString(status.message()), "}}"));
  if (http_status == 401) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"natscope\"");
  }
  return response;
}

JsonApi::JsonApi(std::vector<Route> routes, auth::Authenticator* authenticator)
    : routes_(std::move(routes)), authenticator_(authenticator) {
  for (const Route& route : routes_) {
    Pattern pattern = Split(route.pattern);
    segments_.push_back(std::move(pattern.segments));
    custom_verbs_.push_back(std::move(pattern.custom_verb));
  }
}

const Route* JsonApi::Match(const HttpRequest& request,
                            std::vector<std::pair<std::string, std::string>>* path_fields,
                            std::string* allowed) const {
  const Pattern path = Split(request.path);
  std::vector<std::string> verbs;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!Fits(segments_[i], custom_verbs_[i], path, path_fields)) continue;
    if (routes_[i].verb == request.method) return &routes_[i];
    verbs.push_back(routes_[i].verb);
  }
  *allowed = absl::StrJoin(verbs, ", ");
  return nullptr;
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> JsonApi::Serve(
    const Route& route, const HttpRequest& request,
    const std::vector<std::pair<std::string, std::string>>& path_fields) const {
  // Authorise first: an anonymous or wrong-kind caller learns nothing
  // about the request's validity.
  absl::StatusOr<auth::AuthorizedCall> call = auth::AuthorizeRequest(
      *authenticator_, request.Header("authorization"),
      auth::SourceKeyOfAddress(request.remote_address), route.full_method);
  if (!call.ok()) return call.status();
  std::unique_ptr<google::protobuf::Message> message = route.new_request();
  if (route.body) {
    if (absl::Status parsed = ParseJsonBody(request.body, message.get()); !parsed.ok()) {
      return parsed;
    }
    if (!request.query.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          request.method, " ", route.pattern,
          " takes its fields in the JSON body, not as query parameters"));
    }
  } else {
    if (!absl::StripAsciiWhitespace(request.body).empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          request.method, " ", route.pattern, " takes no body"));
    }
    for (const auto& [name, value] : request.query) {
      for (const auto& path_field : path_fields) {
        if (path_field.first == name) {
          return absl::InvalidArgumentError(absl::StrCat(
              "parameter ", name, " is part of the path ", route.pattern));
        }
      }
      if (absl::Status set = SetFieldFromText(name, value, message.get()); !set.ok()) {
        return set;
      }
    }
  }
  for (const auto& [name, value] : path_fields) {
    // Path variables win over the body, as in HTTP/JSON transcoding.
    message->GetReflection()->ClearField(
        message.get(), message->GetDescriptor()->FindFieldByName(name));
    if (absl::Status set = SetFieldFromText(name, value, message.get()); !set.ok()) {
      return set;
    }
  }
  return route.serve(*message, *call);
}

HttpResponse JsonApi::Handle(const HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, std::string>> path_fields;
  std::string allowed;
  const Route* route = Match(request, &path_fields, &allowed);
  if (route == nullptr) {
    if (allowed.empty()) {
      Record("unknown", 404, start);
      return ErrorResponse(absl::NotFoundError(absl::StrCat(
          "no API route ", request.path, " (docs/http-api.md lists them)")));
    }
    HttpResponse response = Json(405, absl::StrCat(
        "{\"error\":{\"code\":405,\"status\":\"METHOD_NOT_ALLOWED\",\"message\":",
        JsonString(absl::StrCat(request.path, " answers ", allowed, ", not ",
                                request.method)),
        "}}"));
    response.headers.emplace_back("Allow", allowed);
    Record("unknown", 405, start);
    return response;
  }
  const std::string route_name = absl::StrCat(route->verb, " ", route->pattern);
  const std::string content_type = absl::AsciiStrToLower(request.Header("content-type"));
  if (route->body && !absl::StripAsciiWhitespace(request.body).empty() &&
      !absl::StartsWith(content_type, "application/json")) {
    HttpResponse response = ErrorResponse(absl::InvalidArgumentError(
        "send the body as JSON with Content-Type: application/json"));
    response.status = 415;
    Record(route_name, 415, start);
    return response;
  }
  auto answer = Serve(*route, request, path_fields);
  HttpResponse response =
      answer.ok() ? Json(200, ToJson(**answer)) : ErrorResponse(answer.status());
  Record(route_name, response.status, start);
  return response;
}

}  // namespace natscope::server::http
