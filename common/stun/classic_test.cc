#include "common/stun/classic.h"

#include <string>
#include <utility>
#include <vector>

#include "common/stun/classic_testing.h"
#include "common/stun/codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Bytes = std::vector<uint8_t>;
using Attr = std::pair<uint16_t, Bytes>;

// A 16-byte id whose first 4 bytes are not the cookie, as Vovida's `stun`
// sends them (its first byte is the test number).
const ClassicTransactionId kId = {2, 0x9a, 0x31, 0x07, 5,  6,  7,  8,
                                  9, 10,   11,   12,   13, 14, 15, 16};

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

// A classic message of `type` with `attrs`, each value zero-padded.
Bytes Build(uint16_t type, const std::vector<Attr>& attrs,
            const ClassicTransactionId& id = kId) {
  Bytes out = {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0,
               0};
  out.insert(out.end(), id.begin(), id.end());
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

Attr ChangeRequestAttr(uint8_t flags) {
  return {kAttrChangeRequest, {0, 0, 0, flags}};
}

void ExpectRejected(const Bytes& bytes, const std::string& why) {
  auto m = DecodeClassic(bytes);
  ASSERT_FALSE(m.ok()) << "accepted; expected an error about: " << why;
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr(why));
}

TEST(ClassicDecodeTest, ReadsWhatVovidaSends) {
  for (uint8_t flags : {0, 4, 2}) {
    const Bytes bytes = Build(0x0001, {ChangeRequestAttr(flags)});
    ASSERT_EQ(bytes.size(), 28u);
    EXPECT_TRUE(IsClassicStun(bytes));
    auto m = DecodeClassic(bytes);
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->method, kMethodBinding);
    EXPECT_EQ(m->message_class, MessageClass::kRequest);
    EXPECT_EQ(m->transaction_id, kId);
    ASSERT_TRUE(m->change_request.has_value());
    EXPECT_EQ(m->change_request->change_ip, flags == 4);
    EXPECT_EQ(m->change_request->change_port, flags == 2);
    EXPECT_TRUE(m->unknown_comprehension_required.empty());
  }
}

TEST(ClassicDecodeTest, BareRequestHasNoChangeRequest) {
  auto m = DecodeClassic(Build(0x0001, {}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->change_request.has_value());
}

TEST(ClassicDecodeTest, EveryOtherRequiredTypeIsUnknownOnce) {
  auto m = DecodeClassic(
      Build(0x0001, {{kAttrResponseAddress, {0, 1, 0, 9, 192, 0, 2, 1}},
                     ChangeRequestAttr(4),
                     {0x7777, {1, 2, 3, 4}},
                     {kAttrSoftware, {'x'}},  // Optional: skipped.
                     {kAttrResponseAddress, {0, 1, 0, 9, 192, 0, 2, 2}},
                     {kAttrUsername, {'u', 's', 'e', 'r'}},
                     ChangeRequestAttr(2)}));  // Only the first counts.
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(m->unknown_comprehension_required,
              ElementsAre(kAttrResponseAddress, 0x7777, kAttrUsername));
  EXPECT_TRUE(m->change_request->change_ip);
  EXPECT_FALSE(m->change_request->change_port);
}

TEST(ClassicDecodeTest, OtherClassesAndMethodsDecode) {
  auto response = DecodeClassic(Build(0x0101, {}));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->message_class, MessageClass::kSuccessResponse);
  auto shared_secret = DecodeClassic(Build(0x0002, {}));
  ASSERT_TRUE(shared_secret.ok()) << shared_secret.status();
  EXPECT_EQ(shared_secret->method, 0x002);
  EXPECT_EQ(shared_secret->message_class, MessageClass::kRequest);
}

TEST(ClassicDecodeTest, MalformedChangeRequestIsRejected) {
  ExpectRejected(Build(0x0001, {{kAttrChangeRequest, {0, 0, 0, 4, 0, 0}}}),
                 "malformed CHANGE-REQUEST");
}

