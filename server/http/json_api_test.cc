// The /v1 JSON API and the rest of the HTTP surface over real HTTP on
// loopback (http::Listener + FrontendHandler), backed by a MemoryStore:
// every route with each kind of caller answers as its gRPC method would
// (the same policy), and bad input is refused with a JSON error.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "common/clock.h"
#include "common/http/http.h"
#include "common/metrics/metrics.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "server/auth/authenticator.h"
#include "server/auth/credentials.h"
#include "server/auth/policy.h"
#include "server/http/frontend.h"
#include "server/http/json_api.h"
#include "server/reports/producer.h"
#include "server/store/memory_store.h"

namespace natscope::server::http {
namespace {

class JsonApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Migrate().ok());
    AddToken("admin-secret", v1::API_TOKEN_ROLE_ADMIN);
    AddToken("viewer-secret", v1::API_TOKEN_ROLE_VIEWER);
    for (const char* id : {"paris-1", "paris-2", "paris-3"}) {
      v1::AgentIdentity agent;
      agent.set_agent_id(id);
      agent.set_site("paris");
      agent.set_role(v1::ROLE_CLIENT);
      ASSERT_TRUE(store_.EnrollAgent(agent, HashCredential(std::string(id) + "-secret"),
                                     "", "")
                      .ok());
    }
    FrontendOptions options;
    options.api = &api_;
    options.metrics = &metrics::DefaultRegistry();
    options.ready = [this] { return ready_; };
    natscope::http::ListenerOptions listen;
    listen.listen = "127.0.0.1:0";
    auto listener = natscope::http::Listener::Start(listen, FrontendHandler(options));
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", listener_->port());
  }

  void AddToken(const std::string& secret, v1::ApiTokenRole role) {
    v1::ApiTokenInfo info;
    const std::string hash = HashCredential(secret);
    info.set_token_id(auth::TokenIdOf(hash));
    info.set_name(secret);
    info.set_role(role);
    ASSERT_TRUE(store_.CreateApiToken(info, hash).ok());
  }

  // A request as `bearer` ("": none); `body` sent as JSON when not empty.
  httplib::Result Send(const std::string& verb, const std::string& path,
                       const std::string& bearer, const std::string& body = "") {
    httplib::Headers headers;
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    if (verb == "GET") return client_->Get(path.c_str(), headers);
    if (verb == "DELETE") return client_->Delete(path.c_str(), headers);
    return client_->Post(path.c_str(), headers, body, "application/json");
  }

  // A concrete path for `pattern`, with made-up values for its variables.
  static std::string Concrete(const std::string& pattern) {
    return absl::StrReplaceAll(pattern, {{"{site}", "paris"},
                                         {"{agent_id}", "nobody"},
                                         {"{token_id}", "0000000000000000"},
                                         {"{schedule_id}", "none"},
                                         {"{run_id}", "12345"}});
  }

  MemoryStore store_;
  auth::Authenticator authenticator_{&store_, &store_};
  QueryServiceCore query_core_{&store_, &store_, &store_, nullptr};
  AdminServiceCore admin_core_{&store_, &store_, &RealClock::Get()};
  ReportProducer producer_{&store_, &store_, &RealClock::Get(), "test"};
  ReportServiceCore report_core_{&store_, &RealClock::Get(), &producer_, nullptr};
  JsonApi api_{ApiRoutes(&query_core_, &admin_core_, &report_core_), &authenticator_};
  absl::Status ready_ = absl::OkStatus();
  std::unique_ptr<natscope::http::Listener> listener_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(JsonApiTest, EveryMethodOfTheThreeServicesHasARoute) {
  std::set<std::string> routed;
  for (const Route& route : api_.routes()) routed.insert(route.full_method);
  for (const char* service : {"natscope.v1.QueryService", "natscope.v1.AdminService",
                              "natscope.v1.ReportService"}) {
    const auto* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    ASSERT_NE(descriptor, nullptr);
    for (int i = 0; i < descriptor->method_count(); ++i) {
      const std::string method =
          "/" + descriptor->full_name() + "/" + descriptor->method(i)->name();
      EXPECT_TRUE(routed.count(method)) << method << " has no HTTP route";
      routed.erase(method);
    }
  }
  EXPECT_TRUE(routed.empty()) << "a route names no method: " << *routed.begin();
}

