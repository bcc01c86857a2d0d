// What the probe plans against an RFC 3489 ("classic") STUN server, such
// as Debian's stund: its CHANGED-ADDRESS drives the RFC 5780 tests, and
// no RESPONSE-PORT request (the lifetime test) goes to it.
#include <optional>

#include "absl/time/time.h"
#include "common/net/socket_address.h"
#include "gtest/gtest.h"
#include "ingest/probe/binding.h"
#include "ingest/probe/probe_plan.h"

namespace natscope::ingest {
namespace {

const net::SocketAddress kA1P1 =
    *net::SocketAddress::Parse("198.51.100.1:3478");
const net::SocketAddress kA2P2 =
    *net::SocketAddress::Parse("198.51.100.2:3479");

BindingResult Answered() {
  BindingResult r;
  r.observation.set_answered(true);
  r.observation.set_rtt_micros(10000);
  r.response = stun::Message();
  return r;
}

// Vovida's stund answers with XOR-MAPPED-ADDRESS and CHANGED-ADDRESS
// (RFC 3489), never OTHER-ADDRESS: its alternate still drives the RFC 5780
// tests, but it drops RESPONSE-PORT, so no lifetime test goes to it.
TEST(SummarizeFirstExchangeTest, ClassicServerNamesItsAlternateInChangedAddress) {
  BindingResult stund = Answered();
  stund.response->xor_mapped_address = kA1P1;
  stund.response->changed_address = kA2P2;
  const FirstExchange first = SummarizeFirstExchange({stund});
  EXPECT_EQ(first.other_address, kA2P2);
  EXPECT_TRUE(first.classic_server);

  BindingResult modern = Answered();
  modern.response->xor_mapped_address = kA1P1;
  modern.response->other_address = kA2P2;
  modern.response->changed_address = kA2P2;  // coturn may send both.
  EXPECT_FALSE(SummarizeFirstExchange({modern}).classic_server);

  BindingResult mapped_only = Answered();
  mapped_only.response->mapped_address = kA1P1;
  EXPECT_TRUE(SummarizeFirstExchange({mapped_only}).classic_server);
}

TEST(MakeFollowUpPlanTest, NoLifetimeTestAgainstAClassicServer) {
  ProbeOptions options;
  options.lifetime = absl::Seconds(30);
  ProbeTargets targets;
  targets.stun_servers = {kA1P1};
  auto plan = MakeProbePlan(options, targets);
  ASSERT_TRUE(plan.ok()) << plan.status();
  FirstExchange first;
  first.rtt = absl::Milliseconds(10);
  first.other_address = kA2P2;
  first.classic_server = true;
  const FollowUpPlan next = MakeFollowUpPlan(*plan, first);
  EXPECT_TRUE(next.rfc5780.has_value());
  EXPECT_FALSE(next.lifetime.has_value());
  first.classic_server = false;
  EXPECT_TRUE(MakeFollowUpPlan(*plan, first).lifetime.has_value());
}

}  // namespace
}  // namespace natscope::ingest
