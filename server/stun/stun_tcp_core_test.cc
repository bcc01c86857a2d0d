#include "server/stun/stun_tcp_core.h"

#include <string>

#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

std::string Wire(const stun::Message& m, bool fingerprint = true) {
  stun::EncodeOptions options;
  options.add_fingerprint = fingerprint;
  auto bytes = stun::Encode(m, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

stun::Message Parse(const std::string& s) {
  auto m = stun::Decode(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : stun::Message{};
}

class StunTcpCoreTest : public ::testing::Test {
 protected:
  StunTcpCore Rfc5780(RateLimiter* limiter = nullptr) {
    auto core =
        StunTcpCore::Create({Addr("192.0.2.1:3478"), Addr("192.0.2.2:3479")},
                            limiter != nullptr ? limiter : &limiter_);
    EXPECT_TRUE(core.ok()) << core.status();
    return *std::move(core);
  }

  RateLimiter limiter_{RateLimiterOptions{0, 1, 100}};  // Off.
  const stun::TransactionId id_{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const net::SocketAddress peer_ = Addr("198.51.100.7:40000");
};

TEST_F(StunTcpCoreTest, BindingGetsThePeerFromTheAcceptingSocket) {
  StunTcpCore core = Rfc5780();
  StunTcpAnswer a = core.Handle(Wire(stun::MakeBindingRequest(id_)),
                                StunSocket::kAltIp, peer_, kNow);
  ASSERT_EQ(a.action, StunTcpAction::kReply);
  stun::Message response = Parse(a.reply);
  EXPECT_EQ(response.message_class, stun::MessageClass::kSuccessResponse);
  EXPECT_EQ(response.xor_mapped_address, peer_);
  EXPECT_EQ(response.response_origin, Addr("192.0.2.2:3478"));
  EXPECT_EQ(response.other_address, Addr("192.0.2.1:3479"));
  EXPECT_EQ(core.counters().responses, 1);
}

TEST_F(StunTcpCoreTest, ChangeRequestWithAFlagGets420ListingIt) {
  StunTcpCore core = Rfc5780();
  for (stun::ChangeRequest change :
       {stun::ChangeRequest{true, false}, stun::ChangeRequest{false, true},
        stun::ChangeRequest{true, true}}) {
    StunTcpAnswer a = core.Handle(Wire(stun::MakeBindingRequest(id_, change)),
                                  StunSocket::kPrimary, peer_, kNow);
    ASSERT_EQ(a.action, StunTcpAction::kReply);
    stun::Message response = Parse(a.reply);
    EXPECT_EQ(response.message_class, stun::MessageClass::kErrorResponse);
    EXPECT_EQ(response.transaction_id, id_);
    ASSERT_TRUE(response.error_code.has_value());
    EXPECT_EQ(response.error_code->code, 420);
    EXPECT_EQ(response.unknown_attributes,
              std::vector<uint16_t>{stun::kAttrChangeRequest});
    EXPECT_TRUE(response.has_fingerprint);
  }
  EXPECT_EQ(core.counters().requests, 3);
  EXPECT_EQ(core.counters().responses, 3);
}

TEST_F(StunTcpCoreTest, ChangeRequestWithoutFlagsIsAnsweredHere) {
  StunTcpCore core = Rfc5780();
  StunTcpAnswer a =
      core.Handle(Wire(stun::MakeBindingRequest(id_, stun::ChangeRequest{})),
                  StunSocket::kPrimary, peer_, kNow);
  ASSERT_EQ(a.action, StunTcpAction::kReply);
  EXPECT_EQ(Parse(a.reply).response_origin, Addr("192.0.2.1:3478"));
}

TEST_F(StunTcpCoreTest, ResponsePortGets400) {
  StunTcpCore core = Rfc5780();
  stun::Message request = stun::MakeBindingRequest(id_);
  request.response_port = 5000;
  StunTcpAnswer a =
      core.Handle(Wire(request), StunSocket::kPrimary, peer_, kNow);
  ASSERT_EQ(a.action, StunTcpAction::kReply);
  stun::Message response = Parse(a.reply);
  ASSERT_TRUE(response.error_code.has_value());
  EXPECT_EQ(response.error_code->code, 400);
  EXPECT_NE(response.error_code->reason.find("RESPONSE-PORT"),
            std::string::npos);
}

TEST_F(StunTcpCoreTest, UnknownAttributesAreListedWithChangeRequest) {
  StunTcpCore core = Rfc5780();
  stun::Message request =
      stun::MakeBindingRequest(id_, stun::ChangeRequest{true, true});
  request.extra_attributes.push_back({0x7F01, {1, 2, 3, 4}});
  StunTcpAnswer a =
      core.Handle(Wire(request), StunSocket::kPrimary, peer_, kNow);
  ASSERT_EQ(a.action, StunTcpAction::kReply);
  EXPECT_EQ(Parse(a.reply).unknown_attributes,
            (std::vector<uint16_t>{0x7F01, stun::kAttrChangeRequest}));
}

TEST_F(StunTcpCoreTest, SingleAddressServerAnswersChangeRequestWith420Too) {
  auto core =
      StunTcpCore::Create({Addr("192.0.2.1:3478"), std::nullopt}, &limiter_);
  ASSERT_TRUE(core.ok());
  StunTcpAnswer a = core->Handle(
      Wire(stun::MakeBindingRequest(id_, stun::ChangeRequest{false, true})),
      StunSocket::kPrimary, peer_, kNow);
  ASSERT_EQ(a.action, StunTcpAction::kReply);
  EXPECT_EQ(Parse(a.reply).error_code->code, 420);
}

TEST_F(StunTcpCoreTest, IndicationsAndResponsesGetNothing) {
  StunTcpCore core = Rfc5780();
  stun::Message indication = stun::MakeBindingRequest(id_);
  indication.message_class = stun::MessageClass::kIndication;
  EXPECT_EQ(
      core.Handle(Wire(indication), StunSocket::kPrimary, peer_, kNow).action,
      StunTcpAction::kNothing);
  stun::Message response = stun::MakeBindingRequest(id_);
  response.message_class = stun::MessageClass::kSuccessResponse;
  EXPECT_EQ(
      core.Handle(Wire(response), StunSocket::kPrimary, peer_, kNow).action,
      StunTcpAction::kNothing);
  EXPECT_EQ(core.counters().ignored, 2);
}

TEST_F(StunTcpCoreTest, BadFingerprintClosesEvenWithChangeRequest) {
  StunTcpCore core = Rfc5780();
  std::string bytes =
      Wire(stun::MakeBindingRequest(id_, stun::ChangeRequest{true, true}));
  bytes.back() ^= 1;
  EXPECT_EQ(core.Handle(bytes, StunSocket::kPrimary, peer_, kNow).action,
            StunTcpAction::kCloseMalformed);
  EXPECT_EQ(core.counters().malformed, 1);
  EXPECT_EQ(core.counters().responses, 0);
}

TEST_F(StunTcpCoreTest, SourceOverItsRateLimitIsClosed) {
  RateLimiter limiter(RateLimiterOptions{1, 2, 100});  // Burst 2 at 1/s.
  StunTcpCore core = Rfc5780(&limiter);
  const std::string plain = Wire(stun::MakeBindingRequest(id_));
  const std::string change =
      Wire(stun::MakeBindingRequest(id_, stun::ChangeRequest{true, false}));
  EXPECT_EQ(core.Handle(plain, StunSocket::kPrimary, peer_, kNow).action,
            StunTcpAction::kReply);
  EXPECT_EQ(core.Handle(change, StunSocket::kPrimary, peer_, kNow).action,
            StunTcpAction::kReply);
  EXPECT_EQ(core.Handle(plain, StunSocket::kPrimary, peer_, kNow).action,
            StunTcpAction::kCloseRateLimited);
  EXPECT_EQ(core.Handle(change, StunSocket::kPrimary, peer_, kNow).action,
            StunTcpAction::kCloseRateLimited);
  EXPECT_EQ(core.counters().rate_limited, 2);
  EXPECT_EQ(core.counters().requests, 4);
  EXPECT_EQ(core.counters().responses, 2);
}

}  // namespace
}  // namespace natscope::server
