#include "server/http/request_fields.h"

#include "gtest/gtest.h"
#include "natscope/v1/query.pb.h"
#include "natscope/v1/reports.pb.h"

namespace natscope::server::http {
namespace {

TEST(SetFieldFromTextTest, SetsScalarsByProtoOrJsonName) {
  v1::ListAgentsRequest request;
  ASSERT_TRUE(SetFieldFromText("site", "paris", &request).ok());
  ASSERT_TRUE(SetFieldFromText("pageSize", "5", &request).ok());
  ASSERT_TRUE(SetFieldFromText("page_token", "abc", &request).ok());
  ASSERT_TRUE(SetFieldFromText("role", "ROLE_CONNECTOR", &request).ok());
  ASSERT_TRUE(SetFieldFromText("finding", "3", &request).ok());
  EXPECT_EQ(request.site(), "paris");
  EXPECT_EQ(request.page_size(), 5);
  EXPECT_EQ(request.page_token(), "abc");
  EXPECT_EQ(request.role(), v1::ROLE_CONNECTOR);
  EXPECT_EQ(static_cast<int>(request.finding()), 3);
}

TEST(SetFieldFromTextTest, SetsNestedRepeatedBoolsAndTimes) {
  v1::RunReportRequest request;
  ASSERT_TRUE(SetFieldFromText("scope.sites.sites", "a", &request).ok());
  ASSERT_TRUE(SetFieldFromText("scope.sites.sites", "b", &request).ok());
  ASSERT_EQ(request.scope().sites().sites_size(), 2);
  EXPECT_EQ(request.scope().sites().sites(1), "b");
  v1::GetTrendRequest trend;
  ASSERT_TRUE(SetFieldFromText("from", "2026-12-01T10:00:00.5Z", &trend).ok());
  EXPECT_EQ(trend.from().seconds(), 1796119200);
  EXPECT_EQ(trend.from().nanos(), 500000000);
  v1::ListSitesRequest sites;
  ASSERT_TRUE(SetFieldFromText("sort_by_name", "true", &sites).ok());
  EXPECT_TRUE(sites.sort_by_name());
}

TEST(SetFieldFromTextTest, RefusesUnknownNamesAndBadValuesNamingThem) {
  v1::ListAgentsRequest request;
  absl::Status unknown = SetFieldFromText("color", "red", &request);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("color"), std::string::npos) << unknown;
  absl::Status number = SetFieldFromText("page_size", "ten", &request);
  EXPECT_EQ(number.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(number.message().find("page_size=\"ten\""), std::string::npos) << number;
  EXPECT_FALSE(SetFieldFromText("page_size", "99999999999", &request).ok());
  EXPECT_FALSE(SetFieldFromText("role", "ROLE_BOSS", &request).ok());
  v1::GetTrendRequest trend;
  EXPECT_FALSE(SetFieldFromText("from", "yesterday", &trend).ok());
  EXPECT_FALSE(SetFieldFromText("from.seconds.x", "1", &trend).ok());
  EXPECT_FALSE(SetFieldFromText("", "1", &trend).ok());
}

TEST(ParseJsonBodyTest, ParsesProto3JsonAndRefusesUnknownFields) {
  v1::ListAgentsRequest request;
  ASSERT_TRUE(ParseJsonBody(R"({"site":"paris","pageSize":2,"role":"ROLE_CLIENT"})",
                            &request)
                  .ok());
  EXPECT_EQ(request.site(), "paris");
  EXPECT_EQ(request.page_size(), 2);
  ASSERT_TRUE(ParseJsonBody("  ", &request).ok());
  EXPECT_EQ(request.site(), "");
  absl::Status unknown = ParseJsonBody(R"({"sight":"paris"})", &request);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("sight"), std::string::npos) << unknown;
  EXPECT_FALSE(ParseJsonBody(R"({"site":)", &request).ok());
  EXPECT_FALSE(ParseJsonBody(R"({"pageSize":"many"})", &request).ok());
  EXPECT_FALSE(ParseJsonBody(R"([1,2])", &request).ok());
  const absl::Status huge = ParseJsonBody(std::string(5000, '{'), &request);
  EXPECT_FALSE(huge.ok());
  EXPECT_LT(huge.message().size(), 500u);
}

TEST(ToJsonTest, PrintsCamelCaseEnumNamesAndDefaults) {
  v1::ListAgentsRequest request;
  request.set_role(v1::ROLE_CLIENT);
  const std::string json = ToJson(request);
  EXPECT_NE(json.find("\"role\":\"ROLE_CLIENT\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"pageSize\":0"), std::string::npos) << json;
}

}  // namespace
}  // namespace natscope::server::http
