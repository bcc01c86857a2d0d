#include "common/stun/crc32.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

absl::Span<const uint8_t> AsBytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                             s.size());
}

TEST(Crc32Test, MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32(AsBytes("123456789")), 0xCBF43926u);
}

TEST(Crc32Test, EmptyInputIsZero) { EXPECT_EQ(Crc32({}), 0u); }

TEST(Crc32Test, MatchesKnownStrings) {
  EXPECT_EQ(Crc32(AsBytes("a")), 0xE8B7BE43u);
  EXPECT_EQ(Crc32(AsBytes("The quick brown fox jumps over the lazy dog")),
            0x414FA339u);
}

}  // namespace
}  // namespace natscope::stun
