#include "ingest/config/identity_source.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

v1::AgentConfig FromFile() {
  v1::AgentConfig config;
  config.mutable_identity()->set_site("from-file");
  config.mutable_identity()->set_role(v1::ROLE_CLIENT);
  return config;
}

TEST(IdentitySourceTest, ConfigValuesStayWhenNothingElseIsGiven) {
  v1::AgentConfig config = FromFile();
  auto from = ApplyIdentityInputs({}, &config);
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(*from, "site from config, role from config");
  EXPECT_EQ(config.identity().site(), "from-file");
  EXPECT_EQ(config.identity().role(), v1::ROLE_CLIENT);
}

TEST(IdentitySourceTest, EnvironmentBeatsConfig) {
  v1::AgentConfig config = FromFile();
  IdentityInputs inputs;
  inputs.site_env = "from-env";
  inputs.role_env = "connector";
  auto from = ApplyIdentityInputs(inputs, &config);
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(*from, "site from NATSCOPE_SITE, role from NATSCOPE_ROLE");
  EXPECT_EQ(config.identity().site(), "from-env");
  EXPECT_EQ(config.identity().role(), v1::ROLE_CONNECTOR);
}

TEST(IdentitySourceTest, FlagBeatsEnvironment) {
  v1::AgentConfig config = FromFile();
  IdentityInputs inputs;
  inputs.site_flag = "from-flag";
  inputs.site_env = "from-env";
  inputs.role_flag = "client";
  inputs.role_env = "connector";
  auto from = ApplyIdentityInputs(inputs, &config);
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(*from, "site from --site, role from --role");
  EXPECT_EQ(config.identity().site(), "from-flag");
  EXPECT_EQ(config.identity().role(), v1::ROLE_CLIENT);
}

TEST(IdentitySourceTest, BadRoleNamesItsOrigin) {
  v1::AgentConfig config = FromFile();
  IdentityInputs inputs;
  inputs.role_env = "server";
  auto from = ApplyIdentityInputs(inputs, &config);
  ASSERT_FALSE(from.ok());
  EXPECT_EQ(from.status().message(),
            "NATSCOPE_ROLE must be client or connector, not \"server\"");
}

TEST(IdentitySourceTest, EnvironmentIsRead) {
  setenv("NATSCOPE_SITE", "lab", 1);
  unsetenv("NATSCOPE_ROLE");
  IdentityInputs inputs = IdentityFromEnvironment("", "connector");
  EXPECT_EQ(inputs.site_env, "lab");
  EXPECT_EQ(inputs.role_env, "");
  EXPECT_EQ(inputs.role_flag, "connector");
  unsetenv("NATSCOPE_SITE");
}

}  // namespace
}  // namespace natscope::ingest
