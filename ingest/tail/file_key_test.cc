#include "ingest/tail/file_key.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

TEST(FileKeyTest, RoundTripsThroughItsString) {
  const FileKey key{2049, 1234567, 256, 0x00ab'cdef'0123'4567ull};
  EXPECT_EQ(key.ToString(), "2049:1234567:256:00abcdef01234567");
  EXPECT_EQ(FileKey::FromString(key.ToString()), key);
}

TEST(FileKeyTest, RejectsAnythingElse) {
  EXPECT_FALSE(FileKey::FromString(""));
  EXPECT_FALSE(FileKey::FromString("1:2:3"));
  EXPECT_FALSE(FileKey::FromString("1:2:3:zz"));
  EXPECT_FALSE(FileKey::FromString("a:2:3:4"));
}

TEST(FileKeyTest, FingerprintDependsOnEveryByte) {
  EXPECT_NE(Fingerprint("abc"), Fingerprint("abd"));
  EXPECT_NE(Fingerprint(""), Fingerprint(absl::string_view("\0", 1)));
  EXPECT_EQ(Fingerprint("same"), Fingerprint("same"));
}

}  // namespace
}  // namespace natscope::ingest
