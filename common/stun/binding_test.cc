#include "common/stun/binding.h"

#include <random>

#include "absl/random/random.h"
#include "common/stun/codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::stun {
namespace {

using ::testing::ElementsAre;

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

TEST(BindingTest, TransactionIdsComeFromTheGivenGenerator) {
  std::mt19937 a(42);
  std::mt19937 b(42);
  EXPECT_EQ(NewTransactionId(a), NewTransactionId(b));
  absl::BitGen gen;
  EXPECT_NE(NewTransactionId(gen), NewTransactionId(gen));
}

TEST(BindingTest, RequestCarriesIdAndChangeFlags) {
  const TransactionId id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  Message request = MakeBindingRequest(id, ChangeRequest{true, false});
  EXPECT_EQ(request.method, kMethodBinding);
  EXPECT_EQ(request.message_class, MessageClass::kRequest);
  EXPECT_EQ(request.transaction_id, id);
  EXPECT_TRUE(request.change_request->change_ip);
  auto bytes = Encode(request);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 28u);
  EXPECT_FALSE(MakeBindingRequest(id).change_request.has_value());
}

TEST(BindingTest, SuccessResponseReportsTheSourceAddress) {
  absl::BitGen gen;
  const Message request = MakeBindingRequest(NewTransactionId(gen));
  BindingResponseOptions options;
  options.response_origin = Addr("192.0.2.10:3478");
  options.other_address = Addr("192.0.2.11:3479");
  options.software = "natscope";
  auto response =
      MakeBindingSuccessResponse(request, Addr("[2001:db8::7]:5000"), options);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->message_class, MessageClass::kSuccessResponse);
  EXPECT_EQ(response->transaction_id, request.transaction_id);
  EXPECT_EQ(response->xor_mapped_address, Addr("[2001:db8::7]:5000"));
  EXPECT_EQ(response->mapped_address, Addr("[2001:db8::7]:5000"));
  EXPECT_EQ(response->response_origin, options.response_origin);
  EXPECT_EQ(response->other_address, options.other_address);
  EXPECT_EQ(response->software, "natscope");

  auto decoded = Decode(*Encode(*response));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->xor_mapped_address, Addr("[2001:db8::7]:5000"));
  EXPECT_EQ(decoded->other_address, options.other_address);
}

TEST(BindingTest, MappedAddressCanBeLeftOut) {
  BindingResponseOptions options;
  options.include_mapped_address = false;
  auto response = MakeBindingSuccessResponse(MakeBindingRequest({}),
                                             Addr("1.2.3.4:5"), options);
  ASSERT_TRUE(response.ok());
  EXPECT_FALSE(response->mapped_address.has_value());
}

TEST(BindingTest, OnlyBindingRequestsGetSuccessResponses) {
  Message indication = MakeBindingRequest({});
  indication.message_class = MessageClass::kIndication;
  EXPECT_EQ(
      MakeBindingSuccessResponse(indication, Addr("1.2.3.4:5")).status().code(),
      absl::StatusCode::kInvalidArgument);
  Message other = MakeBindingRequest({});
  other.method = 0x003;
  EXPECT_FALSE(MakeBindingSuccessResponse(other, Addr("1.2.3.4:5")).ok());
}

TEST(BindingTest, UnknownAttributeErrorListsTheUnknownTypes) {
  Message request = MakeBindingRequest({});
  request.unknown_comprehension_required = {0x0024, 0x0030};
  auto response = MakeErrorResponse(request, 420, "Unknown Attribute", "ns");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->message_class, MessageClass::kErrorResponse);
  EXPECT_EQ(response->error_code->code, 420);
  EXPECT_THAT(*response->unknown_attributes, ElementsAre(0x0024, 0x0030));
  EXPECT_EQ(response->software, "ns");
  EXPECT_TRUE(Encode(*response).ok());

  auto bad_request = MakeErrorResponse(request, 400, "Bad Request");
  ASSERT_TRUE(bad_request.ok());
  EXPECT_FALSE(bad_request->unknown_attributes.has_value());
  EXPECT_FALSE(MakeErrorResponse(request, 200, "OK").ok());
}

}  // namespace
}  // namespace natscope::stun
