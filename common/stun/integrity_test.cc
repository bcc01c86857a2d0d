#include "common/stun/integrity.h"

#include <string>
#include <vector>

#include "common/stun/codec.h"
#include "common/stun/test_vectors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<uint8_t>;
namespace tv = test_vectors;

// Offsets into RFC 5769 §2.1 (108 bytes): USERNAME value at 64, MI value
// at 80-99, FINGERPRINT value at 104-107.
constexpr size_t kUsernameByte = 64;
constexpr size_t kMiByte = 85;
constexpr size_t kFingerprintByte = 106;

Bytes Flipped(Bytes bytes, size_t index) {
  bytes[index] ^= 0x01;
  return bytes;
}

TEST(IntegrityTest, ShortTermKeyIsThePassword) {
  EXPECT_EQ(ShortTermKey("VOkJxbRl1RmTxUk/WvJxBt"), "VOkJxbRl1RmTxUk/WvJxBt");
}

TEST(IntegrityTest, LongTermKeyIsMd5OfUserRealmPassword) {
  auto key = LongTermKey("user", "realm", "pass");
  ASSERT_TRUE(key.ok()) << key.status();
  // MD5("user:realm:pass").
  const unsigned char expected[] = {0x84, 0x93, 0xfb, 0xc5, 0x3b, 0xa5,
                                    0x82, 0xfb, 0x4c, 0x04, 0x4c, 0x45,
                                    0x6b, 0xdc, 0x40, 0xeb};
  EXPECT_EQ(*key, std::string(reinterpret_cast<const char*>(expected), 16));
}

TEST(IntegrityTest, FlippedBodyByteFailsIntegrityAndFingerprint) {
  const Bytes bytes = Flipped(tv::SampleRequest(), kUsernameByte);
  ASSERT_TRUE(Decode(bytes).ok());  // Still well-formed.
  const absl::Status mi = VerifyMessageIntegrity(bytes, tv::kShortTermPassword);
  EXPECT_EQ(mi.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(mi.message(), HasSubstr("MESSAGE-INTEGRITY mismatch"));
  const absl::Status fp = VerifyFingerprint(bytes);
  EXPECT_EQ(fp.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(fp.message(), HasSubstr("FINGERPRINT mismatch: computed 0x"));
  EXPECT_THAT(fp.message(), HasSubstr("message has 0xe57a3bcf"));
}

TEST(IntegrityTest, FlippedMessageIntegrityByteFailsIntegrity) {
  const Bytes bytes = Flipped(tv::SampleRequest(), kMiByte);
  EXPECT_EQ(VerifyMessageIntegrity(bytes, tv::kShortTermPassword).code(),
            absl::StatusCode::kUnauthenticated);
  // FINGERPRINT covers MESSAGE-INTEGRITY too.
  EXPECT_EQ(VerifyFingerprint(bytes).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IntegrityTest, FlippedFingerprintByteFailsOnlyFingerprint) {
  const Bytes bytes = Flipped(tv::SampleRequest(), kFingerprintByte);
  EXPECT_TRUE(VerifyMessageIntegrity(bytes, tv::kShortTermPassword).ok());
  const absl::Status fp = VerifyFingerprint(bytes);
  EXPECT_EQ(fp.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(fp.message(), HasSubstr("computed 0xe57a3bcf, message has "
                                      "0xe57a3acf"));
}

TEST(IntegrityTest, TruncatedOrMislengthedMessagesAreInvalid) {
  const Bytes& full = tv::SampleRequest();
  const Bytes truncated(full.begin(), full.end() - 8);
  Bytes bad_length = full;
  bad_length[3] = 0x54;
  for (const Bytes* bytes :
       {&truncated, static_cast<const Bytes*>(&bad_length)}) {
    EXPECT_EQ(VerifyMessageIntegrity(*bytes, tv::kShortTermPassword).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(VerifyFingerprint(*bytes).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Decode(*bytes).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(VerifyFingerprint(truncated).message(),
              HasSubstr("length mismatch"));
}

TEST(IntegrityTest, MissingAttributesAreNotFound) {
  Message m;
  auto bytes = Encode(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(VerifyMessageIntegrity(*bytes, "k").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyMessageIntegritySha256(*bytes, "k").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyFingerprint(*bytes).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyMessageIntegritySha256(tv::SampleRequest(), "k").code(),
            absl::StatusCode::kNotFound);
}

TEST(IntegrityTest, FingerprintMustBeLast) {
  Message m;
  m.extra_attributes = {{0x8030, {1, 2, 3, 4}}};
  EncodeOptions options;
  options.add_fingerprint = true;
  Bytes bytes = *Encode(m, options);
  // Swap the two attributes so FINGERPRINT comes first.
  Bytes swapped(bytes.begin(), bytes.begin() + 20);
  swapped.insert(swapped.end(), bytes.begin() + 28, bytes.end());
  swapped.insert(swapped.end(), bytes.begin() + 20, bytes.begin() + 28);
  EXPECT_THAT(VerifyFingerprint(swapped).message(),
              HasSubstr("not the last attribute"));
}

TEST(IntegrityTest, Sha256OnlyMessageVerifies) {
  Message m;
  m.username = "alice";
  EncodeOptions options;
  options.integrity_key = "secret";
  options.add_message_integrity_sha256 = true;
  const Bytes bytes = *Encode(m, options);
  EXPECT_TRUE(VerifyMessageIntegritySha256(bytes, "secret").ok());
  EXPECT_EQ(VerifyMessageIntegritySha256(bytes, "Secret").code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyMessageIntegritySha256(Flipped(bytes, 25), "secret").code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(VerifyMessageIntegrity(bytes, "secret").code(),
            absl::StatusCode::kNotFound);
}

TEST(IntegrityTest, TruncatedSha256IsComparedOnItsLength) {
  // Hand-build a message whose MI-SHA256 keeps 16 of the 32 bytes.
  Message m;
  m.username = "bob";
  Bytes bytes = *Encode(m);
  const size_t body = bytes.size() - 20 + 4 + 16;
  bytes[2] = body >> 8;
  bytes[3] = body & 0xFF;
  auto mac = internal::HmacSha256("key", bytes);
  ASSERT_TRUE(mac.ok());
  bytes.insert(bytes.end(), {0x00, 0x1C, 0x00, 0x10});
  bytes.insert(bytes.end(), mac->begin(), mac->begin() + 16);
  EXPECT_TRUE(VerifyMessageIntegritySha256(bytes, "key").ok());
  EXPECT_EQ(VerifyMessageIntegritySha256(bytes, "other").code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(IntegrityTest, EmptyKeyIsAValidKey) {
  Message m;
  EncodeOptions options;
  options.integrity_key = "";
  options.add_message_integrity = true;
  const Bytes bytes = *Encode(m, options);
  EXPECT_TRUE(VerifyMessageIntegrity(bytes, "").ok());
  EXPECT_FALSE(VerifyMessageIntegrity(bytes, "x").ok());
}

TEST(IntegrityTest, WrongLengthIntegrityIsInvalid) {
  Bytes bytes = {0x00, 0x01, 0x00, 0x14, 0x21, 0x12, 0xa4, 0x42,
                 0,    0,    0,    0,    0,    0,    0,    0,
                 0,    0,    0,    0,    0x00, 0x08, 0x00, 0x10};
  bytes.resize(40, 0);
  EXPECT_THAT(VerifyMessageIntegrity(bytes, "k").message(),
              HasSubstr("MESSAGE-INTEGRITY length is 16, expected 20"));
}

}  // namespace
}  // namespace natscope::stun