// The access matrix: for each route and caller, the answer is the policy's
// (the same function gRPC asks), never a leak past it.
TEST_F(JsonApiTest, EveryRouteAnswersEachCallerAsItsGrpcMethodWould) {
  struct CallerCase {
    std::string bearer;
    auth::Caller caller;
  };
  auth::Caller admin, viewer, agent;
  admin.kind = auth::CallerKind::kAdmin;
  viewer.kind = auth::CallerKind::kViewer;
  agent.kind = auth::CallerKind::kAgent;
  const std::vector<CallerCase> callers = {{"", auth::Caller()},
                                           {"admin-secret", admin},
                                           {"viewer-secret", viewer},
                                           {"paris-1-secret", agent}};
  for (const Route& route : api_.routes()) {
    // A harmless body: creations with an empty request are refused by
    // validation, after authorisation.
    const std::string body = route.body ? "{}" : "";
    for (const CallerCase& c : callers) {
      auto got = Send(route.verb, Concrete(route.pattern), c.bearer, body);
      ASSERT_TRUE(got) << route.pattern;
      const absl::Status policy = auth::Authorize(c.caller, route.full_method);
      const std::string what = route.verb + " " + route.pattern + " as " +
                               (c.bearer.empty() ? "anonymous" : c.bearer);
      if (!policy.ok()) {
        EXPECT_EQ(got->status, HttpStatusOf(policy.code())) << what << ": " << got->body;
      } else {
        EXPECT_NE(got->status, 401) << what << ": " << got->body;
        EXPECT_NE(got->status, 403) << what << ": " << got->body;
      }
      EXPECT_TRUE(absl::StartsWith(got->get_header_value("Content-Type"),
                                   "application/json"))
          << what;
      if (got->status != 200) {
        EXPECT_TRUE(absl::StartsWith(got->body, "{\"error\":{\"code\":")) << what
                                                                         << got->body;
      }
    }
  }
}

TEST_F(JsonApiTest, ExplicitCasesOfTheMatrix) {
  EXPECT_EQ(Send("GET", "/v1/sites", "")->status, 401);
  EXPECT_EQ(Send("GET", "/v1/sites", "")->get_header_value("WWW-Authenticate"),
            "Bearer realm=\"natscope\"");
  EXPECT_EQ(Send("GET", "/v1/sites", "wrong-secret")->status, 401);
  EXPECT_EQ(Send("GET", "/v1/sites", "viewer-secret")->status, 200);
  EXPECT_EQ(Send("GET", "/v1/sites", "paris-1-secret")->status, 403);
  EXPECT_EQ(Send("POST", "/v1/api-tokens", "viewer-secret",
                 R"({"role":"API_TOKEN_ROLE_VIEWER","name":"x"})")
                ->status,
            403);
  EXPECT_EQ(Send("GET", "/v1/api-tokens", "viewer-secret")->status, 403);
  EXPECT_EQ(Send("GET", "/v1/schedules", "viewer-secret")->status, 200);
  EXPECT_EQ(Send("DELETE", "/v1/schedules/none", "viewer-secret")->status, 403);
}

TEST_F(JsonApiTest, AdminCreatesAViewerTokenThatThenReadsButCannotWrite) {
  auto created = Send("POST", "/v1/api-tokens", "admin-secret",
                      R"({"role":"API_TOKEN_ROLE_VIEWER","name":"dashboard"})");
  ASSERT_EQ(created->status, 200) << created->body;
  const size_t at = created->body.find("\"token\":\"");
  ASSERT_NE(at, std::string::npos) << created->body;
  const std::string token = created->body.substr(
      at + 9, created->body.find('"', at + 9) - at - 9);
  EXPECT_EQ(Send("GET", "/v1/agents", token)->status, 200);
  EXPECT_EQ(Send("DELETE", "/v1/agents/paris-1", token)->status, 403);
}

TEST_F(JsonApiTest, PagesThroughAgentsWithQueryParameters) {
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    auto got = Send("GET", "/v1/sites/paris/agents?page_size=1&page_token=" + token,
                    "viewer-secret");
    ASSERT_EQ(got->status, 200) << got->body;
    const size_t id = got->body.find("\"agentId\":\"");
    if (id != std::string::npos) {
      seen.push_back(got->body.substr(id + 11, got->body.find('"', id + 11) - id - 11));
    }
    const size_t next = got->body.find("\"nextPageToken\":\"");
    ASSERT_NE(next, std::string::npos) << got->body;
    token = got->body.substr(next + 17, got->body.find('"', next + 17) - next - 17);
    if (token.empty()) break;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"paris-1", "paris-2", "paris-3"}));
  // Escaped for the URL; an unknown token is refused.
  EXPECT_EQ(Send("GET", "/v1/agents?page_token=%00garbage", "viewer-secret")->status, 400);
}

