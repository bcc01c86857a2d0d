// StunServerCore and RFC 3489 ("classic") clients: requests without the
// magic cookie get classic responses (RFC 8489 §11).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/stun/binding.h"
#include "common/stun/classic.h"
#include "common/stun/classic_testing.h"
#include "common/stun/codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/stun/stun_server_core.h"

namespace natscope::server {
namespace {

using stun::Message;
using ::testing::ElementsAre;

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

const net::SocketAddress kA1P1 = Addr("198.51.100.1:3478");
const net::SocketAddress kA2P2 = Addr("198.51.100.2:3479");
const net::SocketAddress kClient = Addr("192.0.2.7:40000");
const absl::Time kT0 = absl::FromUnixSeconds(1700000000);
// The first byte is Vovida's test number; bytes 4-7 are no cookie.
const stun::ClassicTransactionId kId = {1, 0xde, 0xad, 0xbe, 0xef, 6,  7,  8,
                                        9, 10,   11,   12,   13,   14, 15, 16};

using Attr = std::pair<uint16_t, std::vector<uint8_t>>;

// A classic message of `type` with `attrs` (values a multiple of 4 bytes).
std::string Classic(uint16_t type, const std::vector<Attr>& attrs) {
  std::string out = {static_cast<char>(type >> 8), static_cast<char>(type), 0,
                     0};
  out.append(kId.begin(), kId.end());
  for (const auto& [attr_type, value] : attrs) {
    out += static_cast<char>(attr_type >> 8);
    out += static_cast<char>(attr_type & 0xFF);
    out += static_cast<char>(value.size() >> 8);
    out += static_cast<char>(value.size() & 0xFF);
    out.append(value.begin(), value.end());
  }
  out[2] = static_cast<char>((out.size() - 20) >> 8);
  out[3] = static_cast<char>((out.size() - 20) & 0xFF);
  return out;
}

// What Vovida's `stun` sends: a Binding request with CHANGE-REQUEST.
std::string VovidaRequest(uint8_t flags) {
  return Classic(0x0001, {{stun::kAttrChangeRequest, {0, 0, 0, flags}}});
}

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

// Checks `reply` is a classic response a strict classic client reads, to
// the request with kId, and returns it decoded.
Message ParseClassic(const std::string& reply) {
  EXPECT_FALSE(stun::IsStunMessage(Bytes(reply))) << "carries the cookie";
  EXPECT_TRUE(stun::CheckClassicReadable(Bytes(reply)).ok())
      << stun::CheckClassicReadable(Bytes(reply));
  stun::ClassicTransactionId id;
  auto m = stun::DecodeClassicForTest(Bytes(reply), &id);
  EXPECT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(id, kId);
  EXPECT_FALSE(m->xor_mapped_address.has_value());
  EXPECT_FALSE(m->has_fingerprint);
  return *m;
}

class ClassicTest : public ::testing::Test {
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

TEST_F(ClassicTest, BindingGetsAClassicSuccess) {
  StunServerCore core = Make(true);
  auto reply =
      core.Handle(VovidaRequest(0), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->from, StunSocket::kPrimary);
  EXPECT_EQ(reply->to, kClient);
  EXPECT_EQ(reply->bytes.substr(0, 2), std::string("\x01\x01", 2));
  Message m = ParseClassic(reply->bytes);
  EXPECT_EQ(m.message_class, stun::MessageClass::kSuccessResponse);
  EXPECT_EQ(m.mapped_address, kClient);
  EXPECT_EQ(m.source_address, kA1P1);
  EXPECT_EQ(m.changed_address, kA2P2);
  EXPECT_FALSE(m.response_origin.has_value());
  EXPECT_FALSE(m.other_address.has_value());
  ASSERT_TRUE(m.software.has_value());
  EXPECT_EQ(m.software->rfind(kStunSoftware, 0), 0u);
  EXPECT_EQ(core.counters().classic, 1);
  EXPECT_EQ(core.counters().requests, 1);
  EXPECT_EQ(core.counters().responses, 1);
}

TEST_F(ClassicTest, ChangeRequestPicksTheSendingSocketPerTable1) {
  StunServerCore core = Make(true);
  for (int on = 0; on < 4; ++on) {
    for (uint8_t flags : {0, 2, 4, 6}) {
      const StunSocket received = static_cast<StunSocket>(on);
      const bool change_ip = flags & 4, change_port = flags & 2;
      auto reply = core.Handle(VovidaRequest(flags), received, kClient, kT0);
      ASSERT_TRUE(reply.has_value());
      const StunSocket expected = MakeStunSocket(
          HasAltIp(received) != change_ip, HasAltPort(received) != change_port);
      EXPECT_EQ(reply->from, expected) << "on " << on << " flags " << +flags;
      EXPECT_EQ(reply->to, kClient);
      Message m = ParseClassic(reply->bytes);
      EXPECT_EQ(m.source_address, core.AddressOf(expected));
      EXPECT_EQ(m.changed_address,
                core.AddressOf(MakeStunSocket(!HasAltIp(received),
                                              !HasAltPort(received))));
    }
  }
}

TEST_F(ClassicTest, SingleAddressServerAnswersAChangeRequestAskingNothing) {
  StunServerCore core = Make(false);
  auto reply =
      core.Handle(VovidaRequest(0), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = ParseClassic(reply->bytes);
  EXPECT_EQ(m.message_class, stun::MessageClass::kSuccessResponse);
  EXPECT_EQ(m.mapped_address, kClient);
  EXPECT_EQ(m.source_address, kA1P1);
  EXPECT_FALSE(m.changed_address.has_value());
}

TEST_F(ClassicTest, SingleAddressServerAnswersAChangeWith420) {
  StunServerCore core = Make(false);
  for (uint8_t flags : {2, 4, 6}) {
    auto reply =
        core.Handle(VovidaRequest(flags), StunSocket::kPrimary, kClient, kT0);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->from, StunSocket::kPrimary);
    EXPECT_EQ(reply->to, kClient);
    EXPECT_EQ(reply->bytes.substr(0, 2), std::string("\x01\x11", 2));
    Message m = ParseClassic(reply->bytes);
    EXPECT_EQ(m.error_code->code, 420);
    // An odd list repeats its last type (RFC 3489 §11.2.10).
    EXPECT_THAT(*m.unknown_attributes, ElementsAre(stun::kAttrChangeRequest,
                                                   stun::kAttrChangeRequest));
  }
}

TEST_F(ClassicTest, ResponseAddressIsNeverHonoured) {
  StunServerCore core = Make(true);
  // RESPONSE-ADDRESS 203.0.113.9:9: someone else's address.
  const std::string request = Classic(
      0x0001, {{stun::kAttrResponseAddress, {0, 1, 0, 9, 203, 0, 113, 9}},
               {stun::kAttrChangeRequest, {0, 0, 0, 6}}});
  auto reply = core.Handle(request, StunSocket::kAltPort, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->to, kClient);
  EXPECT_EQ(reply->from, StunSocket::kAltPort);
  Message m = ParseClassic(reply->bytes);
  EXPECT_EQ(m.error_code->code, 420);
  EXPECT_THAT(*m.unknown_attributes, ElementsAre(stun::kAttrResponseAddress,
                                                 stun::kAttrResponseAddress));
}

TEST_F(ClassicTest, OtherRequiredAttributesGet420ListingThem) {
  StunServerCore core = Make(false);
  const std::string request =
      Classic(0x0001, {{stun::kAttrUsername, {'u', 's', 'e', 'r'}},
                       {0xC001, {1, 2, 3, 4}},  // Optional: ignored.
                       {stun::kAttrXorMappedAddress, {0, 1, 0, 9, 1, 2, 3, 4}},
                       {stun::kAttrChangeRequest, {0, 0, 0, 4}}});
  auto reply = core.Handle(request, StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = ParseClassic(reply->bytes);
  EXPECT_EQ(m.error_code->code, 420);
  EXPECT_THAT(*m.unknown_attributes,
              ElementsAre(stun::kAttrUsername, stun::kAttrXorMappedAddress,
                          stun::kAttrChangeRequest, stun::kAttrChangeRequest));
}

TEST_F(ClassicTest, OtherMethodsGet400) {
  StunServerCore core = Make(true);
  auto reply = core.Handle(Classic(0x0002, {}),  // Shared Secret Request.
                           StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->bytes.substr(0, 2), std::string("\x01\x12", 2));
  Message m = ParseClassic(reply->bytes);
  EXPECT_EQ(m.method, 0x002);
  EXPECT_EQ(m.error_code->code, 400);
  EXPECT_FALSE(m.unknown_attributes.has_value());
}

TEST_F(ClassicTest, NonRequestsAndOtherSocketsGetNothing) {
  StunServerCore core = Make(false);
  EXPECT_FALSE(
      core.Handle(Classic(0x0101, {}), StunSocket::kPrimary, kClient, kT0));
  EXPECT_FALSE(
      core.Handle(Classic(0x0011, {}), StunSocket::kPrimary, kClient, kT0));
  EXPECT_FALSE(core.Handle(VovidaRequest(0), StunSocket::kAltIp, kClient, kT0));
  EXPECT_EQ(core.counters().ignored, 3);
  EXPECT_EQ(core.counters().classic, 0);
}

TEST_F(ClassicTest, MalformedClassicInputGetsNothing) {
  StunServerCore core = Make(true);
  const std::string good = VovidaRequest(0);
  std::string oversized = good;
  oversized.resize(20 + 65536, '\0');
  std::string bad_change =
      Classic(0x0001, {{stun::kAttrChangeRequest, {0, 0, 0, 4, 0, 0, 0, 0}}});
  std::string truncated_attr = good;
  truncated_attr[23] = 8;
  for (const std::string& bad :
       {good.substr(0, 27), good.substr(0, 19), oversized, bad_change,
        truncated_attr, std::string(good.size(), '\xff')}) {
    EXPECT_FALSE(core.Handle(bad, StunSocket::kPrimary, kClient, kT0))
        << bad.size() << " bytes";
  }
  EXPECT_EQ(core.counters().malformed, 6);
  EXPECT_EQ(core.counters().requests, 0);
}

TEST_F(ClassicTest, WildcardPrimaryOmitsSourceAddress) {
  RateLimiter limiter;
  auto core =
      StunServerCore::Create({Addr("0.0.0.0:3478"), std::nullopt}, &limiter);
  ASSERT_TRUE(core.ok());
  auto reply =
      core->Handle(VovidaRequest(0), StunSocket::kPrimary, kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  Message m = ParseClassic(reply->bytes);
  EXPECT_FALSE(m.source_address.has_value());
  EXPECT_EQ(m.mapped_address, kClient);
}

TEST_F(ClassicTest, SharesTheRateLimitWithModernRequests) {
  StunServerCore core = Make(true, {/*rate_per_second=*/1, /*burst=*/2});
  const Message modern =
      stun::MakeBindingRequest({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  auto modern_bytes = stun::Encode(modern);
  ASSERT_TRUE(modern_bytes.ok());
  const std::string modern_wire(modern_bytes->begin(), modern_bytes->end());
  EXPECT_TRUE(core.Handle(modern_wire, StunSocket::kPrimary, kClient, kT0));
  EXPECT_TRUE(
      core.Handle(VovidaRequest(0), StunSocket::kPrimary, kClient, kT0));
  // Errors are replies too, and take a token first.
  EXPECT_FALSE(
      core.Handle(Classic(0x0002, {}), StunSocket::kPrimary, kClient, kT0));
  EXPECT_FALSE(
      core.Handle(VovidaRequest(4), StunSocket::kPrimary, kClient, kT0));
  EXPECT_EQ(core.counters().rate_limited, 2);
  EXPECT_EQ(core.counters().responses, 2);
  EXPECT_EQ(core.counters().requests, 4);
  EXPECT_EQ(core.counters().classic, 3);
}

}  // namespace
}  // namespace natscope::server
