// The intake flags' refusals, and the --intake_rules file read the way
// the agent reads its rules.
#include "server/intake/intake_flags.h"

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace natscope::server::intake {
namespace {

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(IntakeFlagsTest, DefaultsAreAccepted) {
  EXPECT_TRUE(CheckIntakeFlags(IntakeFlagValues(), {}).ok());
}

TEST(IntakeFlagsTest, PlaintextSyslogOffLoopbackNeedsItsFlag) {
  IntakeFlagValues v;
  v.syslog_listen = "0.0.0.0:6514";
  absl::Status refused = CheckIntakeFlags(v, {});
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused.message(), "--syslog_plaintext"));
  v.syslog_plaintext = true;
  EXPECT_TRUE(CheckIntakeFlags(v, {}).ok());
  tls::ServerTlsOptions tls;
  tls.cert_file = "c.pem";
  tls.key_file = "k.pem";
  EXPECT_FALSE(CheckIntakeFlags(v, tls).ok()) << "plaintext and TLS at once";
  v.syslog_plaintext = false;
  EXPECT_TRUE(CheckIntakeFlags(v, tls).ok());
  v.syslog_listen = "127.0.0.1:0";
  EXPECT_TRUE(CheckIntakeFlags(v, {}).ok());
}

TEST(IntakeFlagsTest, ValuesOutOfRangeAreRefusedByName) {
  const auto refused = [](auto change, const char* flag) {
    IntakeFlagValues v;
    change(v);
    absl::Status s = CheckIntakeFlags(v, {});
    EXPECT_TRUE(absl::StrContains(s.message(), flag)) << s;
  };
  refused([](IntakeFlagValues& v) { v.syslog_max_connections = 0; },
          "--syslog_max_connections");
  refused([](IntakeFlagValues& v) { v.syslog_max_message_bytes = 100; },
          "--syslog_max_message_bytes");
  refused([](IntakeFlagValues& v) { v.intake_max_request_bytes = 10; },
          "--intake_max_request_bytes");
  refused([](IntakeFlagValues& v) { v.intake_max_records = 0; },
          "--intake_max_records");
  refused([](IntakeFlagValues& v) { v.intake_dedup_window = absl::Hours(48); },
          "--intake_dedup_window");
}

TEST(IntakeRulesTest, TheAgentConfigsRulesFollowTheBuiltInOnes) {
  IntakeFlagValues v;
  const size_t builtin = IntakeRules(v)->size();
  v.intake_rules = WriteFile("agent.textproto", R"pb(
    server: "natscope.example.net:7700"
    rules { name: "relay_pick" literal: "relay picked" pattern: "relay picked (?P<relay>\\S+)" }
  )pb");
  auto rules = IntakeRules(v);
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), builtin + 1);
  EXPECT_EQ(rules->back().name, "relay_pick");
}

TEST(IntakeRulesTest, BadFilesAreRefusedNamingTheFlag) {
  IntakeFlagValues v;
  v.intake_rules = ::testing::TempDir() + "/missing.textproto";
  EXPECT_EQ(IntakeRules(v).status().code(), absl::StatusCode::kNotFound);
  v.intake_rules = WriteFile("garbage.textproto", "rules { name: ");
  EXPECT_TRUE(absl::StrContains(IntakeRules(v).status().message(),
                                "--intake_rules"));
  v.intake_rules = WriteFile("builtin.textproto", R"pb(
    rules { name: "stun_nat_type" pattern: "x" }
    rules { name: "bad_re" pattern: "(" })pb");
  absl::Status refused = IntakeRules(v).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(refused.message(), "built-in")) << refused;
  EXPECT_TRUE(absl::StrContains(refused.message(), "rules[1]")) << refused;
}

}  // namespace
}  // namespace natscope::server::intake