TEST(ClassicDecodeTest, BadFramingIsRejected) {
  const Bytes good = Build(0x0001, {ChangeRequestAttr(0)});
  ExpectRejected(Bytes(good.begin(), good.begin() + 19), "too short");
  ExpectRejected(Bytes(good.begin(), good.end() - 4), "length mismatch");
  Bytes garbage = good;
  garbage[0] = 0x80;
  ExpectRejected(garbage, "two leading bits");
  Bytes odd = good;
  odd[3] = 7;
  ExpectRejected(odd, "not a multiple of 4");
  Bytes truncated = good;
  truncated[23] = 8;  // CHANGE-REQUEST claims 8 bytes; 4 remain.
  ExpectRejected(truncated, "truncated attribute 0x0003");
}

TEST(ClassicDecodeTest, OversizedDatagramIsRejected) {
  // No length field can describe more than 65535 body bytes.
  Bytes big = Build(0x0001, {});
  big.resize(20 + 65536, 0);
  big[2] = 0xFF;
  big[3] = 0xFC;
  ExpectRejected(big, "length mismatch");
  // The largest well-framed one decodes (the attribute bound applies).
  big.resize(20 + 0xFFFC);
  big[20] = 0x80;  // A comprehension-optional attribute filling it all.
  big[21] = 0x00;
  big[22] = 0xFF;
  big[23] = 0xF8;
  EXPECT_TRUE(DecodeClassic(big).ok());
}

TEST(ClassicDecodeTest, CookieMessagesAreLeftToTheModernDecoder) {
  Bytes modern = Build(0x0001, {});
  modern[4] = 0x21;
  modern[5] = 0x12;
  modern[6] = 0xA4;
  modern[7] = 0x42;
  EXPECT_FALSE(IsClassicStun(modern));
  ExpectRejected(modern, "magic cookie");
  EXPECT_TRUE(Decode(modern).ok());
}

TEST(ClassicDecodeTest, TheModernDecoderStillRefusesClassicMessages) {
  const Bytes classic = Build(0x0001, {ChangeRequestAttr(0)});
  EXPECT_FALSE(IsStunMessage(classic));
  auto m = Decode(classic);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("bad magic cookie"));
}

TEST(ClassicDecodeTest, ShortInputIsNotClassic) {
  EXPECT_FALSE(IsClassicStun(Bytes(19, 0)));
  EXPECT_FALSE(IsClassicStun({}));
}

TEST(ClassicEncodeTest, BindingSuccessBytes) {
  ClassicBindingSuccess success;
  success.transaction_id = kId;
  success.mapped_address = Addr("192.0.2.7:40000");
  success.source_address = Addr("198.51.100.1:3478");
  success.changed_address = Addr("198.51.100.2:3479");
  success.software = "natscope-server 0.1.0";  // 21 bytes: padded to 24.
  auto bytes = EncodeClassicBindingSuccess(success);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  Bytes expected = {0x01, 0x01, 0x00, 64};
  expected.insert(expected.end(), kId.begin(), kId.end());
  const Bytes attrs = {
      0x00, 0x01, 0, 8, 0, 1, 0x9c, 0x40, 192, 0,  2,   7,  // MAPPED
      0x00, 0x04, 0, 8, 0, 1, 0x0d, 0x96, 198, 51, 100, 1,  // SOURCE
      0x00, 0x05, 0, 8, 0, 1, 0x0d, 0x97, 198, 51, 100, 2,  // CHANGED
      0x80, 0x22, 0, 24};                                   // SOFTWARE
  expected.insert(expected.end(), attrs.begin(), attrs.end());
  const std::string software = "natscope-server 0.1.0   ";
  expected.insert(expected.end(), software.begin(), software.end());
  EXPECT_EQ(*bytes, expected);
  EXPECT_TRUE(CheckClassicReadable(*bytes).ok());
  EXPECT_FALSE(IsStunMessage(*bytes));
}

