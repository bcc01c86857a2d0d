#include <string>
#include <utility>
#include <vector>

#include "common/stun/codec.h"
#include "common/stun/test_vectors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Bytes = std::vector<uint8_t>;
using Attr = std::pair<uint16_t, Bytes>;

const TransactionId kId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// A well-framed message of `type` with `attrs`, zero-padded.
Bytes Build(uint16_t type, const std::vector<Attr>& attrs) {
  Bytes out = {static_cast<uint8_t>(type >> 8),
               static_cast<uint8_t>(type),
               0,
               0,
               0x21,
               0x12,
               0xa4,
               0x42};
  out.insert(out.end(), kId.begin(), kId.end());
  for (const auto& [attr_type, value] : attrs) {
    out.push_back(attr_type >> 8);
    out.push_back(attr_type & 0xFF);
    out.push_back(value.size() >> 8);
    out.push_back(value.size() & 0xFF);
    out.insert(out.end(), value.begin(), value.end());
    while (out.size() % 4 != 0) out.push_back(0);
  }
  out[2] = (out.size() - 20) >> 8;
  out[3] = (out.size() - 20) & 0xFF;
  return out;
}

void ExpectRejected(const Bytes& bytes, const std::string& why) {
  auto m = Decode(bytes);
  ASSERT_FALSE(m.ok()) << "accepted; expected an error about: " << why;
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr(why));
}

TEST(DecoderTest, EmptyMessageDecodes) {
  auto m = Decode(Build(0x0001, {}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->transaction_id, kId);
  EXPECT_EQ(*m, [] {
    Message expected;
    expected.transaction_id = kId;
    return expected;
  }());
}

TEST(DecoderTest, SplitsMessageTypeIntoMethodAndClass) {
  struct Case {
    uint16_t type;
    uint16_t method;
    MessageClass message_class;
  };
  for (const Case& c : {Case{0x0001, 0x001, MessageClass::kRequest},
                        Case{0x0011, 0x001, MessageClass::kIndication},
                        Case{0x0101, 0x001, MessageClass::kSuccessResponse},
                        Case{0x0111, 0x001, MessageClass::kErrorResponse},
                        Case{0x3EEF, 0xFFF, MessageClass::kRequest},
                        Case{0x0003, 0x003, MessageClass::kRequest}}) {
    auto m = Decode(Build(c.type, {}));
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->method, c.method) << std::hex << c.type;
    EXPECT_EQ(m->message_class, c.message_class) << std::hex << c.type;
    EXPECT_EQ(ComposeMessageType(c.method, c.message_class), c.type);
  }
}

TEST(DecoderTest, ShortHeaderIsRejected) {
  ExpectRejected(Bytes(19, 0), "too short: 19 bytes");
  ExpectRejected({}, "too short: 0 bytes");
}

TEST(DecoderTest, LeadingBitsMustBeZero) {
  Bytes bytes = Build(0x0001, {});
  bytes[0] |= 0x40;
  ExpectRejected(bytes, "two leading bits");
  EXPECT_FALSE(IsStunMessage(bytes));
}

TEST(DecoderTest, BadMagicCookieIsRejected) {
  Bytes bytes = Build(0x0001, {});
  bytes[7] ^= 1;
  ExpectRejected(bytes, "bad magic cookie 0x2112a443");
  EXPECT_FALSE(IsStunMessage(bytes));
}

TEST(DecoderTest, LengthNotMultipleOfFourIsRejected) {
  Bytes bytes = Build(0x0001, {{kAttrSoftware, {'a', 'b', 'c'}}});
  bytes[3] = 7;
  bytes.resize(27);
  ExpectRejected(bytes, "not a multiple of 4");
  EXPECT_FALSE(IsStunMessage(bytes));
}

TEST(DecoderTest, LengthMismatchIsRejected) {
  Bytes bytes = Build(0x0001, {{kAttrSoftware, {'a', 'b', 'c', 'd'}}});
  Bytes longer = bytes;
  longer.insert(longer.end(), {0, 0, 0, 0});
  ExpectRejected(longer, "length mismatch: header says 8 body bytes but 12");
  Bytes shorter(bytes.begin(), bytes.end() - 4);
  ExpectRejected(shorter, "length mismatch");
  EXPECT_FALSE(IsStunMessage(longer));
  EXPECT_TRUE(IsStunMessage(bytes));
}

