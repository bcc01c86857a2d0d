#include "server/auth/authenticator.h"

#include <atomic>
#include <string>

#include "gtest/gtest.h"
#include "common/sim_clock.h"
#include "server/auth/credentials.h"
#include "server/store/memory_store.h"

namespace natscope::server::auth {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.Migrate().ok());
    v1::AgentIdentity agent;
    agent.set_agent_id("paris-1");
    agent.set_site("paris");
    agent.set_role(v1::ROLE_CLIENT);
    ASSERT_TRUE(store_.EnrollAgent(agent, HashCredential("good"), "", "").ok());
  }
  AuthenticatorOptions Options() {
    AuthenticatorOptions options;
    options.clock = &clock_;
    options.generation_poll = absl::Milliseconds(500);
    options.failures = {/*rate_per_second=*/1, /*burst=*/3, /*max_keys=*/100};
    return options;
  }

  MemoryStore store_;
  SimClock clock_{absl::FromUnixSeconds(1e9)};
};

TEST_F(AuthenticatorTest, ReleasedCredentialStopsWorkingWithinThePoll) {
  Authenticator authenticator(&store_, &store_, Options());
  ASSERT_TRUE(authenticator.Identify("Bearer good").ok());
  ASSERT_TRUE(store_.ReleaseAgent("paris-1").ok());
  // Served from the cache until the next poll of the auth generation...
  EXPECT_TRUE(authenticator.Identify("Bearer good").ok());
  clock_.Advance(absl::Milliseconds(500));
  // ...and refused from then on.
  EXPECT_TRUE(
      absl::IsUnauthenticated(authenticator.Identify("Bearer good").status()));
}

TEST_F(AuthenticatorTest, SourceOverItsFailureLimitIsRefusedBeforeLookup) {
  Authenticator authenticator(&store_, &store_, Options());
  ASSERT_TRUE(authenticator.Identify("Bearer good", nullptr, "10.0.0.1").ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(absl::IsUnauthenticated(
        authenticator.Identify("Bearer bad", nullptr, "10.0.0.1").status()));
  }
  EXPECT_TRUE(absl::IsResourceExhausted(
      authenticator.Identify("Bearer bad", nullptr, "10.0.0.1").status()));
  // A malformed header needs no lookup: refused as such.
  EXPECT_TRUE(absl::IsUnauthenticated(
      authenticator.Identify("not bearer", nullptr, "10.0.0.1").status()));
  // A known credential from the same address still works; other sources
  // are not affected; the limit refills.
  EXPECT_TRUE(authenticator.Identify("Bearer good", nullptr, "10.0.0.1").ok());
  EXPECT_TRUE(absl::IsUnauthenticated(
      authenticator.Identify("Bearer bad", nullptr, "10.0.0.2").status()));
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(absl::IsUnauthenticated(
      authenticator.Identify("Bearer bad", nullptr, "10.0.0.1").status()));
}

TEST(SourceKeyOfPeerTest, KeysByIpv4AddressAndIpv6Prefix) {
  EXPECT_EQ(SourceKeyOfPeer("ipv4:10.1.2.3:5000"), "10.1.2.3");
  EXPECT_EQ(SourceKeyOfPeer("ipv6:[2001:db8:1:2:3:4:5:6]:443"),
            "2001:db8:1:2::/64");
  EXPECT_EQ(SourceKeyOfPeer("ipv6:%5B2001:db8:1:2::9%5D:443"),
            "2001:db8:1:2::/64");
  EXPECT_EQ(SourceKeyOfPeer("ipv6:%5B2001:db8::9%5D:443"), "2001:db8:0:0::/64");
  EXPECT_EQ(SourceKeyOfPeer("ipv6:%5B::1%5D:443"), "0:0:0:0::/64");
  EXPECT_EQ(SourceKeyOfPeer("ipv6:[::ffff:10.0.0.7]:1"), "10.0.0.7");
  EXPECT_EQ(SourceKeyOfPeer("unix:/run/x.sock"), "unix:/run/x.sock");
}

}  // namespace
}  // namespace natscope::server::auth
