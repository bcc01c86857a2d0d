#include <string>
#include <vector>

#include "common/net/socket_address.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

const TransactionId kId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                           0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

// Encodes, decodes, and returns the decoded message with the decode-only
// bookkeeping cleared so it compares equal to the input.
Message RoundTrip(const Message& m, const EncodeOptions& options = {}) {
  auto bytes = Encode(m, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (!bytes.ok()) return {};
  EXPECT_TRUE(IsStunMessage(*bytes));
  EXPECT_EQ(bytes->size() % 4, 0u);
  auto decoded = Decode(*bytes);
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  if (!decoded.ok()) return {};
  decoded->attribute_order.clear();
  decoded->has_message_integrity = false;
  decoded->has_message_integrity_sha256 = false;
  decoded->has_fingerprint = false;
  decoded->unknown_comprehension_required.clear();
  return *decoded;
}

Message Base(MessageClass message_class = MessageClass::kSuccessResponse) {
  Message m;
  m.message_class = message_class;
  m.transaction_id = kId;
  return m;
}

TEST(EncoderTest, EmptyBindingRequestIsTwentyBytes) {
  auto bytes = Encode(Base(MessageClass::kRequest));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_THAT(*bytes, ElementsAre(0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4,
                                  0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                  0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae));
}

TEST(EncoderTest, EveryAddressAttributeRoundTrips) {
  Message m = Base();
  m.mapped_address = Addr("192.0.2.1:32853");
  m.xor_mapped_address = Addr("[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  m.response_origin = Addr("[2001:db8::1]:3478");
  m.other_address = Addr("198.51.100.2:3479");
  EXPECT_EQ(RoundTrip(m), m);
  m.xor_mapped_address = Addr("203.0.113.9:1");
  m.mapped_address = Addr("[::1]:65535");
  EXPECT_EQ(RoundTrip(m), m);
}

TEST(EncoderTest, XorMappedIPv6MatchesRfc5769Bytes) {
  Message m = Base();
  m.xor_mapped_address = Addr("[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(std::vector<uint8_t>(bytes->begin() + 20, bytes->end()),
              ElementsAre(0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01,
                          0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25,
                          0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9));
}

TEST(EncoderTest, StringAttributesRoundTripWithPadding) {
  Message m = Base(MessageClass::kRequest);
  for (const std::string s : {"", "a", "ab", "abc", "abcd", "abcde"}) {
    m.username = s;
    m.realm = s + "r";
    m.nonce = s + "nn";
    m.software = s + "sss";
    EXPECT_EQ(RoundTrip(m), m) << s;
  }
}

TEST(EncoderTest, ErrorCodeAndUnknownAttributesRoundTrip) {
  Message m = Base(MessageClass::kErrorResponse);
  m.error_code = ErrorCode{420, "Unknown Attribute"};
  m.unknown_attributes = std::vector<uint16_t>{0x0024, 0x7FFF, 0x0002};
  EXPECT_EQ(RoundTrip(m), m);
  m.error_code = ErrorCode{699, ""};
  m.unknown_attributes = std::vector<uint16_t>{};
  EXPECT_EQ(RoundTrip(m), m);
}

TEST(EncoderTest, ErrorCodeIsClassAndNumber) {
  Message m = Base(MessageClass::kErrorResponse);
  m.error_code = ErrorCode{401, "U"};
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(std::vector<uint8_t>(bytes->begin() + 20, bytes->end()),
              ElementsAre(0x00, 0x09, 0x00, 0x05, 0, 0, 4, 1, 'U', 0, 0, 0));
}

TEST(EncoderTest, Rfc5780AttributesRoundTrip) {
  Message m = Base(MessageClass::kRequest);
  for (bool ip : {false, true}) {
    for (bool port : {false, true}) {
      m.change_request = ChangeRequest{ip, port};
      m.response_port = static_cast<uint16_t>(ip * 1000 + port);
      m.padding_length = static_cast<uint16_t>(ip * 3 + port * 500);
      EXPECT_EQ(RoundTrip(m), m);
    }
  }
}

TEST(EncoderTest, ChangeRequestAndResponsePortWireFormat) {
  Message m = Base(MessageClass::kRequest);
  m.change_request = ChangeRequest{true, true};
  m.response_port = 0x1234;
  m.padding_length = 2;
  m.attribute_order = {kAttrChangeRequest, kAttrResponsePort, kAttrPadding};
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(std::vector<uint8_t>(bytes->begin() + 20, bytes->end()),
              ElementsAre(0x00, 0x03, 0x00, 0x04, 0, 0, 0, 6,        //
                          0x00, 0x27, 0x00, 0x04, 0x12, 0x34, 0, 0,  //
                          0x00, 0x26, 0x00, 0x02, 0, 0, 0, 0));
}

TEST(EncoderTest, ExtraAttributesAreEmittedAsIs) {
  Message m = Base(MessageClass::kRequest);
  m.extra_attributes = {{0x0024, {1, 2, 3, 4}}, {0x8029, {9}}};
  Message decoded = RoundTrip(m);
  EXPECT_EQ(decoded, m);
}

TEST(EncoderTest, LegacyAttributesCanBeSentAsExtras) {
  Message m = Base();
  m.extra_attributes = {{kAttrSourceAddress, {0, 1, 0x0D, 0x96, 1, 2, 3, 4}}};
  auto decoded = Decode(*Encode(m));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->source_address, Addr("1.2.3.4:3478"));
  // Decode-only: a decoded legacy field is not re-emitted.
  EXPECT_EQ(Encode(*decoded)->size(), 20u);
}

TEST(EncoderTest, AttributeOrderIsHonouredThenDefaultOrder) {
  Message m = Base(MessageClass::kRequest);
  m.username = "u";
  m.software = "s";
  m.realm = "r";
  m.attribute_order = {kAttrSoftware};
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok());
  auto decoded = Decode(*bytes);
  EXPECT_THAT(decoded->attribute_order,
              ElementsAre(kAttrSoftware, kAttrUsername, kAttrRealm));
}