TEST(DecoderTest, TruncatedAttributeIsRejected) {
  Bytes bytes = Build(0x0001, {{kAttrSoftware, {'a', 'b', 'c', 'd'}}});
  bytes[23] = 5;  // Claims 5 bytes (8 padded) where 4 remain.
  ExpectRejected(bytes, "truncated attribute 0x8022 at offset 20");
}

TEST(DecoderTest, EveryTruncationOfAVectorIsRejected) {
  const Bytes& full = test_vectors::SampleRequest();
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(Decode(absl::MakeConstSpan(full.data(), n)).ok()) << n;
  }
}

TEST(DecoderTest, BadAddressFamilyIsRejected) {
  ExpectRejected(
      Build(0x0101, {{kAttrMappedAddress, {0, 3, 0, 1, 1, 2, 3, 4}}}),
      "bad address family 0x03 in MAPPED-ADDRESS");
  ExpectRejected(
      Build(0x0101, {{kAttrXorMappedAddress, {0, 0, 0, 1, 1, 2, 3, 4}}}),
      "bad address family 0x00 in XOR-MAPPED-ADDRESS");
}

TEST(DecoderTest, BadAddressLengthIsRejected) {
  ExpectRejected(Build(0x0101, {{kAttrXorMappedAddress, Bytes(20, 0)}}),
                 "bad address family");
  Bytes ipv4_as_20 = Bytes(20, 0);
  ipv4_as_20[1] = 1;
  ExpectRejected(Build(0x0101, {{kAttrXorMappedAddress, ipv4_as_20}}),
                 "bad XOR-MAPPED-ADDRESS length 20 for IPv4, expected 8");
  ExpectRejected(
      Build(0x0101, {{kAttrXorMappedAddress, {0, 2, 0, 1, 1, 2, 3, 4}}}),
      "bad XOR-MAPPED-ADDRESS length 8 for IPv6, expected 20");
  ExpectRejected(Build(0x0101, {{kAttrOtherAddress, {0, 1}}}),
                 "OTHER-ADDRESS is 2 bytes, too short");
  ExpectRejected(Build(0x0101, {{kAttrXorMappedAddress, {0, 1, 0}}}),
                 "XOR-MAPPED-ADDRESS is 3 bytes");
}

TEST(DecoderTest, MalformedFixedSizeAttributesAreRejected) {
  ExpectRejected(Build(0x0111, {{kAttrErrorCode, {0, 0, 4}}}),
                 "malformed ERROR-CODE: value is 3 bytes");
  ExpectRejected(Build(0x0111, {{kAttrErrorCode, {0, 0, 2, 0}}}),
                 "class 2 number 0");
  ExpectRejected(Build(0x0111, {{kAttrErrorCode, {0, 0, 4, 100}}}),
                 "class 4 number 100");
  ExpectRejected(Build(0x0111, {{kAttrUnknownAttributes, {0, 1, 0}}}),
                 "malformed UNKNOWN-ATTRIBUTES");
  ExpectRejected(Build(0x0001, {{kAttrChangeRequest, {0, 0, 6}}}),
                 "malformed CHANGE-REQUEST: value is 3 bytes, expected 4");
  ExpectRejected(Build(0x0001, {{kAttrResponsePort, {0, 0, 6}}}),
                 "malformed RESPONSE-PORT");
  ExpectRejected(Build(0x0001, {{kAttrMessageIntegrity, Bytes(16, 0)}}),
                 "malformed MESSAGE-INTEGRITY: value is 16 bytes, expected 20");
  ExpectRejected(Build(0x0001, {{kAttrMessageIntegritySha256, Bytes(12, 0)}}),
                 "malformed MESSAGE-INTEGRITY-SHA256");
  ExpectRejected(Build(0x0001, {{kAttrFingerprint, Bytes(8, 0)}}),
                 "malformed FINGERPRINT");
}

TEST(DecoderTest, AttributeAfterFingerprintIsRejected) {
  ExpectRejected(
      Build(0x0001, {{kAttrFingerprint, Bytes(4, 0)}, {kAttrSoftware, {'x'}}}),
      "attribute 0x8022 at offset 28 follows FINGERPRINT");
}

