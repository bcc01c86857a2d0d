#include "ingest/probe/firewalk_plan.h"

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

using Kind = FirewalkReply::Kind;

v1::HopObservation Hop(int ttl, const std::string& address,
                       const std::string& klass, int64_t rtt_micros = 100) {
  v1::HopObservation h;
  h.set_ttl(ttl);
  h.set_address(address);
  h.set_address_class(klass);
  if (!address.empty()) h.set_rtt_micros(rtt_micros);
  return h;
}

net::SocketAddress At(const std::string& text) {
  return net::SocketAddress::Parse(text).value();
}

TEST(FirewalkTtlTest, FirstHopBeyondTheNat) {
  EXPECT_EQ(FirewalkTtl({Hop(1, "192.168.1.1", "private"),
                         Hop(2, "198.51.100.1", "documentation"),
                         Hop(3, "203.0.113.1", "documentation")}),
            2);
  // Double NAT: beyond the outer one.
  EXPECT_EQ(FirewalkTtl({Hop(1, "192.168.2.1", "private"),
                         Hop(2, "100.64.0.1", "cgnat"),
                         Hop(3, "198.51.100.1", "public")}),
            3);
  // A silent hop beyond the NAT is skipped.
  EXPECT_EQ(FirewalkTtl({Hop(1, "192.168.1.1", "private"), Hop(2, "", ""),
                         Hop(3, "198.51.100.1", "public")}),
            3);
}

TEST(FirewalkTtlTest, WithoutNatTheLastAnsweringHop) {
  EXPECT_EQ(FirewalkTtl({Hop(1, "198.51.100.1", "public"),
                         Hop(2, "203.0.113.1", "public"), Hop(3, "", "")}),
            2);
}

TEST(FirewalkTtlTest, NoneWhenNothingAnswersBeyondTheNat) {
  EXPECT_EQ(FirewalkTtl({Hop(1, "192.168.1.1", "private")}), 0);
  // No NAT and only the gateway answered: it answers before its own
  // firewall rules run, so it cannot tell a drop.
  EXPECT_EQ(FirewalkTtl({Hop(1, "2001:db8:1::1", "documentation")}), 0);
  EXPECT_EQ(FirewalkTtl({}), 0);
}

FirewalkInputs Inputs() {
  FirewalkInputs in;
  in.primary = At("203.0.113.10:3478");
  in.primary_answered = true;
  in.hops = {Hop(1, "192.168.1.1", "private"),
             Hop(2, "198.51.100.1", "documentation", 1000)};
  for (int port : {443, 80}) {
    v1::PortCheck c;
    c.set_port(port);
    c.set_inconclusive(true);
    in.port_checks.push_back(c);
  }
  v1::PortCheck served;
  served.set_port(53);
  served.set_not_served(true);
  in.port_checks.push_back(served);
  return in;
}

TEST(MakeFirewalkPlanTest, WalksInconclusivePortsAndUnreachedDestinations) {
  FirewalkInputs in = Inputs();
  in.destinations = {At("203.0.113.21:3478"), At("203.0.113.11:3479"),
                     At("203.0.113.10:9999"), At("203.0.113.21:53")};
  v1::StunObservation reached;
  reached.set_server("203.0.113.11:3479");
  reached.set_answered(true);
  in.observations = {reached};
  auto plan = MakeFirewalkPlan(in);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->ttl, 2);
  EXPECT_EQ(plan->sibling, in.primary);
  ASSERT_EQ(plan->targets.size(), 3u);
  EXPECT_EQ(plan->targets[0].kind, "port");
  EXPECT_EQ(plan->targets[0].destination, At("203.0.113.10:443"));
  EXPECT_EQ(plan->targets[1].destination, At("203.0.113.10:80"));
  // .11 answered a STUN exchange, .10 is the primary, .21 once.
  EXPECT_EQ(plan->targets[2].kind, "destination");
  EXPECT_EQ(plan->targets[2].destination, At("203.0.113.21:3478"));
  // 4 x 1 ms + 20 ms, raised to the 50 ms floor.
  EXPECT_EQ(plan->wait, absl::Milliseconds(50));
}

