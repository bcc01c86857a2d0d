#include "common/utf8.h"

#include "gtest/gtest.h"

namespace natscope {
namespace {

TEST(Utf8Test, ValidTextIsUnchanged) {
  EXPECT_EQ(SanitizeUtf8("plain ascii"), "plain ascii");
  EXPECT_EQ(SanitizeUtf8("\xE3\x83\x9E caf\xC3\xA9"), "\xE3\x83\x9E caf\xC3\xA9");
  EXPECT_TRUE(IsCleanUtf8("caf\xC3\xA9"));
}

TEST(Utf8Test, InvalidBytesAndNulBecomeReplacementCharacters) {
  EXPECT_EQ(SanitizeUtf8(absl::string_view("a\0b", 3)), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SanitizeUtf8("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // Overlong.
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // Surrogate.
  EXPECT_EQ(SanitizeUtf8("ok\xE3\x83"), "ok\xEF\xBF\xBD\xEF\xBF\xBD");  // Truncated.
  EXPECT_FALSE(IsCleanUtf8("\xFF"));
}

}  // namespace
}  // namespace natscope
