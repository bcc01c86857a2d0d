#include "common/quic/version_negotiation.h"

#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace natscope::quic {
namespace {

const std::vector<uint32_t> kV1 = {kVersion1};

TEST(ReservedVersionTest, RecognisesTheGreasePattern) {
  EXPECT_TRUE(IsReservedVersion(0x0a0a0a0a));
  EXPECT_TRUE(IsReservedVersion(0xfa1a2a3a));
  EXPECT_FALSE(IsReservedVersion(kVersion1));
  EXPECT_FALSE(IsReservedVersion(0x6b3343cf));  // QUIC v2.
  std::mt19937 gen(7);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(IsReservedVersion(RandomReservedVersion(gen)));
  }
}

TEST(VersionProbeTest, IsAPadded1200ByteLongHeaderInitial) {
  std::mt19937 gen(1);
  VersionProbe probe = BuildVersionProbe(gen);
  ASSERT_EQ(probe.bytes.size(), 1200u);
  EXPECT_EQ(probe.bytes[0] & 0xF0, 0xC0);  // Long header, fixed bit, Initial.
  EXPECT_TRUE(IsReservedVersion(probe.version));
  EXPECT_EQ(probe.bytes[1], probe.version >> 24);
  EXPECT_EQ(probe.bytes[5], kProbeConnectionIdLength);
  EXPECT_EQ(ConnectionId(probe.bytes.begin() + 6, probe.bytes.begin() + 14),
            probe.dcid);
  EXPECT_EQ(probe.bytes[14], kProbeConnectionIdLength);
  EXPECT_EQ(ConnectionId(probe.bytes.begin() + 15, probe.bytes.begin() + 23),
            probe.scid);
  EXPECT_EQ(probe.bytes[23], 0);  // Empty token.
  const size_t length = ((probe.bytes[24] & 0x3F) << 8) | probe.bytes[25];
  EXPECT_EQ(26 + length, 1200u);
}

TEST(VersionProbeTest, TwoProbesDiffer) {
  std::mt19937 gen(1);
  VersionProbe a = BuildVersionProbe(gen);
  VersionProbe b = BuildVersionProbe(gen);
  EXPECT_NE(a.dcid, b.dcid);
  EXPECT_NE(a.scid, b.scid);
}

TEST(VersionNegotiationTest, ServerAnswerIsAcceptedByTheProbe) {
  std::mt19937 gen(2);
  VersionProbe probe = BuildVersionProbe(gen);
  auto vn = VersionNegotiationFor(probe.bytes, kV1, gen);
  ASSERT_TRUE(vn.has_value());
  EXPECT_EQ((*vn)[0] & 0xC0, 0xC0);
  EXPECT_LE(vn->size(), probe.bytes.size());
  auto parsed = ParseProbeAnswer(*vn, probe);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->supported_versions, kV1);
  EXPECT_EQ(parsed->dcid, probe.scid);
  EXPECT_EQ(parsed->scid, probe.dcid);
}

TEST(VersionNegotiationTest, ParsesAHandWrittenPacket) {
  const std::vector<uint8_t> bytes = {0x80, 0, 0, 0, 0, 1,    0xAA, 2, 0xBB,
                                      0xCC, 0, 0, 0, 1, 0xff, 0,    0, 0x1d};
  auto vn = ParseVersionNegotiation(bytes);
  ASSERT_TRUE(vn.ok()) << vn.status();
  EXPECT_EQ(vn->dcid, ConnectionId{0xAA});
  EXPECT_EQ(vn->scid, (ConnectionId{0xBB, 0xCC}));
  EXPECT_EQ(vn->supported_versions, (std::vector<uint32_t>{1, 0xff00001d}));
}

TEST(VersionNegotiationTest, RejectsWhatIsNotAVersionNegotiation) {
  EXPECT_FALSE(ParseVersionNegotiation({}).ok());
  EXPECT_FALSE(ParseVersionNegotiation({0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
                   .ok());  // Short header.
  EXPECT_FALSE(ParseVersionNegotiation({0x80, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1})
                   .ok());  // Version 1, not 0.
  EXPECT_FALSE(
      ParseVersionNegotiation({0x80, 0, 0, 0, 0, 0, 0}).ok());  // No versions.
  EXPECT_FALSE(ParseVersionNegotiation({0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1})
                   .ok());  // 3 bytes of versions.
  EXPECT_FALSE(ParseVersionNegotiation({0x80, 0, 0, 0, 0, 9, 1, 2})
                   .ok());  // DCID runs past the end.
}

TEST(VersionNegotiationTest, ProbeRejectsWrongConnectionIdsOrItsOwnVersion) {
  std::mt19937 gen(3);
  VersionProbe probe = BuildVersionProbe(gen);
  VersionNegotiation vn{probe.scid, probe.dcid, {kVersion1}};
  EXPECT_TRUE(CheckAnswersProbe(vn, probe).ok());
  VersionNegotiation unswapped{probe.dcid, probe.scid, {kVersion1}};
  EXPECT_EQ(CheckAnswersProbe(unswapped, probe).code(),
            absl::StatusCode::kFailedPrecondition);
  VersionNegotiation lists_own{probe.scid, probe.dcid, {probe.version}};
  EXPECT_EQ(CheckAnswersProbe(lists_own, probe).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(VersionNegotiationTest, ServerIgnoresShortDatagrams) {
  std::mt19937 gen(4);
  VersionProbe probe = BuildVersionProbe(gen);
  probe.bytes.resize(1199);
  EXPECT_FALSE(VersionNegotiationFor(probe.bytes, kV1, gen).has_value());
}

TEST(VersionNegotiationTest, ServerNeverAnswersVersionNegotiation) {
  std::mt19937 gen(5);
  std::vector<uint8_t> vn = {0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  vn.resize(1200, 0);
  EXPECT_FALSE(VersionNegotiationFor(vn, kV1, gen).has_value());
}

TEST(VersionNegotiationTest, ServerIgnoresSupportedVersionsAndShortHeaders) {
  std::mt19937 gen(6);
  VersionProbe probe = BuildVersionProbe(gen);
  std::vector<uint8_t> v1 = probe.bytes;
  v1[1] = v1[2] = v1[3] = 0;
  v1[4] = 1;
  EXPECT_FALSE(VersionNegotiationFor(v1, kV1, gen).has_value());
  std::vector<uint8_t> short_header = probe.bytes;
  short_header[0] = 0x40;
  EXPECT_FALSE(VersionNegotiationFor(short_header, kV1, gen).has_value());
}

TEST(VersionNegotiationTest, ServerEchoesLongConnectionIdsOfUnknownVersions) {
  std::mt19937 gen(8);
  std::vector<uint8_t> packet = {0xC0, 0x1a, 0x2a, 0x3a, 0x4a, 200};
  packet.resize(6 + 200, 0x11);
  packet.push_back(255);
  packet.resize(packet.size() + 255, 0x22);
  packet.resize(1200, 0);
  auto vn = VersionNegotiationFor(packet, kV1, gen);
  ASSERT_TRUE(vn.has_value());
  auto parsed = ParseVersionNegotiation(*vn);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->dcid, ConnectionId(255, 0x22));
  EXPECT_EQ(parsed->scid, ConnectionId(200, 0x11));
}

}  // namespace
}  // namespace natscope::quic
