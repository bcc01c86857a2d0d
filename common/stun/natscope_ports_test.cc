#include "common/stun/natscope_ports.h"

#include "common/stun/codec.h"
#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

TEST(NatscopePortsTest, SurvivesTheWire) {
  Message m;
  m.message_class = MessageClass::kSuccessResponse;
  m.extra_attributes.push_back(NatscopePortsAttribute({3478, 443, 53}));
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok());
  auto decoded = Decode(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->unknown_comprehension_required.empty());
  EXPECT_EQ(NatscopePorts(*decoded), (std::vector<uint16_t>{3478, 443, 53}));
}

TEST(NatscopePortsTest, AbsentOrOddLengthIsNothing) {
  Message m;
  EXPECT_FALSE(NatscopePorts(m).has_value());
  m.extra_attributes.push_back({kAttrNatscopePorts, {1, 2, 3}});
  EXPECT_FALSE(NatscopePorts(m).has_value());
}

TEST(NatscopePortsTest, ListIsBounded) {
  std::vector<uint16_t> many(40, 7);
  EXPECT_EQ(NatscopePortsAttribute(many).value.size(), 2 * kMaxAdvertisedPorts);
}

}  // namespace
}  // namespace natscope::stun
