#include "tests/evidence/natpmp_responder.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope::tests {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

NatPmpResponder::Options Options(uint16_t code) {
  return {net::SocketAddress(), net::SocketAddress::IPv4({100, 64, 0, 9}, 0),
          code};
}

TEST(NatPmpResponderTest, AnswersExternalAddressRequestPerRfc6886) {
  EXPECT_EQ(NatPmpAnswer(Bytes({0, 0}), Options(0), 0x01020304),
            Bytes({0, 128, 0, 0, 1, 2, 3, 4, 100, 64, 0, 9}));
}

TEST(NatPmpResponderTest, AnswersConfiguredResultCode) {
  EXPECT_EQ(NatPmpAnswer(Bytes({0, 0}), Options(3), 7).substr(0, 8),
            Bytes({0, 128, 0, 3, 0, 0, 0, 7}));
}

TEST(NatPmpResponderTest, AnswersOtherVersionsAsUnsupported) {
  std::string pcp(24, '\0');
  pcp[0] = 2;
  EXPECT_EQ(NatPmpAnswer(pcp, Options(0), 7),
            Bytes({0, 128, 0, 1, 0, 0, 0, 7}));
}

TEST(NatPmpResponderTest, AnswersMappingOpcodesAsUnsupported) {
  EXPECT_EQ(NatPmpAnswer(Bytes({0, 1, 0, 0}), Options(0), 7),
            Bytes({0, 129, 0, 5, 0, 0, 0, 7}));
}

TEST(NatPmpResponderTest, IgnoresResponsesAndRunts) {
  EXPECT_EQ(NatPmpAnswer(Bytes({0}), Options(0), 7), "");
  EXPECT_EQ(NatPmpAnswer(Bytes({0, 128}), Options(0), 7), "");
}

}  // namespace
}  // namespace natscope::tests
