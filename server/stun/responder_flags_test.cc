#include "server/stun/responder_flags.h"

#include "gtest/gtest.h"

namespace natscope::server {
namespace {

TEST(ParseStunFlagsTest, DefaultsServeSingleAddressStunOnly) {
  auto options = ParseStunFlags(StunFlagValues{});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->stun_listen->ToString(), "127.0.0.1:3478");
  EXPECT_FALSE(options->stun_alt_ip.has_value());
  EXPECT_TRUE(options->stun_ports.empty());
  EXPECT_FALSE(options->quic_listen.has_value());
  EXPECT_EQ(options->rate_limit.rate_per_second, 50);
  EXPECT_EQ(options->rate_limit.burst, 200);
  EXPECT_EQ(options->rate_limit.max_sources, 100000u);
}

TEST(ParseStunFlagsTest, ParsesEveryFlag) {
  StunFlagValues f;
  f.stun_listen = "192.0.2.1:3478";
  f.stun_alt_ip = "192.0.2.2";
  f.stun_alt_port = 3480;
  f.stun_ports = "53, 80,443,19302";
  f.quic_listen = "192.0.2.1:443";
  f.stun_rate_limit = 0;
  f.stun_max_sources = 64;
  auto options = ParseStunFlags(f);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->stun_alt_ip->IpString(), "192.0.2.2");
  EXPECT_EQ(options->stun_alt_port, 3480);
  EXPECT_EQ(options->stun_ports, (std::vector<uint16_t>{53, 80, 443, 19302}));
  EXPECT_EQ(options->quic_listen->ToString(), "192.0.2.1:443");
  EXPECT_EQ(options->rate_limit.rate_per_second, 0);
  EXPECT_EQ(options->rate_limit.max_sources, 64u);
}

TEST(ParseStunFlagsTest, EmptyListenTurnsStunOff) {
  StunFlagValues f;
  f.stun_listen = "";
  auto options = ParseStunFlags(f);
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(AnyResponderOn(*options));
  f.quic_listen = "127.0.0.1:0";
  EXPECT_TRUE(AnyResponderOn(*ParseStunFlags(f)));
}

TEST(ParseStunFlagsTest, ErrorsNameTheFlagAndTheFix) {
  auto error = [](StunFlagValues f) {
    auto options = ParseStunFlags(f);
    EXPECT_FALSE(options.ok());
    return std::string(options.status().message());
  };
  StunFlagValues f;
  f.stun_ports = "53,http";
  EXPECT_NE(error(f).find("--stun_ports: \"http\" is not a port"),
            std::string::npos);
  f = {};
  f.stun_alt_ip = "not-an-ip";
  EXPECT_NE(error(f).find("--stun_alt_ip"), std::string::npos);
  f = {};
  f.stun_alt_port = 3479;
  EXPECT_NE(error(f).find("needs --stun_alt_ip"), std::string::npos);
  f = {};
  f.quic_listen = "127.0.0.1";
  EXPECT_NE(error(f).find("--quic_listen"), std::string::npos);
  f = {};
  f.stun_rate_burst = 0;
  EXPECT_NE(error(f).find("--stun_rate_burst"), std::string::npos);
  f = {};
  f.stun_max_sources = 0;
  EXPECT_NE(error(f).find("--stun_max_sources: must be 1 to"),
            std::string::npos);
  f = {};
  f.stun_listen = "0.0.0.0:3478";
  f.stun_alt_ip = "127.0.0.2";
  EXPECT_NE(error(f).find("not 0.0.0.0"), std::string::npos);
  f = {};
  f.stun_alt_ip = "127.0.0.1";
  EXPECT_NE(error(f).find("must differ"), std::string::npos);
  f = {};
  f.stun_alt_ip = "::1";
  EXPECT_NE(error(f).find("must both be IPv4 or both IPv6"), std::string::npos)
      << error(f);
  f = {};
  f.stun_alt_ip = "127.0.0.2";
  f.stun_alt_port = 3478;
  EXPECT_NE(error(f).find("--stun_alt_port must differ"), std::string::npos);
  f = {};
  f.stun_listen = "";
  f.stun_alt_ip = "127.0.0.2";
  EXPECT_NE(error(f).find("needs --stun_listen"), std::string::npos);
}

TEST(ParseStunFlagsTest, StunOverTcpIsOnByDefaultWithItsLimits) {
  auto options = ParseStunFlags(StunFlagValues{});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->tcp.enabled);
  EXPECT_EQ(options->tcp.max_connections, 256u);
  EXPECT_EQ(options->tcp.max_connections_per_source, 16u);
  EXPECT_EQ(options->tcp.idle_timeout, absl::Seconds(10));

  StunFlagValues f;
  f.stun_tcp = false;
  f.stun_tcp_max_connections = 4;
  f.stun_tcp_max_connections_per_source = 4;
  f.stun_tcp_idle_timeout = absl::Minutes(2);
  options = ParseStunFlags(f);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_FALSE(options->tcp.enabled);
  EXPECT_EQ(options->tcp.max_connections, 4u);
  EXPECT_EQ(options->tcp.idle_timeout, absl::Minutes(2));
}

TEST(ParseStunFlagsTest, StunOverTcpLimitsAreChecked) {
  auto error = [](StunFlagValues f) {
    auto options = ParseStunFlags(f);
    EXPECT_FALSE(options.ok());
    return std::string(options.status().message());
  };
  StunFlagValues f;
  f.stun_tcp_max_connections = 0;
  EXPECT_NE(error(f).find("--stun_tcp_max_connections: must be 1 to 65536"),
            std::string::npos);
  f = {};
  f.stun_tcp_max_connections_per_source = 0;
  EXPECT_NE(error(f).find("--stun_tcp_max_connections_per_source: must be 1 "
                          "to 65536"),
            std::string::npos);
  f = {};
  f.stun_tcp_max_connections = 2;  // Below the per-source default: fine.
  EXPECT_TRUE(ParseStunFlags(f).ok());
  f = {};
  f.stun_tcp_idle_timeout = absl::Milliseconds(500);
  EXPECT_NE(error(f).find("--stun_tcp_idle_timeout: must be 1s to 1h, not "
                          "500ms"),
            std::string::npos)
      << error(f);
  f.stun_tcp_idle_timeout = absl::Hours(2);
  EXPECT_NE(error(f).find("--stun_tcp_idle_timeout"), std::string::npos);
}

}  // namespace
}  // namespace natscope::server
