// RFC 5769 test vectors: decode every field, verify integrity and
// fingerprint, and re-encode byte for byte.
#include <string>
#include <vector>

#include "common/stun/codec.h"
#include "common/stun/integrity.h"
#include "common/stun/test_vectors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
namespace tv = test_vectors;

const TransactionId kVectorId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
const TransactionId kLongTermId = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad,
                                   0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};

EncodeOptions ShortTermOptions() {
  EncodeOptions options;
  options.integrity_key = ShortTermKey(tv::kShortTermPassword);
  options.add_message_integrity = true;
  options.add_fingerprint = true;
  options.padding_byte = 0x20;
  return options;
}

void ExpectReencodesExactly(const Message& m, const EncodeOptions& options,
                            const std::vector<uint8_t>& vector) {
  auto encoded = Encode(m, options);
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_THAT(*encoded, ElementsAreArray(vector));
}

TEST(Rfc5769Test, SampleRequestDecodesWithEveryField) {
  const auto& bytes = tv::SampleRequest();
  ASSERT_TRUE(IsStunMessage(bytes));
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->method, kMethodBinding);
  EXPECT_EQ(m->message_class, MessageClass::kRequest);
  EXPECT_EQ(m->transaction_id, kVectorId);
  EXPECT_EQ(m->software, "STUN test client");
  EXPECT_EQ(m->username, "evtj:h6vY");
  EXPECT_TRUE(m->has_message_integrity);
  EXPECT_FALSE(m->has_message_integrity_sha256);
  EXPECT_TRUE(m->has_fingerprint);
  // ICE's PRIORITY (comprehension-required) and ICE-CONTROLLED are not ours.
  ASSERT_EQ(m->extra_attributes.size(), 2u);
  EXPECT_EQ(m->extra_attributes[0].type, 0x0024);
  EXPECT_THAT(m->extra_attributes[0].value,
              ElementsAre(0x6e, 0x00, 0x01, 0xff));
  EXPECT_EQ(m->extra_attributes[1].type, 0x8029);
  EXPECT_THAT(m->extra_attributes[1].value,
              ElementsAre(0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36));
  EXPECT_THAT(m->unknown_comprehension_required, ElementsAre(0x0024));
  EXPECT_THAT(m->attribute_order,
              ElementsAre(kAttrSoftware, 0x0024, 0x8029, kAttrUsername));
  EXPECT_FALSE(m->mapped_address || m->xor_mapped_address || m->realm ||
               m->nonce || m->error_code || m->change_request);
}

TEST(Rfc5769Test, SampleRequestVerifiesAndReencodesByteForByte) {
  const auto& bytes = tv::SampleRequest();
  EXPECT_TRUE(VerifyMessageIntegrity(bytes, tv::kShortTermPassword).ok());
  EXPECT_TRUE(VerifyFingerprint(bytes).ok());
  ExpectReencodesExactly(*Decode(bytes), ShortTermOptions(), bytes);
}

TEST(Rfc5769Test, SampleIPv4ResponseDecodesVerifiesAndReencodes) {
  const auto& bytes = tv::SampleIPv4Response();
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->method, kMethodBinding);
  EXPECT_EQ(m->message_class, MessageClass::kSuccessResponse);
  EXPECT_EQ(m->transaction_id, kVectorId);
  EXPECT_EQ(m->software, "test vector");
  ASSERT_TRUE(m->xor_mapped_address.has_value());
  EXPECT_EQ(m->xor_mapped_address->ToString(), "192.0.2.1:32853");
  EXPECT_FALSE(m->mapped_address.has_value());
  EXPECT_TRUE(m->has_message_integrity);
  EXPECT_TRUE(m->has_fingerprint);
  EXPECT_TRUE(m->extra_attributes.empty());
  EXPECT_TRUE(m->unknown_comprehension_required.empty());
  EXPECT_TRUE(VerifyMessageIntegrity(bytes, tv::kShortTermPassword).ok());
  EXPECT_TRUE(VerifyFingerprint(bytes).ok());
  ExpectReencodesExactly(*m, ShortTermOptions(), bytes);
}

TEST(Rfc5769Test, SampleIPv6ResponseDecodesVerifiesAndReencodes) {
  const auto& bytes = tv::SampleIPv6Response();
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->message_class, MessageClass::kSuccessResponse);
  EXPECT_EQ(m->transaction_id, kVectorId);
  EXPECT_EQ(m->software, "test vector");
  ASSERT_TRUE(m->xor_mapped_address.has_value());
  EXPECT_TRUE(m->xor_mapped_address->is_ipv6());
  EXPECT_EQ(m->xor_mapped_address->ToString(),
            "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_TRUE(m->has_message_integrity);
  EXPECT_TRUE(m->has_fingerprint);
  EXPECT_TRUE(VerifyMessageIntegrity(bytes, tv::kShortTermPassword).ok());
  EXPECT_TRUE(VerifyFingerprint(bytes).ok());
  ExpectReencodesExactly(*m, ShortTermOptions(), bytes);
}

TEST(Rfc5769Test, LongTermRequestDecodesVerifiesAndReencodes) {
  const auto& bytes = tv::SampleLongTermRequest();
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->method, kMethodBinding);
  EXPECT_EQ(m->message_class, MessageClass::kRequest);
  EXPECT_EQ(m->transaction_id, kLongTermId);
  // U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9 in UTF-8.
  EXPECT_EQ(m->username, "\u30de\u30c8\u30ea\u30c3\u30af\u30b9");
  EXPECT_EQ(m->username, tv::kLongTermUsername);
  EXPECT_EQ(m->nonce, tv::kLongTermNonce);
  EXPECT_EQ(m->realm, tv::kLongTermRealm);
  EXPECT_TRUE(m->has_message_integrity);
  EXPECT_FALSE(m->has_fingerprint);
  EXPECT_FALSE(m->software.has_value());
  EXPECT_THAT(m->attribute_order,
              ElementsAre(kAttrUsername, kAttrNonce, kAttrRealm));

  auto key = LongTermKey(*m->username, *m->realm, tv::kLongTermPassword);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->size(), 16u);
  EXPECT_TRUE(VerifyMessageIntegrity(bytes, *key).ok());
  EXPECT_EQ(VerifyFingerprint(bytes).code(), absl::StatusCode::kNotFound);

  EncodeOptions options;
  options.integrity_key = *key;
  options.add_message_integrity = true;
  ExpectReencodesExactly(*m, options, bytes);
}

TEST(Rfc5769Test, WrongPasswordFailsEveryVector) {
  for (const auto* bytes :
       {&tv::SampleRequest(), &tv::SampleIPv4Response(),
        &tv::SampleIPv6Response(), &tv::SampleLongTermRequest()}) {
    EXPECT_EQ(VerifyMessageIntegrity(*bytes, "wrong").code(),
              absl::StatusCode::kUnauthenticated);
  }
}

}  // namespace
}  // namespace natscope::stun
