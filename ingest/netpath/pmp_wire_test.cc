#include "ingest/netpath/pmp_wire.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(PmpWireTest, NatPmpRequestIsTwoZeroBytes) {
  EXPECT_EQ(EncodeNatPmpExternalAddressRequest(), Bytes({0, 0}));
}

TEST(PmpWireTest, DecodesNatPmpSuccessWithAddressAndEpoch) {
  auto r = DecodeNatPmpExternalAddressResponse(
      Bytes({0, 128, 0, 0, 0, 0, 1, 2, 192, 168, 0, 2}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_code, 0);
  EXPECT_EQ(r->epoch_seconds, 258u);
  EXPECT_EQ(net::SocketAddress::IPv4(r->address, 0).IpString(), "192.168.0.2");
}

TEST(PmpWireTest, DecodesShortNatPmpErrorAnswers) {
  auto r =
      DecodeNatPmpExternalAddressResponse(Bytes({0, 128, 0, 3, 0, 0, 0, 9}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result_code, 3);
  EXPECT_NE(NatPmpResultText(3).find("behind another NAT"), std::string::npos);
}

TEST(PmpWireTest, RejectsTruncatedOrForeignNatPmpAnswers) {
  EXPECT_FALSE(DecodeNatPmpExternalAddressResponse(Bytes({0, 128, 0})).ok());
  EXPECT_FALSE(DecodeNatPmpExternalAddressResponse(
                   Bytes({0, 129, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}))
                   .ok());
  EXPECT_FALSE(
      DecodeNatPmpExternalAddressResponse(Bytes({0, 128, 0, 0, 0, 0, 0, 0}))
          .ok());
}

TEST(PmpWireTest, PcpAnnounceCarriesTheClientAsMappedIpv6) {
  const std::string req =
      EncodePcpAnnounceRequest(net::SocketAddress::IPv4({192, 168, 1, 20}, 0));
  ASSERT_EQ(req.size(), 24u);
  EXPECT_EQ(req[0], 2);
  EXPECT_EQ(req[1], 0);
  EXPECT_EQ(req.substr(8, 16),
            Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 168, 1, 20}));
}

TEST(PmpWireTest, DecodesPcpAnnounceAnswer) {
  std::string resp(24, '\0');
  resp[0] = 2;
  resp[1] = static_cast<char>(0x80);
  resp[11] = 42;
  auto r = DecodePcpResponse(resp);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, 2);
  EXPECT_EQ(r->result_code, 0);
  EXPECT_EQ(r->epoch_seconds, 42u);
  resp[1] = 0;  // a request, not a response
  EXPECT_FALSE(DecodePcpResponse(resp).ok());
}

TEST(PmpWireTest, RecognisesNatPmpOnlyServerAnsweringPcp) {
  auto r = DecodePcpResponse(Bytes({0, 128, 0, 1, 0, 0, 0, 5}));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->version, 0);
  EXPECT_EQ(r->result_code, 1);
}

}  // namespace
}  // namespace natscope::ingest
