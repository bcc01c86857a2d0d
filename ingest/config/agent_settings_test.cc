#include "ingest/config/agent_settings.h"

#include "gtest/gtest.h"
#include "ingest/config/config.h"

namespace natscope::ingest {
namespace {

v1::AgentConfig Config(const std::string& extra) {
  auto config = ParseConfig(
      R"pb(
            server: "10.0.0.1:7700"
            tls {
              ca_file: "/etc/natscope/ca.pem"
              server_name: "natscope.example.com"
            }
            identity { site: "lab" role: ROLE_CONNECTOR }
            rules { name: "mine" literal: "x" pattern: "x=(?P<x>\\d+)" }
          )pb" +
          extra,
      "test", "host-1", [](const std::string&) { return std::string(); });
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : v1::AgentConfig();
}

TEST(AgentSettingsTest, TlsAndIdentity) {
  const v1::AgentConfig config = Config("");
  const tls::ClientTlsOptions tls = ClientTlsOf(config);
  EXPECT_EQ(tls.ca_file, "/etc/natscope/ca.pem");
  EXPECT_FALSE(tls.plaintext);
  EXPECT_EQ(tls.server_name, "natscope.example.com");
  const v1::AgentIdentity id = AgentIdentityOf(config, "host-1.lan", "0.1.0");
  EXPECT_EQ(id.agent_id(), "host-1");
  EXPECT_EQ(id.site(), "lab");
  EXPECT_EQ(id.role(), v1::ROLE_CONNECTOR);
  EXPECT_EQ(id.hostname(), "host-1.lan");
  EXPECT_EQ(id.version(), "0.1.0");
}

TEST(AgentSettingsTest, OperatorRulesCompileInTheParser) {
  std::vector<RuleSpec> rules = BuiltinRules();
  for (RuleSpec& rule : OperatorRules(Config("")))
    rules.push_back(std::move(rule));
  EXPECT_EQ(rules.back().name, "mine");
  EXPECT_EQ(rules.back().literal, "x");
  EXPECT_TRUE(LogParser::Create(rules).ok());
}

TEST(AgentSettingsTest, ProbeDefaultsAndSwitches) {
  ProbeOptions options;
  ApplyProbeConfig(Config("probe { stun_servers: \"s:3478\" }").probe(),
                   &options);
  EXPECT_EQ(options.stun_servers, std::vector<std::string>{"s:3478"});
  EXPECT_EQ(options.ports, (std::vector<int>{3478, 443, 80, 53, 19302, 50000}));
  EXPECT_TRUE(options.gateways);
  EXPECT_TRUE(options.trace_hops);
  ApplyProbeConfig(Config("probe { port_test: false gateways: false }").probe(),
                   &options);
  EXPECT_TRUE(options.ports.empty());
  EXPECT_FALSE(options.gateways);
  EXPECT_FALSE(options.trace_hops);
}

TEST(AgentSettingsTest, ProbeDelayAddsScaledJitter) {
  const v1::ProbeConfig probe =
      Config("probe { interval: \"5m\" jitter: \"20s\" }").probe();
  EXPECT_EQ(ProbeDelay(probe, 0.0), absl::Minutes(5));
  EXPECT_EQ(ProbeDelay(probe, 0.5), absl::Minutes(5) + absl::Seconds(10));
}

}  // namespace
}  // namespace natscope::ingest
