#include "analyzer/evidence/aws_ranges.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

constexpr char kFile[] = R"json({
  "syncToken": "1787411825",
  "createDate": "2026-08-22-15-17-05",
  "prefixes": [
    {"ip_prefix": "3.0.0.0/15", "region": "us-east-1", "service": "AMAZON",
     "network_border_group": "us-east-1"},
    {"ip_prefix": "3.0.5.0/24", "region": "us-east-1", "service": "AMAZON",
     "network_border_group": "us-east-1"},
    {"ip_prefix": "3.0.5.0/24", "region": "us-east-1", "service": "EC2",
     "network_border_group": "us-east-1-bos-1"},
    {"ip_prefix": "52.95.0.0/16", "region": "eu-west-1", "service": "S3",
     "network_border_group": "eu-west-1", "future_field": 7}
  ],
  "ipv6_prefixes": [
    {"ipv6_prefix": "2600:1f00::/24", "region": "GLOBAL", "service": "AMAZON",
     "network_border_group": "GLOBAL"},
    {"ipv6_prefix": "2600:1f18:4000::/36", "region": "us-east-1",
     "service": "EC2", "network_border_group": "us-east-1"}
  ]
})json";

net::SocketAddress Ip(const char* text) {
  return *net::SocketAddress::FromIp(text, 0);
}

TEST(AwsRangesTest, LongestPrefixWinsAndEc2BeatsAmazonOnTheSamePrefix) {
  auto ranges = AwsRanges::ParseJson(kFile, "test.json");
  ASSERT_TRUE(ranges.ok()) << ranges.status();
  EXPECT_EQ(ranges->create_date(), "2026-08-22-15-17-05");
  EXPECT_EQ(ranges->source(), "test.json");
  auto m = ranges->Lookup(Ip("3.0.5.77"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->prefix(), "3.0.5.0/24");
  EXPECT_EQ(m->service(), "EC2");
  EXPECT_EQ(m->network_border_group(), "us-east-1-bos-1");
  EXPECT_EQ(m->ranges_date(), "2026-08-22-15-17-05");
  m = ranges->Lookup(Ip("3.1.255.255"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->prefix(), "3.0.0.0/15");
  EXPECT_EQ(m->service(), "AMAZON");
}

TEST(AwsRangesTest, AddressesOutsideOrInOtherServicesDoNotMatch) {
  auto ranges = AwsRanges::ParseJson(kFile, "test.json");
  ASSERT_TRUE(ranges.ok());
  EXPECT_FALSE(ranges->Lookup(Ip("3.2.0.0")).has_value());
  EXPECT_FALSE(ranges->Lookup(Ip("2.255.255.255")).has_value());
  EXPECT_FALSE(ranges->Lookup(Ip("52.95.1.1")).has_value());  // S3 only
  EXPECT_FALSE(ranges->Lookup(Ip("::ffff:3.0.5.1")).has_value());
}

TEST(AwsRangesTest, LooksUpIpv6) {
  auto ranges = AwsRanges::ParseJson(kFile, "test.json");
  ASSERT_TRUE(ranges.ok());
  auto m = ranges->Lookup(Ip("2600:1f18:4abc::1"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->prefix(), "2600:1f18:4000::/36");
  m = ranges->Lookup(Ip("2600:1f99::1"));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->prefix(), "2600:1f00::/24");
  EXPECT_FALSE(ranges->Lookup(Ip("2a00::1")).has_value());
}

TEST(AwsRangesTest, StripKeepsWhatLookupsCanReturn) {
  evidence::AwsIpRangesFile file;
  auto p = file.add_prefixes();
  p->set_ip_prefix("3.0.5.0/24");
  p->set_service("AMAZON");
  p = file.add_prefixes();
  p->set_ip_prefix("3.0.5.0/24");
  p->set_service("EC2");
  p = file.add_prefixes();
  p->set_ip_prefix("52.95.0.0/16");
  p->set_service("S3");
  p = file.add_prefixes();
  p->set_ip_prefix("3.0.0.0/15");
  p->set_service("AMAZON");
  file.set_create_date("d");
  const evidence::AwsIpRangesFile stripped = AwsRanges::Strip(file);
  ASSERT_EQ(stripped.prefixes_size(), 2);
  EXPECT_EQ(stripped.prefixes(0).service(), "EC2");
  EXPECT_EQ(stripped.prefixes(1).ip_prefix(), "3.0.0.0/15");
  EXPECT_EQ(stripped.create_date(), "d");
}

TEST(AwsRangesTest, CreateDateParsesAsUtcOnlyInAwsFormat) {
  EXPECT_EQ(ParseAwsCreateDate("2026-08-22-15-17-05"),
            absl::FromUnixSeconds(1787411825));
  EXPECT_EQ(ParseAwsCreateDate("2026-08-22"), std::nullopt);
  EXPECT_EQ(ParseAwsCreateDate("d"), std::nullopt);
  EXPECT_EQ(ParseAwsCreateDate(""), std::nullopt);
}

struct BadCase {
  std::string json;
  std::string message;
};

TEST(AwsRangesTest, ErrorsNameTheSourceAndWhatIsWrong) {
  const BadCase cases[] = {
      {"not json", "not JSON of the expected shape"},
      {R"({"prefixes": 5})", "not JSON of the expected shape"},
      {R"({"prefixes": []})", "\"createDate\" is missing"},
      {R"({"createDate": "x", "prefixes": []})", "no EC2 or AMAZON prefixes"},
      {R"({"createDate": "x", "prefixes": [{"ip_prefix": "3.0.0.0/33",
          "service": "EC2"}]})",
       "prefixes[0] has \"3.0.0.0/33\", which is not an IPv4 CIDR prefix"},
      {R"({"createDate": "x", "prefixes": [{"ip_prefix": "3.0.0.0",
          "service": "EC2"}]})",
       "not an IPv4 CIDR"},
      {R"({"createDate": "x", "ipv6_prefixes": [{"ipv6_prefix": "3.0.0.0/8",
          "service": "EC2"}]})",
       "ipv6_prefixes[0] has \"3.0.0.0/8\", which is not an IPv6 CIDR"},
  };
  for (const BadCase& c : cases) {
    auto ranges = AwsRanges::ParseJson(c.json, "/etc/ranges.json");
    ASSERT_FALSE(ranges.ok()) << c.json;
    EXPECT_EQ(ranges.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(ranges.status().message());
    EXPECT_NE(message.find("/etc/ranges.json"), std::string::npos) << message;
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace natscope::analyzer
