#include "analyzer/evidence/aws_ranges_source.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

constexpr char kFullFile[] = "analyzer/evidence/data/aws-ip-ranges.json";

net::SocketAddress Ip(const char* text) {
  return *net::SocketAddress::FromIp(text, 0);
}

TEST(AwsRangesSourceTest, EmbeddedCopyMatchesTheShippedFile) {
  auto embedded = EmbeddedAwsRanges();
  ASSERT_TRUE(embedded.ok()) << embedded.status();
  auto full = LoadAwsRangesFile(kFullFile);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(embedded->create_date(), "2026-08-22-15-17-05");
  EXPECT_EQ(embedded->create_date(), full->create_date());
  EXPECT_EQ(embedded->source(), "built-in");
  EXPECT_EQ(full->source(), kFullFile);
  // Every EC2/AMAZON answer of the full file is also the embedded answer.
  for (const char* ip : {"3.4.12.4", "3.5.140.7", "15.190.244.1", "52.1.1.1",
                         "18.184.0.1", "8.8.8.8", "2600:1f18::1"}) {
    auto a = embedded->Lookup(Ip(ip));
    auto b = full->Lookup(Ip(ip));
    ASSERT_EQ(a.has_value(), b.has_value()) << ip;
    if (a) {
      EXPECT_EQ(a->prefix(), b->prefix()) << ip;
      EXPECT_EQ(a->service(), b->service()) << ip;
    }
  }
  EXPECT_FALSE(embedded->Lookup(Ip("8.8.8.8")).has_value());
}

TEST(AwsRangesSourceTest, FullPublishedFileLoadsWellUnder100Ms) {
  const absl::Time start = absl::Now();
  auto full = LoadAwsRanges(kFullFile);
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(full.ok()) << full.status();
  std::cout << "full ip-ranges.json: " << full->size()
            << " EC2/AMAZON prefixes loaded in " << took << "\n";
  const absl::Time e_start = absl::Now();
  auto embedded = LoadAwsRanges("");
  std::cout << "embedded copy: " << embedded->size() << " prefixes in "
            << absl::Now() - e_start << "\n";
  // Generous for loaded CI machines; typical is far lower (see the log).
  EXPECT_LT(took, absl::Milliseconds(
                      std::getenv("NATSCOPE_STRICT_TIMING") ? 100 : 500));
}

TEST(AwsRangesSourceTest, MissingFileIsNotFoundAndNamesTheFile) {
  auto ranges = LoadAwsRangesFile("/nonexistent/ranges.json");
  ASSERT_FALSE(ranges.ok());
  EXPECT_EQ(ranges.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(ranges.status().message().find("/nonexistent/ranges.json"),
            std::string::npos);
}

TEST(AwsRangesSourceTest, TruncatedFileIsInvalidArgumentAndNamesTheFile) {
  const std::string path =
      std::string(std::getenv("TEST_TMPDIR")) + "/truncated.json";
  std::ofstream(path) << "{\"createDate\": \"x\", \"prefixes\": [";
  auto ranges = LoadAwsRangesFile(path);
  ASSERT_FALSE(ranges.ok());
  EXPECT_EQ(ranges.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ranges.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace natscope::analyzer