TEST(ClassicEncodeTest, BindingSuccessReadsBack) {
  ClassicBindingSuccess success;
  success.transaction_id = kId;
  success.mapped_address = Addr("[2001:db8::7]:40000");
  auto bytes = EncodeClassicBindingSuccess(success);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), 20u + 24u);  // IPv6 MAPPED-ADDRESS only.
  EXPECT_TRUE(CheckClassicReadable(*bytes).ok());
  auto classic = DecodeClassic(*bytes);
  ASSERT_TRUE(classic.ok()) << classic.status();
  EXPECT_EQ(classic->message_class, MessageClass::kSuccessResponse);
  EXPECT_EQ(classic->transaction_id, kId);
  ClassicTransactionId id;
  auto m = DecodeClassicForTest(*bytes, &id);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(id, kId);
  EXPECT_EQ(m->mapped_address, success.mapped_address);
  EXPECT_FALSE(m->xor_mapped_address.has_value());
  EXPECT_FALSE(m->source_address.has_value());
  EXPECT_FALSE(m->changed_address.has_value());
}

TEST(ClassicEncodeTest, Error420RepeatsAnOddUnknownType) {
  ClassicErrorResponse error;
  error.transaction_id = kId;
  error.error = {420, "Unknown Attribute"};  // 17 bytes: padded to 20.
  error.unknown_attributes = {kAttrResponseAddress, 0x7777, 0x0006};
  error.software = "sw";
  auto bytes = EncodeClassicError(error);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ((*bytes)[0], 0x01);
  EXPECT_EQ((*bytes)[1], 0x11);
  EXPECT_TRUE(CheckClassicReadable(*bytes).ok());
  ClassicTransactionId id;
  auto m = DecodeClassicForTest(*bytes, &id);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(id, kId);
  EXPECT_EQ(m->message_class, MessageClass::kErrorResponse);
  EXPECT_EQ(m->error_code->code, 420);
  EXPECT_EQ(m->error_code->reason, "Unknown Attribute   ");
  EXPECT_THAT(*m->unknown_attributes,
              ElementsAre(kAttrResponseAddress, 0x7777, 0x0006, 0x0006));
  EXPECT_EQ(m->software, "sw  ");
}

TEST(ClassicEncodeTest, EvenUnknownListIsNotPadded) {
  ClassicErrorResponse error;
  error.error = {420, "Unknown"};
  error.unknown_attributes = {kAttrResponseAddress, kAttrChangeRequest};
  ClassicTransactionId id;
  auto bytes = EncodeClassicError(error);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto m = DecodeClassicForTest(*bytes, &id);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_THAT(*m->unknown_attributes,
              ElementsAre(kAttrResponseAddress, kAttrChangeRequest));
}

TEST(ClassicEncodeTest, ErrorForAnotherMethodKeepsIt) {
  ClassicErrorResponse error;
  error.method = 0x002;  // Shared Secret.
  error.error = {400, "Bad Request"};
  auto bytes = EncodeClassicError(error);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ((*bytes)[0], 0x01);
  EXPECT_EQ((*bytes)[1], 0x12);  // Shared Secret Error Response.
  EXPECT_TRUE(CheckClassicReadable(*bytes).ok());
  ClassicTransactionId id;
  auto m = DecodeClassicForTest(*bytes, &id);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->unknown_attributes.has_value());
}

TEST(ClassicEncodeTest, UnrepresentableResponsesAreRefused) {
  ClassicErrorResponse error;
  error.error = {700, "x"};
  EXPECT_EQ(EncodeClassicError(error).status().code(),
            absl::StatusCode::kInvalidArgument);
  error.error = {400, std::string(kMaxClassicStringSize + 1, 'r')};
  EXPECT_FALSE(EncodeClassicError(error).ok());
  error.error = {400, "x"};
  error.method = 0x1000;
  EXPECT_FALSE(EncodeClassicError(error).ok());
  error.method = kMethodBinding;
  error.unknown_attributes.assign(40000, 0x7777);
  EXPECT_THAT(EncodeClassicError(error).status().message(),
              HasSubstr("at most 65532"));
  ClassicBindingSuccess success;
  success.mapped_address = Addr("192.0.2.7:1");
  success.software = std::string(kMaxClassicStringSize + 1, 's');
  EXPECT_THAT(EncodeClassicBindingSuccess(success).status().message(),
              HasSubstr("SOFTWARE"));
  success.software = std::string(kMaxClassicStringSize, 's');
  EXPECT_TRUE(EncodeClassicBindingSuccess(success).ok());
}

}  // namespace
}  // namespace natscope::stun