TEST(MakeFirewalkPlanTest, NothingWithoutASiblingAHopOrATarget) {
  FirewalkInputs in = Inputs();
  in.primary_answered = false;
  EXPECT_FALSE(MakeFirewalkPlan(in).has_value());
  in = Inputs();
  in.hops = {Hop(1, "192.168.1.1", "private")};
  EXPECT_FALSE(MakeFirewalkPlan(in).has_value());
  in = Inputs();
  in.port_checks.clear();
  EXPECT_FALSE(MakeFirewalkPlan(in).has_value());
}

TEST(MakeFirewalkPlanTest, WaitFollowsTheHopsRoundTrip) {
  FirewalkInputs in = Inputs();
  in.hops[1].set_rtt_micros(40000);
  EXPECT_EQ(MakeFirewalkPlan(in)->wait, absl::Milliseconds(180));
  in.hops[1].set_rtt_micros(400000);
  EXPECT_EQ(MakeFirewalkPlan(in)->wait, absl::Milliseconds(500));
}

FirewalkReply Reply(Kind kind, const std::string& from = "198.51.100.1") {
  FirewalkReply r;
  r.kind = kind;
  if (kind != Kind::kSilent) r.responder = At(from + ":0");
  return r;
}

FirewalkRound Round(std::vector<Kind> targets, Kind sibling) {
  FirewalkRound round;
  for (Kind k : targets) round.targets.push_back(Reply(k));
  round.sibling = Reply(sibling);
  return round;
}

FirewalkJudge Judge(int targets) {
  FirewalkPlan plan;
  plan.ttl = 2;
  plan.sibling = At("203.0.113.10:3478");
  for (int i = 0; i < targets; ++i) {
    plan.targets.push_back(
        {"port", plan.sibling.WithPort(static_cast<uint16_t>(1000 + i))});
  }
  return FirewalkJudge(plan);
}

TEST(FirewalkJudgeTest, SilenceTwiceBesideAnAnsweringSiblingIsDropped) {
  FirewalkJudge judge = Judge(2);
  std::vector<size_t> sent = judge.NextRound();
  ASSERT_EQ(sent.size(), 2u);
  judge.Record(sent, Round({Kind::kTimeExceeded, Kind::kSilent},
                           Kind::kTimeExceeded));
  sent = judge.NextRound();
  ASSERT_EQ(sent, std::vector<size_t>{1});
  EXPECT_FALSE(judge.PauseFirst());
  judge.Record(sent, Round({Kind::kSilent}, Kind::kTimeExceeded));
  EXPECT_TRUE(judge.NextRound().empty());
  const auto checks = judge.Checks();
  EXPECT_EQ(checks[0].verdict(), v1::FIREWALK_PASSED);
  EXPECT_EQ(checks[0].responder(), "198.51.100.1");
  EXPECT_EQ(checks[0].transmissions(), 1);
  EXPECT_EQ(checks[1].verdict(), v1::FIREWALK_DROPPED);
  EXPECT_EQ(checks[1].transmissions(), 2);
  EXPECT_EQ(checks[1].sibling(), "2/2 from 198.51.100.1");
  EXPECT_EQ(checks[1].ttl(), 2);
  EXPECT_EQ(checks[1].destination(), "203.0.113.10:1001");
}