TEST_F(JsonApiTest, RefusesBadInputWithJsonErrors) {
  // Malformed JSON, an unknown field, a wrong type, a wrong content type.
  auto bad_json = Send("POST", "/v1/api-tokens", "admin-secret", R"({"role":)");
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_NE(bad_json->body.find("INVALID_ARGUMENT"), std::string::npos) << bad_json->body;
  auto unknown = Send("POST", "/v1/api-tokens", "admin-secret",
                      R"({"role":"API_TOKEN_ROLE_VIEWER","name":"x","colour":1})");
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("colour"), std::string::npos) << unknown->body;
  EXPECT_EQ(Send("POST", "/v1/api-tokens", "admin-secret", R"({"role":7.5})")->status, 400);
  auto text = client_->Post("/v1/api-tokens",
                            {{"Authorization", "Bearer admin-secret"}}, "role=x",
                            "application/x-www-form-urlencoded");
  EXPECT_EQ(text->status, 415);
  // Unknown and mistyped query parameters; a parameter that is in the path.
  auto param = Send("GET", "/v1/agents?colour=red", "viewer-secret");
  EXPECT_EQ(param->status, 400);
  EXPECT_NE(param->body.find("colour"), std::string::npos);
  EXPECT_EQ(Send("GET", "/v1/agents?page_size=many", "viewer-secret")->status, 400);
  EXPECT_EQ(Send("GET", "/v1/sites/paris/agents?site=lyon", "viewer-secret")->status, 400);
  // A body where none is taken, query parameters where a body is.
  EXPECT_EQ(Send("POST", "/v1/agents/paris-1:reset", "admin-secret", "{}")->status, 400);
  EXPECT_EQ(Send("POST", "/v1/api-tokens?name=x", "admin-secret", "{}")->status, 400);
  // Unknown routes and methods.
  auto missing = Send("GET", "/v1/nothing", "viewer-secret");
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("\"status\":\"NOT_FOUND\""), std::string::npos);
  auto method = Send("POST", "/v1/sites", "admin-secret", "{}");
  EXPECT_EQ(method->status, 405);
  EXPECT_EQ(method->get_header_value("Allow"), "GET");
  // Errors of the core keep their gRPC meaning.
  EXPECT_EQ(Send("GET", "/v1/sites/nowhere", "viewer-secret")->status, 404);
  EXPECT_EQ(Send("GET", "/v1/agents/nobody/history", "viewer-secret")->status, 404);
}

TEST_F(JsonApiTest, ResetAndRemoveAnAgentThroughTheApi) {
  auto reset = Send("POST", "/v1/agents/paris-2:reset", "admin-secret");
  ASSERT_EQ(reset->status, 200) << reset->body;
  EXPECT_NE(reset->body.find("\"agentId\":\"paris-2\""), std::string::npos);
  EXPECT_EQ(Send("GET", "/v1/sites", "paris-2-secret")->status, 401);
  ASSERT_EQ(Send("DELETE", "/v1/agents/paris-3", "admin-secret")->status, 200);
  EXPECT_EQ(Send("DELETE", "/v1/agents/paris-3", "admin-secret")->status, 404);
}

TEST_F(JsonApiTest, SiteTokenPurposeAndRoleAreEnumNames) {
  auto intake = Send("POST", "/v1/enrollment-tokens", "admin-secret",
                     R"({"site":"paris","purpose":"TOKEN_PURPOSE_INTAKE",)"
                     R"("defaultRole":"ROLE_CONNECTOR"})");
  ASSERT_EQ(intake->status, 200) << intake->body;
  EXPECT_NE(intake->body.find("\"purpose\":\"TOKEN_PURPOSE_INTAKE\""),
            std::string::npos)
      << intake->body;
  EXPECT_NE(intake->body.find("\"defaultRole\":\"ROLE_CONNECTOR\""),
            std::string::npos);
  ASSERT_EQ(Send("POST", "/v1/enrollment-tokens", "admin-secret",
                 R"({"site":"paris"})")
                ->status,
            200);
  auto listed = Send("GET", "/v1/enrollment-tokens?site=paris", "admin-secret");
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_NE(listed->body.find("\"purpose\":\"TOKEN_PURPOSE_ENROLL\""),
            std::string::npos)
      << listed->body;
  EXPECT_NE(listed->body.find("\"purpose\":\"TOKEN_PURPOSE_INTAKE\""),
            std::string::npos);
  // The core's rules answer 400, as over gRPC.
  EXPECT_EQ(Send("POST", "/v1/enrollment-tokens", "admin-secret",
                 R"({"site":"paris","defaultRole":"ROLE_CLIENT"})")
                ->status,
            400);
  EXPECT_EQ(Send("POST", "/v1/enrollment-tokens", "admin-secret",
                 R"({"site":"paris","purpose":"TOKEN_PURPOSE_NOPE"})")
                ->status,
            400);
}

TEST_F(JsonApiTest, HealthReadinessAndMetrics) {
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
  ready_ = absl::UnavailableError("database unreachable");
  auto not_ready = client_->Get("/readyz");
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_NE(not_ready->body.find("database unreachable"), std::string::npos);
  Send("GET", "/v1/sites", "viewer-secret");
  auto metrics = client_->Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("natscope_http_requests_total{route=\"GET /v1/sites\""),
            std::string::npos)
      << metrics->body;
}

TEST_F(JsonApiTest, ServesTheDashboardWithSecurityHeaders) {
  auto page = client_->Get("/");
  ASSERT_EQ(page->status, 200);
  EXPECT_TRUE(absl::StartsWith(page->get_header_value("Content-Type"), "text/html"));
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(client_->Get("/app.js")->status, 200);
  EXPECT_EQ(client_->Get("/etc/passwd")->status, 404);
  EXPECT_EQ(client_->Get("/../../etc/passwd")->status, 404);
}

}  // namespace
}  // namespace natscope::server::http
