// kMaxResponseGrowth in every configuration: IPv4 and IPv6 servers and
// sources (IPv6 addresses make XOR-MAPPED-ADDRESS, MAPPED-ADDRESS,
// RESPONSE-ORIGIN and OTHER-ADDRESS 12 bytes larger each), with and without
// an alternate address, with 0 to 40 advertised ports, for every kind of
// request the core answers, RFC 3489 (classic) ones included.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/stun/binding.h"
#include "common/stun/classic.h"
#include "common/stun/classic_testing.h"
#include "common/stun/codec.h"
#include "common/stun/natscope_ports.h"
#include "gtest/gtest.h"
#include "server/stun/stun_server_core.h"

namespace natscope::server {
namespace {

using stun::Message;

net::SocketAddress Addr(const char* text) {
  return *net::SocketAddress::Parse(text);
}

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::string Wire(const Message& m, bool fingerprint) {
  stun::EncodeOptions options;
  options.add_fingerprint = fingerprint;
  auto bytes = stun::Encode(m, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return std::string(bytes->begin(), bytes->end());
}

Message Decoded(const std::string& s) {
  auto m = stun::Decode(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

Message Request() {
  return stun::MakeBindingRequest({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
}

std::vector<uint16_t> Ports(size_t n) {
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < n; ++i) ports.push_back(3478 + i);
  return ports;
}

struct Server {
  const char* primary;
  const char* alternate;  // nullptr: single address.
};

const Server kServers[] = {
    {"198.51.100.1:3478", nullptr},
    {"198.51.100.1:3478", "198.51.100.2:3479"},
    {"0.0.0.0:3478", nullptr},
    {"[2001:db8::1]:3478", nullptr},
    {"[2001:db8::1]:3478", "[2001:db8::2]:3479"},
    {"[::]:3478", nullptr},
};
const char* const kSources[] = {"192.0.2.7:40000", "[::ffff:192.0.2.7]:40000",
                                "[2001:db8:ffff:ffff:ffff:ffff:ffff:1]:65535"};
const size_t kPortCounts[] = {0, 1, 12, 13, 16, 40};

// Every request shape the core answers, as {wire bytes, description}.
std::vector<std::pair<std::string, std::string>> Requests() {
  std::vector<std::pair<std::string, std::string>> out;
  for (bool fingerprint : {false, true}) {
    const std::string fp = fingerprint ? " +FINGERPRINT" : "";
    out.push_back({Wire(Request(), fingerprint), "bare" + fp});
    Message change = Request();
    change.change_request = stun::ChangeRequest{true, true};
    out.push_back({Wire(change, fingerprint), "CHANGE-REQUEST" + fp});
    for (uint16_t padding : {0, 4, 100, 1500}) {
      Message padded = Request();
      padded.padding_length = padding;
      out.push_back({Wire(padded, fingerprint),
                     "PADDING " + std::to_string(padding) + fp});
    }
    Message redirect = Request();
    redirect.response_port = 9;
    out.push_back({Wire(redirect, fingerprint), "RESPONSE-PORT" + fp});
    Message both = Request();
    both.padding_length = 0;
    both.response_port = 9;
    out.push_back({Wire(both, fingerprint), "PADDING+RESPONSE-PORT" + fp});
    Message allocate = Request();
    allocate.method = 0x003;
    out.push_back({Wire(allocate, fingerprint), "Allocate" + fp});
    Message unknown = Request();
    unknown.extra_attributes.push_back({0x7777, {}});
    out.push_back({Wire(unknown, fingerprint), "unknown attribute" + fp});
  }
  return out;
}

// A classic message of `type` whose attributes are (type, value size),
// each value zeros.
std::string Classic(uint16_t type,
                    const std::vector<std::pair<uint16_t, uint16_t>>& attrs) {
  std::string out = {static_cast<char>(type >> 8), static_cast<char>(type), 0,
                     0};
  for (int i = 0; i < 16; ++i) out += static_cast<char>(0x40 + i);
  for (const auto& [attr_type, size] : attrs) {
    out += static_cast<char>(attr_type >> 8);
    out += static_cast<char>(attr_type & 0xFF);
    out += static_cast<char>(size >> 8);
    out += static_cast<char>(size & 0xFF);
    out.append(size, '\0');
  }
  out[2] = static_cast<char>((out.size() - 20) >> 8);
  out[3] = static_cast<char>((out.size() - 20) & 0xFF);
  return out;
}

// Every classic request shape the core answers.
std::vector<std::pair<std::string, std::string>> ClassicRequests() {
  std::vector<std::pair<std::string, std::string>> out;
  out.push_back({Classic(0x0001, {}), "classic bare"});
  for (uint8_t flags : {0, 2, 4, 6}) {
    std::string request = Classic(0x0001, {{stun::kAttrChangeRequest, 4}});
    request.back() = static_cast<char>(flags);
    out.push_back({request, "classic CHANGE-REQUEST " + std::to_string(flags)});
  }
  out.push_back({Classic(0x0001, {{stun::kAttrResponseAddress, 8}}),
                 "classic RESPONSE-ADDRESS"});
  out.push_back({Classic(0x0001, {{0x7777, 0}}), "classic unknown"});
  out.push_back({Classic(0x0001, {{0x7777, 0}, {0x7778, 0}, {0x7779, 0}}),
                 "classic 3 unknown"});
  out.push_back({Classic(0x0002, {}), "classic Shared Secret"});
  return out;
}

// Decodes a reply of either dialect.
Message DecodedReply(const std::string& s) {
  const absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(s.data()), s.size());
  if (!stun::IsClassicStun(bytes)) return Decoded(s);
  EXPECT_TRUE(stun::CheckClassicReadable(bytes).ok());
  stun::ClassicTransactionId id;
  auto m = stun::DecodeClassicForTest(bytes, &id);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

TEST(StunReplyGrowthTest, HoldsInEveryConfiguration) {
  auto requests = Requests();
  for (auto& classic : ClassicRequests()) requests.push_back(classic);
  int successes = 0;
  int classic_successes = 0;
  for (const Server& server : kServers) {
    for (size_t port_count : kPortCounts) {
      RateLimiter limiter({/*rate_per_second=*/0});
      StunServerConfig config{Addr(server.primary), std::nullopt};
      if (server.alternate) config.alternate = Addr(server.alternate);
      auto core = StunServerCore::Create(config, &limiter);
      ASSERT_TRUE(core.ok()) << core.status();
      const std::vector<uint16_t> ports = Ports(port_count);
      core->set_advertised_ports(ports);
      for (const char* source : kSources) {
        for (int on = 0; on < (server.alternate ? 4 : 1); ++on) {
          for (const auto& [bytes, what] : requests) {
            SCOPED_TRACE(::testing::Message()
                         << server.primary << " alt "
                         << (server.alternate ? server.alternate : "none")
                         << ", " << port_count << " ports, from " << source
                         << " on " << on << ": " << what << " (" << bytes.size()
                         << " bytes)");
            auto reply = core->Handle(bytes, static_cast<StunSocket>(on),
                                      Addr(source), kT0);
            ASSERT_TRUE(reply.has_value());
            ASSERT_LE(reply->bytes.size(), bytes.size() + kMaxResponseGrowth);
            const Message m = DecodedReply(reply->bytes);
            if (m.padding_length && *m.padding_length > 0) {
              EXPECT_LE(reply->bytes.size(), bytes.size());
            }
            if (m.message_class != stun::MessageClass::kSuccessResponse) {
              continue;
            }
            ++successes;
            if (stun::IsClassicStun(absl::Span<const uint8_t>(
                    reinterpret_cast<const uint8_t*>(reply->bytes.data()),
                    reply->bytes.size()))) {
              ++classic_successes;
              continue;  // No NATSCOPE-PORTS for classic clients.
            }
            const auto listed =
                stun::NatscopePorts(m).value_or(std::vector<uint16_t>{});
            // A prefix of the advertised ports, and never fewer than 12.
            ASSERT_LE(listed.size(), ports.size());
            EXPECT_TRUE(
                std::equal(listed.begin(), listed.end(), ports.begin()));
            EXPECT_GE(listed.size(), std::min<size_t>(port_count, 12));
            if (bytes.size() >= 28 && !m.padding_length) {
              EXPECT_EQ(listed.size(),
                        std::min(port_count, stun::kMaxAdvertisedPorts));
            }
          }
        }
      }
    }
  }
  EXPECT_GT(successes, 500);
  EXPECT_GT(classic_successes, 100);
}

class WorstCaseTest : public ::testing::Test {
 protected:
  WorstCaseTest() {
    auto core = StunServerCore::Create(
        {Addr("[2001:db8::1]:3478"), Addr("[2001:db8::2]:3479")}, &limiter_);
    EXPECT_TRUE(core.ok()) << core.status();
    core_.emplace(*std::move(core));
    core_->set_advertised_ports(Ports(stun::kMaxAdvertisedPorts));
  }
  std::optional<StunReply> Send(const std::string& bytes) {
    return core_->Handle(bytes, StunSocket::kPrimary, kSource, kT0);
  }

  const net::SocketAddress kSource = Addr("[2001:db8:1:2::3]:40000");
  RateLimiter limiter_{{/*rate_per_second=*/0}};
  std::optional<StunServerCore> core_;
};

TEST_F(WorstCaseTest, BareRequestGetsExactlyTheBoundAnd12Ports) {
  const std::string bytes = Wire(Request(), false);
  ASSERT_EQ(bytes.size(), 20u);
  auto reply = Send(bytes);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->bytes.size(), 20 + kMaxResponseGrowth);
  const Message m = Decoded(reply->bytes);
  EXPECT_EQ(m.xor_mapped_address, kSource);
  EXPECT_EQ(m.other_address, Addr("[2001:db8::2]:3479"));
  EXPECT_EQ(stun::NatscopePorts(m), Ports(12));
}

TEST_F(WorstCaseTest, BareClassicRequestGetsTheLargestClassicReply) {
  const std::string bytes = Classic(0x0001, {});
  ASSERT_EQ(bytes.size(), 20u);
  auto reply = Send(bytes);
  ASSERT_TRUE(reply.has_value());
  // MAPPED-, SOURCE- and CHANGED-ADDRESS (IPv6: 24 bytes each) and SOFTWARE.
  EXPECT_EQ(reply->bytes.size(), 20u + 100u);
  EXPECT_LE(reply->bytes.size(), bytes.size() + kMaxResponseGrowth);
  EXPECT_EQ(DecodedReply(reply->bytes).changed_address,
            Addr("[2001:db8::2]:3479"));
}

TEST_F(WorstCaseTest, AgentSizedRequestGetsEveryPort) {
  // natscope's agent always sends FINGERPRINT: 28 bytes.
  const std::string bytes = Wire(Request(), true);
  ASSERT_EQ(bytes.size(), 28u);
  auto reply = Send(bytes);
  ASSERT_TRUE(reply.has_value());
  EXPECT_LE(reply->bytes.size(), bytes.size() + kMaxResponseGrowth);
  EXPECT_EQ(stun::NatscopePorts(Decoded(reply->bytes)),
            Ports(stun::kMaxAdvertisedPorts));
}

TEST_F(WorstCaseTest, SmallestPaddingRequestLeavesRoomForThePadding) {
  Message request = Request();
  request.padding_length = 0;
  const std::string bytes = Wire(request, false);
  ASSERT_EQ(bytes.size(), 24u);
  auto reply = Send(bytes);
  ASSERT_TRUE(reply.has_value());
  EXPECT_LE(reply->bytes.size(), bytes.size() + kMaxResponseGrowth);
  const Message m = Decoded(reply->bytes);
  EXPECT_EQ(m.padding_length, uint16_t{0});
  EXPECT_EQ(stun::NatscopePorts(m), Ports(12));
}

}  // namespace
}  // namespace natscope::server
