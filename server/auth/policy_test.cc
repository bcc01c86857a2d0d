#include "server/auth/policy.h"

#include "gtest/gtest.h"

namespace natscope::server::auth {
namespace {

Caller Of(CallerKind kind) {
  Caller caller;
  caller.kind = kind;
  caller.agent_id = "host-1";
  caller.site = "paris";
  caller.token_id = "0123456789abcdef";
  return caller;
}

constexpr char kListSites[] = "/natscope.v1.QueryService/ListSites";
constexpr char kCreateToken[] = "/natscope.v1.AdminService/CreateApiToken";
constexpr char kListTokens[] = "/natscope.v1.AdminService/ListApiTokens";
constexpr char kHealth[] = "/grpc.health.v1.Health/Check";

TEST(PolicyTest, AdminMayCallEverythingButIngest) {
  const Caller admin = Of(CallerKind::kAdmin);
  for (const char* m : {kListSites, kCreateToken, kListTokens, kHealth,
                        kAgentEnroll, "/natscope.v1.ReportService/RunReport"}) {
    EXPECT_TRUE(Authorize(admin, m).ok()) << m;
  }
  EXPECT_EQ(Authorize(admin, kAgentIngest).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(PolicyTest, ViewerMayOnlyRead) {
  const Caller viewer = Of(CallerKind::kViewer);
  EXPECT_TRUE(Authorize(viewer, kListSites).ok());
  EXPECT_TRUE(
      Authorize(viewer, "/natscope.v1.QueryService/GetSiteHealth").ok());
  EXPECT_TRUE(Authorize(viewer, "/natscope.v1.ReportService/ListReports").ok());
  EXPECT_TRUE(Authorize(viewer, kHealth).ok());
  for (const char* m : {kCreateToken, kListTokens, kAgentIngest,
                        "/natscope.v1.AdminService/RevokeEnrollmentToken",
                        "/natscope.v1.ReportService/RunReport",
                        "/natscope.v1.ReportService/Listen",
                        "/natscope.v1.ReportService/DeleteSchedule"}) {
    const absl::Status status = Authorize(viewer, m);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << m;
    EXPECT_NE(status.message().find("read-only"), absl::string_view::npos);
  }
}

TEST(PolicyTest, AgentCredentialWorksOnlyOnAgentService) {
  const Caller agent = Of(CallerKind::kAgent);
  EXPECT_TRUE(Authorize(agent, kAgentIngest).ok());
  EXPECT_TRUE(Authorize(agent, kAgentEnroll).ok());
  for (const char* m : {kListSites, kCreateToken, kListTokens,
                        "/natscope.v1.ReportService/ListReports"}) {
    const absl::Status status = Authorize(agent, m);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << m;
    EXPECT_NE(status.message().find("only on AgentService"),
              absl::string_view::npos)
        << status;
  }
}

TEST(PolicyTest, AnonymousGetsHealthAndEnrollOnly) {
  const Caller anonymous;
  EXPECT_TRUE(Authorize(anonymous, kHealth).ok());
  EXPECT_TRUE(Authorize(anonymous, kAgentEnroll).ok());
  for (const char* m : {kListSites, kCreateToken, kAgentIngest,
                        "/grpc.reflection.v1alpha.ServerReflection/Info"}) {
    EXPECT_EQ(Authorize(anonymous, m).code(),
              absl::StatusCode::kUnauthenticated)
        << m;
  }
}

TEST(PolicyTest, MalformedMethodNamesAreDenied) {
  const Caller admin = Of(CallerKind::kAdmin);
  for (const char* m :
       {"", "/", "ListSites", "/natscope.v1.QueryService/", "//ListSites"}) {
    EXPECT_EQ(Authorize(admin, m).code(), absl::StatusCode::kPermissionDenied)
        << m;
  }
}

TEST(PolicyTest, OnlyEnrollAndHealthAreOpenToAnyone) {
  EXPECT_TRUE(OpenToAnyone(kAgentEnroll));
  EXPECT_TRUE(OpenToAnyone("/grpc.health.v1.Health/Check"));
  EXPECT_FALSE(OpenToAnyone(kAgentIngest));
  EXPECT_FALSE(OpenToAnyone("/natscope.v1.QueryService/ListSites"));
  EXPECT_FALSE(OpenToAnyone("/natscope.v1.AdminService/CreateApiToken"));
  EXPECT_FALSE(OpenToAnyone("malformed"));
}

}  // namespace
}  // namespace natscope::server::auth
