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

}  // namespace
}  // namespace natscope