TEST(FirewalkJudgeTest, RateLimitedSiblingNeverMakesADrop) {
  FirewalkJudge judge = Judge(3);
  // A router answering one ICMP per round: the first target, then
  // nothing for the others or the sibling.
  std::vector<size_t> sent = judge.NextRound();
  judge.Record(sent, Round({Kind::kTimeExceeded, Kind::kSilent, Kind::kSilent},
                           Kind::kSilent));
  EXPECT_TRUE(judge.PauseFirst());
  sent = judge.NextRound();
  ASSERT_EQ(sent.size(), 2u);
  judge.Record(sent, Round({Kind::kTimeExceeded, Kind::kSilent}, Kind::kSilent));
  // Two silent siblings: stop rather than guess.
  EXPECT_TRUE(judge.NextRound().empty());
  const auto checks = judge.Checks();
  EXPECT_EQ(checks[0].verdict(), v1::FIREWALK_PASSED);
  EXPECT_EQ(checks[1].verdict(), v1::FIREWALK_PASSED);
  EXPECT_EQ(checks[2].verdict(), v1::FIREWALK_UNKNOWN);
  EXPECT_EQ(checks[2].transmissions(), 2);
  EXPECT_EQ(checks[2].sibling(), "0/2");
}

TEST(FirewalkJudgeTest, OneConfirmedSilenceIsNotEnough) {
  FirewalkJudge judge = Judge(1);
  judge.Record(judge.NextRound(), Round({Kind::kSilent}, Kind::kTimeExceeded));
  judge.Record(judge.NextRound(), Round({Kind::kSilent}, Kind::kSilent));
  judge.Record(judge.NextRound(), Round({Kind::kSilent}, Kind::kSilent));
  EXPECT_TRUE(judge.NextRound().empty());
  EXPECT_EQ(judge.Checks()[0].verdict(), v1::FIREWALK_UNKNOWN);
}

TEST(FirewalkJudgeTest, PortUnreachableAndRefusalsDecideAtOnce) {
  FirewalkJudge judge = Judge(3);
  judge.Record(judge.NextRound(),
               Round({Kind::kPortUnreachable, Kind::kUnreachable, Kind::kAnswered},
                     Kind::kSilent));
  EXPECT_TRUE(judge.NextRound().empty());
  const auto checks = judge.Checks();
  EXPECT_EQ(checks[0].verdict(), v1::FIREWALK_NOT_LISTENING);
  EXPECT_EQ(checks[1].verdict(), v1::FIREWALK_REJECTED);
  EXPECT_EQ(checks[2].verdict(), v1::FIREWALK_PASSED);
}

TEST(FirewalkJudgeTest, ALocalErrorDecidesNothing) {
  FirewalkJudge judge = Judge(1);
  for (int i = 0; i < 4; ++i) {
    const std::vector<size_t> sent = judge.NextRound();
    if (sent.empty()) break;
    judge.Record(sent, Round({Kind::kLocalError}, Kind::kTimeExceeded));
  }
  EXPECT_EQ(judge.Checks()[0].verdict(), v1::FIREWALK_UNKNOWN);
  EXPECT_EQ(judge.Checks()[0].responder(), "");
}

TEST(FirewalkJudgeTest, SiblingCountIsOverTheTargetsOwnRounds) {
  FirewalkJudge judge = Judge(2);
  // Round 1: the sibling is silent, target 0 passes, 1 is silent.
  judge.Record(judge.NextRound(),
               Round({Kind::kTimeExceeded, Kind::kSilent}, Kind::kSilent));
  judge.Record(judge.NextRound(), Round({Kind::kSilent}, Kind::kTimeExceeded));
  judge.Record(judge.NextRound(), Round({Kind::kSilent}, Kind::kTimeExceeded));
  const auto checks = judge.Checks();
  EXPECT_EQ(checks[0].sibling(), "0/1 from 198.51.100.1");
  EXPECT_EQ(checks[1].verdict(), v1::FIREWALK_DROPPED);
  EXPECT_EQ(checks[1].sibling(), "2/3 from 198.51.100.1");
}

TEST(FirewalkJudgeTest, RoundsHoldAtMostPerRoundTargets) {
  FirewalkJudge judge = Judge(7);
  EXPECT_EQ(judge.NextRound().size(), 5u);
}

}  // namespace
}  // namespace natscope::ingest
