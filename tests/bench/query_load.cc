#include "tests/bench/query_load.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/query.grpc.pb.h"

namespace natscope::bench {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(60);
constexpr int kWarmUpCalls = 10;

// Times one call of `call` (which fills `*status` and returns the response
// size) into `*latency`.
void Measure(
    const std::function<grpc::Status(grpc::ClientContext*, int64_t*)>& call,
    const std::string& token, MethodLatency* latency) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  int64_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  const grpc::Status status = call(&context, &bytes);
  const double ms = std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  if (status.ok()) {
    latency->millis.push_back(ms);
    latency->response_bytes += bytes;
  } else {
    ++latency->errors;
    if (latency->first_error.empty()) {
      latency->first_error = absl::StrCat("code ", status.error_code(), ": ",
                                          status.error_message());
    }
  }
}

}  // namespace

double Percentile(std::vector<double> millis, double p) {
  if (millis.empty()) return 0;
  std::sort(millis.begin(), millis.end());
  const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * millis.size()));
  return millis[std::clamp<size_t>(rank, 1, millis.size()) - 1];
}

absl::StatusOr<std::vector<MethodLatency>> RunQueries(
    const QueryOptions& options) {
  grpc::ChannelArguments args;
  // ListSites of 10,000 sites is several MB.
  args.SetMaxReceiveMessageSize(256 << 20);
  auto stub = v1::QueryService::NewStub(grpc::CreateCustomChannel(
      options.server, grpc::InsecureChannelCredentials(), args));

  auto list = [&](grpc::ClientContext* context, int64_t* bytes,
                  v1::ListSitesResponse* response) {
    grpc::Status status =
        stub->ListSites(context, v1::ListSitesRequest(), response);
    *bytes = static_cast<int64_t>(response->ByteSizeLong());
    return status;
  };
  std::vector<std::string> sites;
  {
    MethodLatency first;
    v1::ListSitesResponse response;
    Measure([&](grpc::ClientContext* c,
                int64_t* b) { return list(c, b, &response); },
            options.token, &first);
    if (first.errors > 0) {
      return absl::UnavailableError(absl::StrCat(
          "ListSites failed (", first.first_error, "): is the server up on ",
          options.server, " and --token_file an admin or viewer token?"));
    }
    for (const v1::SiteSummary& site : response.sites())
      sites.push_back(site.site());
  }
  if (sites.empty()) {
    return absl::FailedPreconditionError(
        "ListSites returned no site: load a fleet first (server_load "
        "load-fleet)");
  }

  std::mt19937_64 random(options.seed);
  auto random_site = [&] {
    v1::GetSiteHealthRequest request;
    request.set_site(sites[random() % sites.size()]);
    return request;
  };
  using Call = std::function<grpc::Status(grpc::ClientContext*, int64_t*)>;
  const Call list_call = [&](grpc::ClientContext* c, int64_t* b) {
    v1::ListSitesResponse response;
    return list(c, b, &response);
  };
  const Call health_call = [&](grpc::ClientContext* c, int64_t* b) {
    v1::SiteHealth response;
    grpc::Status status = stub->GetSiteHealth(c, random_site(), &response);
    *b = static_cast<int64_t>(response.ByteSizeLong());
    return status;
  };
  const Call analysis_call = [&](grpc::ClientContext* c, int64_t* b) {
    v1::SiteHealthView response;
    grpc::Status status = stub->GetSiteAnalysis(c, random_site(), &response);
    *b = static_cast<int64_t>(response.ByteSizeLong());
    return status;
  };
  const Call page_call = [&](grpc::ClientContext* c, int64_t* b) {
    v1::ListSitesRequest request;
    request.set_page_size(100);
    v1::ListSitesResponse response;
    grpc::Status status = stub->ListSites(c, request, &response);
    *b = static_cast<int64_t>(response.ByteSizeLong());
    return status;
  };
  // The JSON API over one kept-alive connection, as a dashboard's backend
  // would call it; the gRPC context is unused.
  std::unique_ptr<httplib::Client> http;
  if (!options.http_server.empty()) {
    http = std::make_unique<httplib::Client>("http://" + options.http_server);
    http->set_keep_alive(true);
    http->set_read_timeout(60);
    http->set_default_headers({{"Authorization", "Bearer " + options.token}});
  }
  const auto http_get = [&](const char* path) -> Call {
    return [&http, path](grpc::ClientContext*, int64_t* b) {
      httplib::Result got = http->Get(path);
      if (!got) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            httplib::to_string(got.error()));
      }
      if (got->status != 200) {
        return grpc::Status(grpc::StatusCode::UNKNOWN,
                            absl::StrCat("HTTP ", got->status, ": ", got->body));
      }
      *b = static_cast<int64_t>(got->body.size());
      return grpc::Status::OK;
    };
  };
  const Call http_page_call = http_get("/v1/sites?page_size=100");
  const Call http_list_call = http_get("/v1/sites");
  std::vector<std::tuple<const char*, const Call*, int>> plan = {
      {"ListSites", &list_call, options.list_iterations},
      {"ListSites/100", &page_call, options.list_iterations},
      {"GetSiteHealth", &health_call, options.site_iterations},
      {"GetSiteAnalysis", &analysis_call, options.site_iterations},
  };
  if (http != nullptr) {
    plan.emplace_back("HTTP:sites?100", &http_page_call, options.list_iterations);
    plan.emplace_back("HTTP:sites", &http_list_call, options.list_iterations);
  }
  std::vector<MethodLatency> results;
  for (const auto& [method, call, iterations] : plan) {
    MethodLatency warm_up;
    for (int i = 0; i < kWarmUpCalls; ++i)
      Measure(*call, options.token, &warm_up);
    MethodLatency& latency = results.emplace_back();
    latency.method = method;
    for (int i = 0; i < iterations; ++i)
      Measure(*call, options.token, &latency);
  }
  return results;
}

}  // namespace natscope::bench
