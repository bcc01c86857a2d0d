#include "server/stun/stun_stream_framer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

// A Binding request with `id_byte` in its transaction id and PADDING of
// `padding` bytes (0: none), so that messages differ in content and size.
std::string Request(uint8_t id_byte, uint16_t padding = 0) {
  stun::Message m =
      stun::MakeBindingRequest({id_byte, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  if (padding != 0) m.padding_length = padding;
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto bytes = stun::Encode(m, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

// A header declaring a body of `length` bytes, without the body.
std::string Header(uint16_t length) {
  std::string h = Request(1).substr(0, kStunHeaderBytes);
  h[2] = static_cast<char>(length >> 8);
  h[3] = static_cast<char>(length & 0xFF);
  return h;
}

TEST(StunStreamFramerTest, OneMessageInOneFeed) {
  StunStreamFramer framer;
  const std::string m = Request(1);
  auto out = framer.Feed(m);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, std::vector<std::string>{m});
  EXPECT_TRUE(framer.at_message_boundary());
}

TEST(StunStreamFramerTest, MergedMessagesComeOutInOrder) {
  StunStreamFramer framer;
  const std::string a = Request(1), b = Request(2, 100), c = Request(3);
  auto out = framer.Feed(a + b + c);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StunStreamFramerTest, EverySplitOfTwoMessagesGivesTheSameMessages) {
  const std::string a = Request(1, 40), b = Request(2);
  const std::string stream = a + b;
  for (size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
    for (size_t cut2 = cut1; cut2 <= stream.size(); cut2 += 7) {
      StunStreamFramer framer;
      std::vector<std::string> all;
      for (absl::string_view part :
           {absl::string_view(stream).substr(0, cut1),
            absl::string_view(stream).substr(cut1, cut2 - cut1),
            absl::string_view(stream).substr(cut2)}) {
        auto out = framer.Feed(part);
        ASSERT_TRUE(out.ok()) << out.status();
        all.insert(all.end(), out->begin(), out->end());
      }
      EXPECT_EQ(all, (std::vector<std::string>{a, b}))
          << "cuts at " << cut1 << " and " << cut2;
    }
  }
}

TEST(StunStreamFramerTest, ByteByByteKeepsAtMostOneIncompleteMessage) {
  StunStreamFramer framer;
  const std::string a = Request(1, 200), b = Request(2);
  std::vector<std::string> all;
  for (char byte : a + b) {
    auto out = framer.Feed(absl::string_view(&byte, 1));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_LT(framer.buffered(), a.size());
    all.insert(all.end(), out->begin(), out->end());
  }
  EXPECT_EQ(all, (std::vector<std::string>{a, b}));
}

TEST(StunStreamFramerTest, HeaderOnlyMessageIsComplete) {
  StunStreamFramer framer;
  auto out = framer.Feed(Header(0));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 1u);
}

TEST(StunStreamFramerTest, NonStunFirstByteIsRefusedAtOnce) {
  StunStreamFramer framer;
  auto out = framer.Feed("G");  // "GET / HTTP/1.1": 0x47 has bit 6 set.
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("not STUN"), std::string::npos);
  EXPECT_EQ(framer.buffered(), 0u);
}

TEST(StunStreamFramerTest, TlsClientHelloIsRefused) {
  StunStreamFramer framer;
  EXPECT_FALSE(framer.Feed(std::string("\x16\x03\x01\x02\x00", 5)).ok());
}

TEST(StunStreamFramerTest, WrongMagicCookieIsRefusedBeforeTheHeaderEnds) {
  std::string h = Header(0);
  h[6] = 0;
  StunStreamFramer framer;
  auto out = framer.Feed(h.substr(0, 7));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("magic cookie"), std::string::npos);
}

TEST(StunStreamFramerTest, LengthNotAMultipleOfFourIsRefused) {
  StunStreamFramer framer;
  auto out = framer.Feed(Header(6).substr(0, 4));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("multiple of 4"), std::string::npos);
}

TEST(StunStreamFramerTest, LengthAboveTheBoundIsRefusedFromTheHeader) {
  StunStreamFramer framer;
  EXPECT_TRUE(framer.Feed(Header(kDefaultMaxStunBodyBytes)).ok());
  StunStreamFramer small(64);
  auto out = small.Feed(Header(68).substr(0, 4));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("above the 64 bytes"),
            std::string::npos);
  StunStreamFramer big;
  EXPECT_FALSE(big.Feed(Header(kDefaultMaxStunBodyBytes + 4)).ok());
}

TEST(StunStreamFramerTest, BufferedBytesStayBelowOneMaximalMessage) {
  StunStreamFramer framer(64);
  const std::string header = Header(64);
  auto out = framer.Feed(header + std::string(63, '\0'));
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
  EXPECT_EQ(framer.buffered(), kStunHeaderBytes + 63);
  out = framer.Feed(std::string(1, '\0') + header);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->size(), 1u);
  EXPECT_EQ(framer.buffered(), kStunHeaderBytes);
}

TEST(StunStreamFramerTest, GarbageAfterAGoodMessageFailsTheWholeFeed) {
  StunStreamFramer framer;
  auto out = framer.Feed(Request(1) + "GET / HTTP/1.1\r\n");
  EXPECT_FALSE(out.ok());
}

TEST(StunStreamFramerTest, RefusalIsFinal) {
  StunStreamFramer framer;
  ASSERT_FALSE(framer.Feed("\xff").ok());
  auto again = framer.Feed(Request(1));
  EXPECT_FALSE(again.ok());
  EXPECT_FALSE(framer.Feed("").ok());
}

TEST(StunStreamFramerTest, EmptyFeedIsNothing) {
  StunStreamFramer framer;
  auto out = framer.Feed("");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
}

}  // namespace
}  // namespace natscope::server