TEST(EncoderTest, RepeatedExtraTypesKeepTheirInterleaving) {
  Message m = Base(MessageClass::kRequest);
  m.extra_attributes = {{0x0024, {1}}, {0x8029, {2}}, {0x0024, {3}}};
  m.attribute_order = {0x0024, 0x8029, 0x0024};
  auto decoded = Decode(*Encode(m));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->extra_attributes, m.extra_attributes);
  EXPECT_EQ(decoded->attribute_order, m.attribute_order);
}

TEST(EncoderTest, PaddingByteIsConfigurable) {
  Message m = Base(MessageClass::kRequest);
  m.username = "abcde";
  EncodeOptions options;
  options.padding_byte = 0x20;
  auto bytes = Encode(m, options);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(std::vector<uint8_t>(bytes->end() - 3, bytes->end()),
              ElementsAre(0x20, 0x20, 0x20));
}

TEST(EncoderTest, IntegrityAndFingerprintVerify) {
  Message m = Base(MessageClass::kRequest);
  m.username = "user";
  EncodeOptions options;
  options.integrity_key = ShortTermKey("pass");
  options.add_message_integrity = true;
  options.add_message_integrity_sha256 = true;
  options.add_fingerprint = true;
  auto bytes = Encode(m, options);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(VerifyMessageIntegrity(*bytes, "pass").ok());
  EXPECT_TRUE(VerifyMessageIntegritySha256(*bytes, "pass").ok());
  EXPECT_TRUE(VerifyFingerprint(*bytes).ok());
  auto decoded = Decode(*bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->has_message_integrity);
  EXPECT_TRUE(decoded->has_message_integrity_sha256);
  EXPECT_TRUE(decoded->has_fingerprint);
  // 20 header + 8 USERNAME + 24 MI + 36 MI-SHA256 + 8 FINGERPRINT.
  EXPECT_EQ(bytes->size(), 96u);
}

TEST(EncoderTest, IntegrityWithoutKeyIsRejected) {
  EncodeOptions options;
  options.add_message_integrity_sha256 = true;
  auto bytes = Encode(Base(), options);
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bytes.status().message(), HasSubstr("integrity_key"));
}

TEST(EncoderTest, UnrepresentableMessagesAreRejected) {
  Message m = Base(MessageClass::kErrorResponse);
  m.error_code = ErrorCode{700, "x"};
  EXPECT_THAT(Encode(m).status().message(), HasSubstr("outside 300-699"));

  m = Base();
  m.method = 0x1000;
  EXPECT_THAT(Encode(m).status().message(), HasSubstr("12 bits"));

  m = Base();
  m.extra_attributes = {{kAttrUsername, {'x'}}};
  EXPECT_THAT(Encode(m).status().message(), HasSubstr("0x0006"));
  m.extra_attributes = {{kAttrFingerprint, {0, 0, 0, 0}}};
  EXPECT_FALSE(Encode(m).ok());

  m = Base();
  m.software = std::string(70000, 'x');
  EXPECT_THAT(Encode(m).status().message(), HasSubstr("limit is 65535"));
  m.software = std::string(40000, 'x');
  m.realm = std::string(40000, 'x');
  EXPECT_THAT(Encode(m).status().message(), HasSubstr("at most 65532"));
}

TEST(EncoderTest, LargestBodyStillEncodes) {
  Message m = Base();
  m.software = std::string(0xFFFC - 4, 'x');
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), 20u + 0xFFFC);
  EXPECT_EQ(RoundTrip(m), m);
}

}  // namespace
}  // namespace natscope::stun
