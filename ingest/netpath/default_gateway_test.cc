#include "ingest/netpath/default_gateway.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

constexpr char kHeader[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
    "Window\tIRTT\n";

TEST(DefaultGatewayTest, PicksTheDefaultRouteWithTheLowestMetric) {
  const std::string table =
      std::string(kHeader) +
      "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
      "eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
      "eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n";
  auto gw = ParseDefaultGateway(table);
  ASSERT_TRUE(gw.ok()) << gw.status();
  EXPECT_EQ(gw->IpString(), "10.0.0.1");
}

TEST(DefaultGatewayTest, IgnoresDownRoutesAndOnLinkDefaults) {
  const std::string table =
      std::string(kHeader) +
      "eth0\t00000000\t0100000A\t0002\t0\t0\t100\t00000000\t0\t0\t0\n"
      "tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n";
  auto gw = ParseDefaultGateway(table);
  EXPECT_EQ(gw.status().code(), absl::StatusCode::kNotFound);
}

TEST(DefaultGatewayTest, RejectsTextThatIsNotTheRouteTable) {
  EXPECT_EQ(ParseDefaultGateway("hello").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDefaultGateway("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DefaultGatewayTest, ReadsTheRealTableWithoutError) {
  auto gw = DefaultGateway();
  EXPECT_TRUE(gw.ok() || gw.status().code() == absl::StatusCode::kNotFound)
      << gw.status();
  EXPECT_EQ(DefaultGateway("/nonexistent").status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace natscope::ingest
