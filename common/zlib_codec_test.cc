#include "common/zlib_codec.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope {
namespace {

TEST(ZlibCodecTest, RoundTrips) {
  const std::string data(100000, 'x');
  auto compressed = ZlibDeflate(data + "end");
  ASSERT_TRUE(compressed.ok()) << compressed.status();
  EXPECT_LT(compressed->size(), 1000u);
  auto inflated = ZlibInflateBounded(*compressed, data.size() + 3);
  ASSERT_TRUE(inflated.ok()) << inflated.status();
  EXPECT_EQ(*inflated, data + "end");
}

TEST(ZlibCodecTest, EmptyInputRoundTrips) {
  auto compressed = ZlibDeflate("");
  ASSERT_TRUE(compressed.ok());
  auto inflated = ZlibInflateBounded(*compressed, 0);
  ASSERT_TRUE(inflated.ok()) << inflated.status();
  EXPECT_EQ(*inflated, "");
}

TEST(ZlibCodecTest, OneByteOverTheBoundIsRefused) {
  auto compressed = ZlibDeflate(std::string(1001, 'a'));
  ASSERT_TRUE(compressed.ok());
  EXPECT_TRUE(ZlibInflateBounded(*compressed, 1001).ok());
  EXPECT_TRUE(absl::IsResourceExhausted(
      ZlibInflateBounded(*compressed, 1000).status()));
}

TEST(ZlibCodecTest, BombStopsAtTheBound) {
  // 64 MiB of zeros deflate to about 64 KiB; inflating stops at 1 MiB.
  auto compressed = ZlibDeflate(std::string(64 << 20, '\0'), 9);
  ASSERT_TRUE(compressed.ok());
  auto inflated = ZlibInflateBounded(*compressed, 1 << 20);
  EXPECT_TRUE(absl::IsResourceExhausted(inflated.status()));
  EXPECT_NE(inflated.status().message().find("--max_batch_bytes"),
            std::string::npos);
}

TEST(ZlibCodecTest, CorruptTruncatedAndTrailingDataAreInvalid) {
  auto compressed = ZlibDeflate(std::string(5000, 'q'));
  ASSERT_TRUE(compressed.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(
      ZlibInflateBounded("not zlib at all", 1 << 20).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      ZlibInflateBounded(compressed->substr(0, compressed->size() / 2), 1 << 20)
          .status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      ZlibInflateBounded(*compressed + "junk", 1 << 20).status()));
}

TEST(GzipCodecTest, RoundTripsAndWritesAGzipHeader) {
  const std::string data(100000, 'y');
  auto compressed = GzipDeflate(data);
  ASSERT_TRUE(compressed.ok()) << compressed.status();
  ASSERT_GE(compressed->size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>((*compressed)[0]), 0x1f);  // RFC 1952.
  EXPECT_EQ(static_cast<unsigned char>((*compressed)[1]), 0x8b);
  auto inflated = GzipInflateBounded(*compressed, data.size());
  ASSERT_TRUE(inflated.ok()) << inflated.status();
  EXPECT_EQ(*inflated, data);
}

TEST(GzipCodecTest, ReadsWhatGzipWritesWithAFileName) {
  // gzip(1)'s output for "hello\n" read from hello.txt: FNAME set, MTIME 0.
  const unsigned char kHello[] = {
      0x1f, 0x8b, 0x08, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'h',  'e',
      'l',  'l',  'o',  '.',  't',  'x',  't',  0x00, 0xcb, 0x48, 0xcd, 0xc9,
      0xc9, 0xe7, 0x02, 0x00, 0x20, 0x30, 0x3a, 0x36, 0x06, 0x00, 0x00, 0x00};
  auto inflated = GzipInflateBounded(
      absl::string_view(reinterpret_cast<const char*>(kHello), sizeof kHello),
      100);
  ASSERT_TRUE(inflated.ok()) << inflated.status();
  EXPECT_EQ(*inflated, "hello\n");
}

TEST(GzipCodecTest, OneByteOverTheBoundIsRefused) {
  auto compressed = GzipDeflate(std::string(1001, 'a'));
  ASSERT_TRUE(compressed.ok());
  EXPECT_TRUE(GzipInflateBounded(*compressed, 1001).ok());
  EXPECT_TRUE(absl::IsResourceExhausted(
      GzipInflateBounded(*compressed, 1000).status()));
}

TEST(GzipCodecTest, BombStopsAtTheBound) {
  auto compressed = GzipDeflate(std::string(64 << 20, '\0'), 9);
  ASSERT_TRUE(compressed.ok());
  auto inflated = GzipInflateBounded(*compressed, 1 << 20);
  EXPECT_TRUE(absl::IsResourceExhausted(inflated.status()));
  EXPECT_EQ(inflated.status().message().find("--max_batch_bytes"),
            std::string::npos);
}

TEST(GzipCodecTest, ZlibDataCorruptTruncatedAndTrailingDataAreInvalid) {
  auto gzip = GzipDeflate(std::string(5000, 'q'));
  auto zlib = ZlibDeflate(std::string(5000, 'q'));
  ASSERT_TRUE(gzip.ok());
  ASSERT_TRUE(zlib.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(
      GzipInflateBounded("not gzip at all", 1 << 20).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(GzipInflateBounded(*zlib, 1 << 20).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      GzipInflateBounded(gzip->substr(0, gzip->size() - 4), 1 << 20).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      GzipInflateBounded(*gzip + *gzip, 1 << 20).status()));
  // And the zlib inflate does not take gzip.
  EXPECT_TRUE(
      absl::IsInvalidArgument(ZlibInflateBounded(*gzip, 1 << 20).status()));
}

}  // namespace
}  // namespace natscope
