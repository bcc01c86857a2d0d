#include "server/stun/responder.h"

#include "common/stun/codec.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

std::string EncodeString(const stun::Message& m) {
  auto bytes = stun::Encode(m);
  EXPECT_TRUE(bytes.ok());
  return std::string(bytes->begin(), bytes->end());
}

stun::Message DecodeString(const std::string& s) {
  auto m = stun::Decode(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

const net::SocketAddress kSource = *net::SocketAddress::Parse("192.0.2.7:40000");
const net::SocketAddress kLocal = *net::SocketAddress::Parse("198.51.100.1:3478");

TEST(StunResponseTest, BindingRequestGetsTheSourceBack) {
  stun::Message request;
  request.transaction_id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  auto reply = StunResponse(EncodeString(request), kSource, kLocal);
  ASSERT_TRUE(reply.has_value());
  stun::Message response = DecodeString(*reply);
  EXPECT_EQ(response.message_class, stun::MessageClass::kSuccessResponse);
  EXPECT_EQ(response.transaction_id, request.transaction_id);
  EXPECT_EQ(response.xor_mapped_address, kSource);
  EXPECT_EQ(response.response_origin, kLocal);
  EXPECT_TRUE(response.has_fingerprint);
}

TEST(StunResponseTest, UnknownRequiredAttributeGets420) {
  stun::Message request;
  request.extra_attributes.push_back({0x7777, {1, 2, 3, 4}});
  auto reply = StunResponse(EncodeString(request), kSource, kLocal);
  ASSERT_TRUE(reply.has_value());
  stun::Message response = DecodeString(*reply);
  ASSERT_TRUE(response.error_code.has_value());
  EXPECT_EQ(response.error_code->code, 420);
  EXPECT_EQ(response.unknown_attributes, std::vector<uint16_t>{0x7777});
}

TEST(StunResponseTest, NoiseAndResponsesGetNoAnswer) {
  EXPECT_FALSE(StunResponse("hello", kSource, kLocal).has_value());
  stun::Message response;
  response.message_class = stun::MessageClass::kSuccessResponse;
  EXPECT_FALSE(StunResponse(EncodeString(response), kSource, kLocal).has_value());
}

}  // namespace
}  // namespace natscope::server
