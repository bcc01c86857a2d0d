#include "server/stun/stun_server_core.h"

#include "common/stun/natscope_ports.h"

#include <string>
#include <vector>

#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

using stun::Message;

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

const net::SocketAddress kA1P1 = Addr("198.51.100.1:3478");
const net::SocketAddress kA2P2 = Addr("198.51.100.2:3479");
const net::SocketAddress kClient = Addr("192.0.2.7:40000");
const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::string Wire(const Message& m, bool fingerprint = true) {
  stun::EncodeOptions options;
  options.add_fingerprint = fingerprint;
  auto bytes = stun::Encode(m, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

Message Parse(const std::string& s) {
  const absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(s.data()), s.size());
  EXPECT_TRUE(stun::VerifyFingerprint(bytes).ok());
  auto m = stun::Decode(bytes);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

Message Request(std::optional<stun::ChangeRequest> change = std::nullopt) {
  return stun::MakeBindingRequest({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
                                  change);
}

class StunServerCoreTest : public ::testing::Test {
 protected:
  StunServerCore Make(bool alternate, RateLimiterOptions limits = {}) {
    limiter_ = std::make_unique<RateLimiter>(limits);
    StunServerConfig config{kA1P1, std::nullopt};
    if (alternate) config.alternate = kA2P2;
    auto core = StunServerCore::Create(config, limiter_.get());
    EXPECT_TRUE(core.ok()) << core.status();
    return *std::move(core);
  }

  std::unique_ptr<RateLimiter> limiter_;
};

TEST_F(StunServerCoreTest, BindingSuccessCarriesEveryRfc5780Attribute) {
  StunServerCore core = Make(true);
  auto reply = core.Handle(Wire(Request()), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->from, StunSocket::kPrimary);
  EXPECT_EQ(reply->to, kClient);
  Message m = Parse(reply->bytes);
  EXPECT_EQ(m.message_class, stun::MessageClass::kSuccessResponse);
  EXPECT_EQ(m.transaction_id, Request().transaction_id);
  EXPECT_EQ(m.xor_mapped_address, kClient);
  EXPECT_EQ(m.mapped_address, kClient);
  EXPECT_EQ(m.response_origin, kA1P1);
  EXPECT_EQ(m.other_address, kA2P2);
  EXPECT_EQ(m.software, std::string(kStunSoftware));
  EXPECT_TRUE(m.has_fingerprint);
}

TEST_F(StunServerCoreTest, SuccessListsTheServedPortsWhenTold) {
  StunServerCore core = Make(true);
  Message plain = Parse(
      core.Handle(Wire(Request()), StunSocket::kPrimary, kClient, kT0)->bytes);
  EXPECT_FALSE(stun::NatscopePorts(plain).has_value());
  core.set_advertised_ports({3478, 443});
  Message listed = Parse(
      core.Handle(Wire(Request()), StunSocket::kPrimary, kClient, kT0)->bytes);
  EXPECT_EQ(stun::NatscopePorts(listed), (std::vector<uint16_t>{3478, 443}));
}

TEST_F(StunServerCoreTest, OtherAddressIsTheSocketDifferingInIpAndPort) {
  StunServerCore core = Make(true);
  auto reply = core.Handle(Wire(Request()), StunSocket::kAltIp, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->from, StunSocket::kAltIp);
  Message m = Parse(reply->bytes);
  EXPECT_EQ(m.response_origin, Addr("198.51.100.2:3478"));
  EXPECT_EQ(m.other_address, Addr("198.51.100.1:3479"));
}

TEST_F(StunServerCoreTest, ChangeRequestPicksTheSendingSocketPerTable1) {
  StunServerCore core = Make(true);
  for (int on = 0; on < 4; ++on) {
    for (int flags = 0; flags < 4; ++flags) {
      const StunSocket received = static_cast<StunSocket>(on);
      const bool change_ip = flags & 2, change_port = flags & 1;
      auto reply = core.Handle(
          Wire(Request(stun::ChangeRequest{change_ip, change_port})), received,
          kClient, kT0);
      ASSERT_TRUE(reply.has_value());
      const StunSocket expected = MakeStunSocket(
          HasAltIp(received) != change_ip, HasAltPort(received) != change_port);
      EXPECT_EQ(reply->from, expected) << "on " << on << " flags " << flags;
      Message m = Parse(reply->bytes);
      EXPECT_EQ(m.response_origin, core.AddressOf(expected));
      EXPECT_EQ(m.other_address,
                core.AddressOf(MakeStunSocket(!HasAltIp(received),
                                              !HasAltPort(received))));
      EXPECT_EQ(reply->to, kClient);
    }
  }
}

TEST_F(StunServerCoreTest, SingleAddressServerAnswersChangeRequestWith420) {
  StunServerCore core = Make(false);
  auto reply = core.Handle(Wire(Request(stun::ChangeRequest{false, true})),
                           StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = Parse(reply->bytes);
  ASSERT_TRUE(m.error_code.has_value());
  EXPECT_EQ(m.error_code->code, 420);
  EXPECT_EQ(m.unknown_attributes,
            std::vector<uint16_t>{stun::kAttrChangeRequest});
}

TEST_F(StunServerCoreTest, SingleAddressServerSendsNoOtherAddress) {
  StunServerCore core = Make(false);
  auto reply = core.Handle(Wire(Request()), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = Parse(reply->bytes);
  EXPECT_EQ(m.xor_mapped_address, kClient);
  EXPECT_EQ(m.response_origin, kA1P1);
  EXPECT_FALSE(m.other_address.has_value());
}

TEST_F(StunServerCoreTest, SingleAddressServerIgnoresSocketsItDoesNotHave) {
  StunServerCore core = Make(false);
  EXPECT_FALSE(core.Handle(Wire(Request()), StunSocket::kAltIp, kClient, kT0));
  EXPECT_EQ(core.counters().ignored, 1);
}

TEST_F(StunServerCoreTest, ResponsePortSendsToTheSourceIpAtThatPort) {
  StunServerCore core = Make(true);
  Message request = Request(stun::ChangeRequest{true, true});
  request.response_port = 5555;
  auto reply = core.Handle(Wire(request), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->to, Addr("192.0.2.7:5555"));
  EXPECT_EQ(reply->from, StunSocket::kAltIpAltPort);
  EXPECT_EQ(Parse(reply->bytes).xor_mapped_address, kClient);
}

TEST_F(StunServerCoreTest, ResponsePortZeroGets400FromTheReceivingSocket) {
  StunServerCore core = Make(true);
  Message request = Request(stun::ChangeRequest{true, true});
  request.response_port = 0;
  auto reply = core.Handle(Wire(request), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->from, StunSocket::kPrimary);
  EXPECT_EQ(reply->to, kClient);
  EXPECT_EQ(Parse(reply->bytes).error_code->code, 400);
}

TEST_F(StunServerCoreTest, PaddingIsAnsweredWithoutAmplification) {
  StunServerCore core = Make(true);
  Message request = Request();
  request.padding_length = 1500;
  const std::string bytes = Wire(request);
  auto reply = core.Handle(bytes, StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = Parse(reply->bytes);
  ASSERT_TRUE(m.padding_length.has_value());
  EXPECT_GT(*m.padding_length, 1300);
  EXPECT_EQ(*m.padding_length % 4, 0);
  EXPECT_LE(reply->bytes.size(), bytes.size());
}

TEST_F(StunServerCoreTest, TinyPaddingStillGetsAPaddingAttribute) {
  StunServerCore core = Make(true);
  Message request = Request();
  request.padding_length = 0;
  const std::string bytes = Wire(request);
  auto reply = core.Handle(bytes, StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(Parse(reply->bytes).padding_length, uint16_t{0});
  EXPECT_LE(reply->bytes.size(), bytes.size() + kMaxResponseGrowth);
}

TEST_F(StunServerCoreTest, PaddingWithResponsePortGets400) {
  StunServerCore core = Make(true);
  Message request = Request();
  request.padding_length = 100;
  request.response_port = 5555;
  auto reply = core.Handle(Wire(request), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->to, kClient);
  EXPECT_EQ(Parse(reply->bytes).error_code->code, 400);
}

TEST_F(StunServerCoreTest, UnknownRequiredAttributeGets420ListingIt) {
  StunServerCore core = Make(false);
  Message request = Request(stun::ChangeRequest{});
  request.extra_attributes.push_back({0x7777, {1, 2, 3, 4}});
  request.extra_attributes.push_back({0xC001, {1, 2, 3, 4}});  // Optional.
  auto reply = core.Handle(Wire(request), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = Parse(reply->bytes);
  EXPECT_EQ(m.error_code->code, 420);
  EXPECT_EQ(m.unknown_attributes,
            (std::vector<uint16_t>{0x7777, stun::kAttrChangeRequest}));
}

TEST_F(StunServerCoreTest, OtherMethodsGet400) {
  StunServerCore core = Make(true);
  Message request = Request();
  request.method = 0x003;  // TURN Allocate.
  auto reply = core.Handle(Wire(request), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = Parse(reply->bytes);
  EXPECT_EQ(m.method, 0x003);
  EXPECT_EQ(m.error_code->code, 400);
}

TEST_F(StunServerCoreTest, NoiseResponsesAndIndicationsGetNothing) {
  StunServerCore core = Make(true);
  EXPECT_FALSE(core.Handle("hello", StunSocket::kPrimary, kClient, kT0));
  Message response = Request();
  response.message_class = stun::MessageClass::kSuccessResponse;
  EXPECT_FALSE(core.Handle(Wire(response), StunSocket::kPrimary, kClient, kT0));
  Message indication = Request();
  indication.message_class = stun::MessageClass::kIndication;
  EXPECT_FALSE(
      core.Handle(Wire(indication), StunSocket::kPrimary, kClient, kT0));
  EXPECT_EQ(core.counters().malformed, 1);
  EXPECT_EQ(core.counters().ignored, 2);
  EXPECT_EQ(core.counters().requests, 0);
}

TEST_F(StunServerCoreTest, BadFingerprintGetsNothing) {
  StunServerCore core = Make(true);
  std::string bytes = Wire(Request());
  bytes.back() ^= 1;
  EXPECT_FALSE(core.Handle(bytes, StunSocket::kPrimary, kClient, kT0));
  EXPECT_EQ(core.counters().malformed, 1);
  // Without FINGERPRINT at all it is answered.
  EXPECT_TRUE(
      core.Handle(Wire(Request(), false), StunSocket::kPrimary, kClient, kT0));
}

TEST_F(StunServerCoreTest, WildcardPrimaryOmitsResponseOrigin) {
  RateLimiter limiter;
  auto core =
      StunServerCore::Create({Addr("0.0.0.0:3478"), std::nullopt}, &limiter);
  ASSERT_TRUE(core.ok());
  auto reply =
      core->Handle(Wire(Request()), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_FALSE(Parse(reply->bytes).response_origin.has_value());
}

TEST_F(StunServerCoreTest, CreateRejectsAlternatesThatCannotWork) {
  RateLimiter limiter;
  auto with = [&](const char* primary, const char* alternate) {
    return StunServerCore::Create({Addr(primary), Addr(alternate)}, &limiter)
        .status();
  };
  EXPECT_TRUE(with("198.51.100.1:1", "198.51.100.2:2").ok());
  EXPECT_FALSE(with("198.51.100.1:1", "198.51.100.1:2").ok());   // Same IP.
  EXPECT_FALSE(with("198.51.100.1:1", "198.51.100.2:1").ok());   // Same port.
  EXPECT_FALSE(with("0.0.0.0:1", "198.51.100.2:2").ok());        // Wildcard.
  EXPECT_FALSE(with("198.51.100.1:1", "[2001:db8::1]:2").ok());  // Family.
  EXPECT_FALSE(StunServerCore::Create({kA1P1, std::nullopt}, nullptr).ok());
}

TEST_F(StunServerCoreTest, RateLimitDropsAfterTheBurstAndRefillsWithTime) {
  StunServerCore core = Make(true, {/*rate_per_second=*/2, /*burst=*/3});
  const std::string request = Wire(Request());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(core.Handle(request, StunSocket::kPrimary, kClient, kT0)) << i;
  }
  EXPECT_FALSE(core.Handle(request, StunSocket::kPrimary, kClient, kT0));
  EXPECT_FALSE(core.Handle(request, StunSocket::kPrimary, kClient,
                           kT0 + absl::Milliseconds(400)));
  EXPECT_TRUE(core.Handle(request, StunSocket::kPrimary, kClient,
                          kT0 + absl::Milliseconds(600)));
  EXPECT_EQ(core.counters().rate_limited, 2);
  EXPECT_EQ(core.counters().responses, 4);
  EXPECT_EQ(core.counters().requests, 6);
}

TEST_F(StunServerCoreTest, RateLimitCoversRedirectedRepliesPerSourceIp) {
  StunServerCore core = Make(true, {/*rate_per_second=*/1, /*burst=*/2});
  Message redirected = Request(stun::ChangeRequest{true, true});
  redirected.response_port = 9;
  const std::string bytes = Wire(redirected);
  EXPECT_TRUE(core.Handle(bytes, StunSocket::kPrimary, kClient, kT0));
  // Another port of the same IP shares the bucket.
  EXPECT_TRUE(core.Handle(bytes, StunSocket::kAltIp, kClient.WithPort(1), kT0));
  EXPECT_FALSE(core.Handle(bytes, StunSocket::kPrimary, kClient, kT0));
  // Errors are replies too.
  Message allocate = Request();
  allocate.method = 0x003;
  EXPECT_FALSE(core.Handle(Wire(allocate), StunSocket::kPrimary, kClient, kT0));
  // Another IP has its own bucket.
  EXPECT_TRUE(
      core.Handle(bytes, StunSocket::kPrimary, Addr("192.0.2.8:40000"), kT0));
  EXPECT_EQ(core.counters().rate_limited, 2);
  EXPECT_EQ(limiter_->dropped(), 2);
}

}  // namespace
}  // namespace natscope::server
