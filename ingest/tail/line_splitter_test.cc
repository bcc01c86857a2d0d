#include "ingest/tail/line_splitter.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

std::vector<std::string> Texts(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const Line& l : lines) out.push_back(l.text);
  return out;
}

TEST(LineSplitterTest, PartialLineWaitsForItsNewline) {
  LineSplitter s;
  std::vector<Line> out;
  s.Feed("first\nsec", &out);
  EXPECT_EQ(Texts(out), std::vector<std::string>{"first"});
  EXPECT_EQ(s.pending_bytes(), 3u);
  s.Feed("ond\r\n", &out);
  EXPECT_EQ(Texts(out), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(out[1].end_offset, 14u);  // "first\n" + "second\r\n"
}

TEST(LineSplitterTest, OverlongLineIsCutFlaggedAndItsTailDropped) {
  LineSplitter s(4);
  std::vector<Line> out;
  s.Feed("abcdefgh", &out);
  s.Feed("ij\nok\n", &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text, "abcd");
  EXPECT_TRUE(out[0].truncated);
  EXPECT_EQ(out[1].text, "ok");
  EXPECT_FALSE(out[1].truncated);
  EXPECT_EQ(out[1].end_offset, 14u);
  EXPECT_EQ(s.truncated_lines(), 1u);
}

TEST(LineSplitterTest, OffsetsStartWhereTheStreamResumed) {
  LineSplitter s(64, 100);
  std::vector<Line> out;
  s.Feed("x\n", &out);
  EXPECT_EQ(out[0].end_offset, 102u);
}

TEST(LineSplitterTest, BinaryNoiseIsJustBytes) {
  LineSplitter s;
  std::vector<Line> out;
  s.Feed(absl::string_view("\x00\xff\xfe\n", 4), &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text.size(), 3u);
}

}  // namespace
}  // namespace natscope::ingest
