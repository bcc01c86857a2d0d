#include "server/reports/webhook_payload.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

using v1::ReportData;

ReportData SampleData() {
  ReportData data;
  data.set_title("Weekly NAT report");
  data.set_scope_description("all sites");
  data.mutable_generated_at()->set_seconds(1715155200);  // 2024-05-08
  auto* paris = data.add_sites();
  paris->set_site("paris");
  paris->set_clients(40);
  paris->set_connectors(2);
  paris->set_p2p_capable_share(0.9);
  auto* lyon = data.add_sites();
  lyon->set_site("lyon");
  lyon->set_clients(10);
  lyon->set_connectors(1);
  lyon->set_p2p_capable_share(0.2);
  lyon->set_worst_finding(v1::FINDING_UDP_BLOCKED);
  auto* udp = lyon->add_finding_counts();
  udp->set_code(v1::FINDING_UDP_BLOCKED);
  udp->set_agents(8);
  auto* aws = lyon->add_finding_counts();
  aws->set_code(v1::FINDING_AWS_NAT_GATEWAY);
  aws->set_agents(9);
  data.mutable_totals()->set_sites(2);
  data.mutable_totals()->set_clients(50);
  data.mutable_totals()->set_p2p_capable_share(0.76);
  return data;
}

// The "text" of a Slack payload, after checking it is the only field.
std::string TextOf(const std::string& payload) {
  google::protobuf::Struct parsed;
  const auto status =
      google::protobuf::util::JsonStringToMessage(payload, &parsed);
  EXPECT_TRUE(status.ok()) << status << "\n" << payload;
  // Read through reflection, the library's own code: in a TSan build this
  // test's inline Map code (instrumented) does not agree with the map the
  // uninstrumented libprotobuf filled, and parsed.fields().at() crashed.
  const google::protobuf::Reflection& r = *parsed.GetReflection();
  const google::protobuf::FieldDescriptor* fields =
      parsed.GetDescriptor()->FindFieldByName("fields");
  EXPECT_EQ(r.FieldSize(parsed, fields), 1) << payload;
  for (int i = 0; i < r.FieldSize(parsed, fields); ++i) {
    const google::protobuf::Message& entry = r.GetRepeatedMessage(parsed, fields, i);
    const google::protobuf::Descriptor& type = *entry.GetDescriptor();
    const google::protobuf::Reflection& er = *entry.GetReflection();
    if (er.GetString(entry, type.FindFieldByName("key")) != "text") continue;
    const google::protobuf::Message& value =
        er.GetMessage(entry, type.FindFieldByName("value"));
    return value.GetReflection()->GetString(
        value, value.GetDescriptor()->FindFieldByName("string_value"));
  }
  ADD_FAILURE() << "no \"text\" field in " << payload;
  return "";
}

TEST(WebhookSignatureTest, IsHmacSha256OfTimestampDotBody) {
  // python3: hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256)
  EXPECT_EQ(WebhookSignature("s3cret", 1700000000, "{\"a\":1}"),
            "sha256="
            "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940");
}

TEST(WebhookMessageTest,
     ReportFormatPostsTheRenderedReportUnsignedWithoutSecret) {
  const WebhookMessage m = BuildWebhookMessage(
      v1::WEBHOOK_FORMAT_UNSPECIFIED, SampleData(), "# report",
      "text/markdown; charset=utf-8", "", absl::FromUnixSeconds(5));
  EXPECT_EQ(m.body, "# report");
  EXPECT_EQ(m.content_type, "text/markdown; charset=utf-8");
  EXPECT_TRUE(m.headers.empty());
}

TEST(WebhookMessageTest, ASecretAddsTimestampAndSignatureOfTheExactBody) {
  const WebhookMessage m = BuildWebhookMessage(
      v1::WEBHOOK_FORMAT_SLACK, SampleData(), "# report", "text/markdown",
      "k3y", absl::FromUnixSeconds(1700000123));
  EXPECT_EQ(m.content_type, "application/json");
  ASSERT_EQ(m.headers.size(), 2u);
  EXPECT_EQ(m.headers[0].first, "X-Natscope-Timestamp");
  EXPECT_EQ(m.headers[0].second, "1700000123");
  EXPECT_EQ(m.headers[1].first, "X-Natscope-Signature");
  EXPECT_EQ(m.headers[1].second, WebhookSignature("k3y", 1700000123, m.body));
  EXPECT_NE(m.headers[1].second, WebhookSignature("k3y", 1700000124, m.body));
}

TEST(SlackPayloadTest, IsOneTextFieldWithTheWorstSitesAndTheirFindings) {
  const std::string text = TextOf(SlackPayload(SampleData()));
  const std::vector<std::string> lines = absl::StrSplit(text, '\n');
  ASSERT_GE(lines.size(), 5u) << text;
  EXPECT_EQ(lines[0], "*Weekly NAT report* (all sites), 2024-05-08 08:00 UTC")
      << text;
  EXPECT_TRUE(absl::StartsWith(lines[1], "Across 2 sites, 76% of 50 clients"))
      << text;
  EXPECT_EQ(lines[2], "Worst sites:");
  EXPECT_EQ(
      lines[3],
      "- lyon: 20% peer-to-peer, 10 clients, 1 connector; AWS NAT gateway (9), "
      "UDP blocked (8)");
  EXPECT_EQ(lines[4],
            "- paris: 90% peer-to-peer, 40 clients, 2 connectors; no findings");
  EXPECT_FALSE(absl::StrContains(text, "http")) << text;
}

TEST(SlackPayloadTest, SiteNamesCannotMentionLinkOrBreakTheJson) {
  ReportData data = SampleData();
  data.mutable_sites(1)->set_site(
      "<!channel> <https://evil.example|click> \"q\"\\\n&");
  const std::string payload = SlackPayload(data);
  const std::string text = TextOf(payload);
  EXPECT_FALSE(absl::StrContains(text, "<")) << text;
  EXPECT_FALSE(absl::StrContains(text, ">")) << text;
  EXPECT_TRUE(absl::StrContains(text, "&lt;!channel&gt;")) << text;
  EXPECT_TRUE(absl::StrContains(text, "\"q\"\\ &amp;")) << text;
}

TEST(SlackPayloadTest, ListsFiveSitesThenCountsTheRest) {
  ReportData data;
  for (int i = 0; i < 8; ++i) {
    auto* row = data.add_sites();
    row->set_site(absl::StrCat("site-", i));
    row->set_p2p_capable_share(i / 10.0);
  }
  const std::string text = SlackText(data);
  EXPECT_TRUE(absl::StrContains(text, "- site-4:")) << text;
  EXPECT_FALSE(absl::StrContains(text, "- site-5:")) << text;
  EXPECT_TRUE(absl::StrContains(text, "and 3 more sites")) << text;
}

TEST(SlackPayloadTest, NoDataSaysSo) {
  ReportData data;
  data.set_scope_description("sites a, b");
  const std::string text = SlackText(data);
  EXPECT_TRUE(absl::StrContains(text, "No data yet")) << text;
  EXPECT_FALSE(absl::StrContains(text, "Worst sites")) << text;
}

}  // namespace
}  // namespace natscope::server