TEST(DecoderTest, AttributesAfterMessageIntegrityAreIgnored) {
  auto m = Decode(Build(0x0001, {{kAttrUsername, {'u'}},
                                 {kAttrMessageIntegrity, Bytes(20, 0)},
                                 {kAttrRealm, {'r'}},
                                 {0x0030, {1}},
                                 {kAttrXorMappedAddress, {0, 9}},
                                 {kAttrMessageIntegritySha256, Bytes(32, 0)},
                                 {kAttrNonce, {'n'}},
                                 {kAttrFingerprint, Bytes(4, 0)}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->username, "u");
  EXPECT_FALSE(m->realm.has_value());
  EXPECT_FALSE(m->nonce.has_value());
  EXPECT_FALSE(m->xor_mapped_address.has_value());
  EXPECT_TRUE(m->extra_attributes.empty());
  EXPECT_TRUE(m->unknown_comprehension_required.empty());
  EXPECT_TRUE(m->has_message_integrity);
  EXPECT_TRUE(m->has_message_integrity_sha256);
  EXPECT_TRUE(m->has_fingerprint);
  EXPECT_THAT(m->attribute_order, ElementsAre(kAttrUsername));
}

TEST(DecoderTest, MessageIntegrityAfterSha256IsIgnored) {
  auto m = Decode(Build(0x0001, {{kAttrMessageIntegritySha256, Bytes(16, 0)},
                                 {kAttrMessageIntegrity, Bytes(3, 0)}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->has_message_integrity_sha256);
  EXPECT_FALSE(m->has_message_integrity);
}

TEST(DecoderTest, OnlyTheFirstOccurrenceOfAnAttributeCounts) {
  auto m = Decode(Build(0x0001, {{kAttrSoftware, {'a'}},
                                 {kAttrSoftware, {'b'}},
                                 {kAttrChangeRequest, {0, 0, 0, 4}},
                                 {kAttrChangeRequest, {0, 0, 0}}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->software, "a");
  EXPECT_TRUE(m->change_request->change_ip);
  EXPECT_THAT(m->attribute_order,
              ElementsAre(kAttrSoftware, kAttrChangeRequest));
}

TEST(DecoderTest, ListsUnknownComprehensionRequiredTypesOnce) {
  auto m = Decode(Build(
      0x0001,
      {{0x0024, {1, 2, 3, 4}}, {0x8029, {5}}, {0x0024, {6}}, {0x7FFF, {}}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->unknown_comprehension_required, ElementsAre(0x0024, 0x7FFF));
  ASSERT_EQ(m->extra_attributes.size(), 4u);
  EXPECT_EQ(m->extra_attributes[2].type, 0x0024);
  EXPECT_THAT(m->extra_attributes[2].value, ElementsAre(6));
  EXPECT_THAT(m->attribute_order, ElementsAre(0x0024, 0x8029, 0x0024, 0x7FFF));
}

TEST(DecoderTest, DecodesLegacySourceAndChangedAddress) {
  // An RFC 3489-style response as old servers send it (with the RFC 5389
  // cookie, which such servers echo from the request).
  auto m = Decode(Build(
      0x0101, {{kAttrMappedAddress, {0, 1, 0x1F, 0x90, 203, 0, 113, 7}},
               {kAttrSourceAddress, {0, 1, 0x0D, 0x96, 198, 51, 100, 1}},
               {kAttrChangedAddress, {0, 1, 0x0D, 0x97, 198, 51, 100, 2}}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->mapped_address->ToString(), "203.0.113.7:8080");
  EXPECT_EQ(m->source_address->ToString(), "198.51.100.1:3478");
  EXPECT_EQ(m->changed_address->ToString(), "198.51.100.2:3479");
  EXPECT_TRUE(m->extra_attributes.empty());
}

TEST(DecoderTest, ResponsePortAcceptsTwoOrFourBytes) {
  auto four = Decode(Build(0x0001, {{kAttrResponsePort, {0x12, 0x34, 0, 0}}}));
  auto two = Decode(Build(0x0001, {{kAttrResponsePort, {0x12, 0x34}}}));
  ASSERT_TRUE(four.ok() && two.ok());
  EXPECT_EQ(four->response_port, 0x1234);
  EXPECT_EQ(two->response_port, 0x1234);
}

TEST(DecoderTest, ChangeRequestReadsOnlyItsTwoFlags) {
  auto m =
      Decode(Build(0x0001, {{kAttrChangeRequest, {0xFF, 0xFF, 0xFF, 0xF9}}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->change_request->change_ip);
  EXPECT_FALSE(m->change_request->change_port);
}

}  // namespace
}  // namespace natscope::stun
