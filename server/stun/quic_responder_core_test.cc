#include "server/stun/quic_responder_core.h"

#include <random>

#include "common/quic/version_negotiation.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

const net::SocketAddress kClient = *net::SocketAddress::Parse("192.0.2.7:1");
const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

std::string AsString(const std::vector<uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST(QuicResponderCoreTest, AnswersAGreasedProbeWithVersionNegotiation) {
  RateLimiter limiter;
  QuicResponderCore core(&limiter);
  std::mt19937 gen(1);
  quic::VersionProbe probe = quic::BuildVersionProbe(gen);
  auto reply = core.Handle(AsString(probe.bytes), kClient, kT0);
  ASSERT_TRUE(reply.has_value());
  auto vn = quic::ParseProbeAnswer(
      absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(reply->data()),
                                reply->size()),
      probe);
  ASSERT_TRUE(vn.ok()) << vn.status();
  EXPECT_EQ(vn->supported_versions, std::vector<uint32_t>{quic::kVersion1});
  EXPECT_EQ(core.counters().responses, 1);
}

TEST(QuicResponderCoreTest, IgnoresShortDatagramsAndNoise) {
  RateLimiter limiter;
  QuicResponderCore core(&limiter);
  std::mt19937 gen(2);
  quic::VersionProbe probe = quic::BuildVersionProbe(gen);
  probe.bytes.resize(600);
  EXPECT_FALSE(core.Handle(AsString(probe.bytes), kClient, kT0));
  EXPECT_FALSE(core.Handle(std::string(1200, 'x'), kClient, kT0));
  EXPECT_EQ(core.counters().ignored, 2);
}

TEST(QuicResponderCoreTest, SharesTheRateLimiterBudget) {
  RateLimiter limiter({/*rate_per_second=*/1, /*burst=*/2});
  QuicResponderCore core(&limiter);
  std::mt19937 gen(3);
  const std::string probe = AsString(quic::BuildVersionProbe(gen).bytes);
  EXPECT_TRUE(limiter.Allow(kClient, kT0));  // Spent elsewhere (STUN).
  EXPECT_TRUE(core.Handle(probe, kClient, kT0));
  EXPECT_FALSE(core.Handle(probe, kClient, kT0));
  EXPECT_EQ(core.counters().rate_limited, 1);
  EXPECT_TRUE(core.Handle(probe, kClient, kT0 + absl::Seconds(1)));
}

}  // namespace
}  // namespace natscope::server
