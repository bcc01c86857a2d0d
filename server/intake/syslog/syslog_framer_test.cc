#include "server/intake/syslog/syslog_framer.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace natscope::server::intake {
namespace {

// Every frame available now; fails the test on a framing error.
std::vector<std::string> Drain(SyslogFramer& framer) {
  std::vector<std::string> frames;
  for (;;) {
    auto next = framer.Next();
    EXPECT_TRUE(next.ok()) << next.status();
    if (!next.ok() || !next->has_value()) return frames;
    frames.push_back(std::move(**next));
  }
}

std::vector<std::string> FrameAll(absl::string_view stream, size_t max = 64) {
  SyslogFramer framer(max);
  framer.Append(stream);
  return Drain(framer);
}

TEST(SyslogFramerTest, LinesEndedByLfLoseTheirCr) {
  EXPECT_EQ(FrameAll("<13>a\n<13>b\r\n"),
            (std::vector<std::string>{"<13>a", "<13>b"}));
}

TEST(SyslogFramerTest, EmptyLinesAreSkipped) {
  EXPECT_EQ(FrameAll("\n\r\n<13>a\n\n"), std::vector<std::string>{"<13>a"});
}

TEST(SyslogFramerTest, OctetCountedFramesMayHoldLfs) {
  EXPECT_EQ(FrameAll("7 <13>a\nb5 <13>c"),
            (std::vector<std::string>{"<13>a\nb", "<13>c"}));
}

TEST(SyslogFramerTest, FramingsMayAlternate) {
  EXPECT_EQ(FrameAll("<13>line\n5 <13>x<13>y\n"),
            (std::vector<std::string>{"<13>line", "<13>x", "<13>y"}));
}

TEST(SyslogFramerTest, IncompleteFrameWaitsForMoreBytes) {
  SyslogFramer framer;
  framer.Append("11 <13>he");
  EXPECT_TRUE(Drain(framer).empty());
  EXPECT_TRUE(framer.HasPartial());
  framer.Append("llo w<13>no");
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"<13>hello w"});
  EXPECT_TRUE(framer.HasPartial());
  framer.Append("\n");
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"<13>no"});
  EXPECT_FALSE(framer.HasPartial());
}

TEST(SyslogFramerTest, EverySplitGivesTheSameFrames) {
  const std::string stream = "<13>one\r\n9 <13>two\n3<13>three\n\n4 four";
  const std::vector<std::string> want = {"<13>one", "<13>two\n3", "<13>three",
                                         "four"};
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    SyslogFramer framer;
    framer.Append(stream.substr(0, cut));
    std::vector<std::string> got = Drain(framer);
    framer.Append(stream.substr(cut));
    for (std::string& f : Drain(framer)) got.push_back(f);
    EXPECT_EQ(got, want) << "cut at " << cut;
  }
}

TEST(SyslogFramerTest, ByteAtATimeGivesTheSameFrames) {
  const std::string stream = "<13>one\n9 <13>two\n3<13>three\n";
  SyslogFramer framer;
  std::vector<std::string> got;
  for (char c : stream) {
    framer.Append(absl::string_view(&c, 1));
    for (std::string& f : Drain(framer)) got.push_back(f);
  }
  EXPECT_EQ(got,
            (std::vector<std::string>{"<13>one", "<13>two\n3", "<13>three"}));
}

TEST(SyslogFramerTest, OverlongLineIsCutAndItsTailDiscarded) {
  SyslogFramer framer(8);
  framer.Append("<13>abcdefghij");
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"<13>abcd"});
  EXPECT_EQ(framer.truncated(), 1u);
  EXPECT_TRUE(framer.HasPartial());  // Still skipping to the LF.
  framer.Append("klmnop");
  EXPECT_TRUE(Drain(framer).empty());
  framer.Append("qr\n<13>next\n");
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"<13>next"});
  EXPECT_FALSE(framer.HasPartial());
}

TEST(SyslogFramerTest, OverlongLineInOneAppendIsCut) {
  SyslogFramer framer(4);
  framer.Append("<13>abcdef\n<13>\n");
  EXPECT_EQ(Drain(framer), (std::vector<std::string>{"<13>", "<13>"}));
  EXPECT_EQ(framer.truncated(), 1u);
}

TEST(SyslogFramerTest, LineOfExactlyMaxIsWhole) {
  SyslogFramer framer(5);
  framer.Append("<13>a\r\n");
  EXPECT_EQ(Drain(framer), std::vector<std::string>{"<13>a"});
  EXPECT_EQ(framer.truncated(), 0u);
}

TEST(SyslogFramerTest, OctetCountOverTheLimitLosesTheStream) {
  SyslogFramer framer(10);
  framer.Append("11 <13>hello!");
  auto next = framer.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(next.status().message().find("over the limit"), std::string::npos);
  // Sticky: nothing resynchronises the stream.
  framer.Append("\n<13>x\n");
  EXPECT_FALSE(framer.Next().ok());
}

TEST(SyslogFramerTest, CountNotFollowedBySpaceLosesTheStream) {
  SyslogFramer framer;
  framer.Append("12x");
  EXPECT_FALSE(framer.Next().ok());
}

TEST(SyslogFramerTest, ElevenDigitsLoseTheStreamBeforeTheSpace) {
  SyslogFramer framer;
  framer.Append("12345678901");
  EXPECT_FALSE(framer.Next().ok());
}

TEST(SyslogFramerTest, TenDigitsWaitForTheSpace) {
  SyslogFramer framer;
  framer.Append("1234567890");
  auto next = framer.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

TEST(SyslogFramerTest, MemoryStaysBoundedUnderAnEndlessLine) {
  SyslogFramer framer(1024);
  const std::string chunk(100, 'x');
  for (int i = 0; i < 10000; ++i) {
    framer.Append(chunk);
    Drain(framer);
    EXPECT_LE(framer.buffered(), 1024u + chunk.size());
  }
  EXPECT_EQ(framer.truncated(), 1u);
}

TEST(SyslogFramerTest, ManySmallFramesCompactTheBuffer) {
  SyslogFramer framer(64);
  size_t frames = 0;
  for (int i = 0; i < 20000; ++i) {
    framer.Append(absl::StrCat("<13>message ", i, "\n7 <13>abc"));
    frames += Drain(framer).size();
    EXPECT_LE(framer.buffered(), 64u + 11u + 40u);
  }
  EXPECT_EQ(frames, 40000u);
}

}  // namespace
}  // namespace natscope::server::intake
