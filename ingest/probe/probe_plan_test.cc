#include "ingest/probe/probe_plan.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/stun/natscope_ports.h"
#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

using absl::Milliseconds;

const net::SocketAddress kA1P1 =
    *net::SocketAddress::Parse("198.51.100.1:3478");
const net::SocketAddress kA2P2 =
    *net::SocketAddress::Parse("198.51.100.2:3479");
const net::SocketAddress kB = *net::SocketAddress::Parse("192.0.2.1:3478");
const net::SocketAddress kQuic = *net::SocketAddress::Parse("198.51.100.3:443");

// "test server [change ip,port] <- expected source", for readable failures.
std::string Describe(const StunExchange& e) {
  std::string change;
  if (e.change) {
    change = absl::StrCat(" change", e.change->change_ip ? " ip" : "",
                          e.change->change_port ? " port" : "");
  }
  return absl::StrCat(e.test, " ", e.server.ToString(), change, " <- ",
                      e.expected_source.ToString());
}

std::vector<std::string> Describe(const std::vector<StunExchange>& exchanges) {
  std::vector<std::string> out;
  for (const StunExchange& e : exchanges) out.push_back(Describe(e));
  return out;
}

std::string Describe(const EvidenceWaits& w) {
  return absl::StrCat("gateway answer ", absl::FormatDuration(w.gateway_answer),
                      ", gateway ", absl::FormatDuration(w.gateway), ", trace ",
                      absl::FormatDuration(w.trace), ", reason \"", w.reason,
                      "\"");
}

std::string Describe(const RetransmitPolicy& p) {
  return absl::StrCat(absl::FormatDuration(p.initial_rto), " x",
                      p.max_transmissions, " within ",
                      absl::FormatDuration(p.timeout));
}

ProbePlan PlanFor(const ProbeOptions& options,
                  std::vector<net::SocketAddress> servers,
                  std::optional<net::SocketAddress> quic = std::nullopt) {
  auto plan = MakeProbePlan(options, {std::move(servers), quic});
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : ProbePlan();
}

// ---- The first half: before anything is sent. ----

TEST(MakeProbePlanTest, OneServerGetsOneBindingFromAWildcardSocket) {
  const ProbePlan plan = PlanFor(ProbeOptions(), {kA1P1});
  EXPECT_EQ(plan.bind, net::SocketAddress());
  EXPECT_EQ(Describe(plan.bindings),
            std::vector<std::string>{
                "binding 198.51.100.1:3478 <- 198.51.100.1:3478"});
  EXPECT_EQ(Describe(plan.policy), Describe(ProbeOptions().policy));
}

TEST(MakeProbePlanTest, SeveralServersAreAskedAtOnceThePrimaryFirst) {
  ProbeOptions options;
  options.stun_servers = {"primary", "second"};
  const ProbePlan plan = PlanFor(options, {kA1P1, kB});
  EXPECT_EQ(Describe(plan.bindings),
            (std::vector<std::string>{
                "binding 198.51.100.1:3478 <- 198.51.100.1:3478",
                "binding 192.0.2.1:3478 <- 192.0.2.1:3478"}));
  ASSERT_TRUE(plan.trace.has_value());
  EXPECT_EQ(*plan.trace, kA1P1);
}

TEST(MakeProbePlanTest, LocalAddressAndFamily) {
  ProbeOptions options;
  options.local = "127.0.0.1:40000";
  EXPECT_EQ(PlanFor(options, {kA1P1}).bind.ToString(), "127.0.0.1:40000");
  const net::SocketAddress v6 =
      *net::SocketAddress::Parse("[2001:db8::1]:3478");
  EXPECT_EQ(PlanFor(ProbeOptions(), {v6}).bind.ToString(), "[::]:0");
}

TEST(MakeProbePlanTest, BadInputIsInvalidArgument) {
  EXPECT_EQ(MakeProbePlan(ProbeOptions(), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ProbeOptions options;
  options.local = "not an address";
  EXPECT_EQ(MakeProbePlan(options, {{kA1P1}, std::nullopt}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MakeProbePlanTest, PathEvidenceSwitches) {
  struct Case {
    bool gateways, trace;
  };
  for (const Case& c : {Case{true, true}, Case{true, false}, Case{false, true},
                        Case{false, false}}) {
    ProbeOptions options;
    options.gateways = c.gateways;
    options.trace_hops = c.trace;
    const ProbePlan plan = PlanFor(options, {kA1P1});
    EXPECT_EQ(plan.gateways, c.gateways);
    EXPECT_EQ(plan.trace.has_value(), c.trace);
  }
}

// Before any round trip is known, and where nothing answers, path
// evidence gets the bounds it always had.
TEST(MakeProbePlanTest, PathEvidenceStartsWithTheFixedBounds) {
  const ProbePlan plan = PlanFor(ProbeOptions(), {kA1P1});
  EXPECT_EQ(Describe(plan.evidence),
            "gateway answer 400ms, gateway 500ms, trace 500ms, reason \"\"");
}

// ---- What test I told. ----

BindingResult Answered(absl::Duration rtt) {
  BindingResult r;
  r.observation.set_answered(true);
  r.observation.set_rtt_micros(absl::ToInt64Microseconds(rtt));
  r.response = stun::Message();
  return r;
}

TEST(SummarizeFirstExchangeTest,
     ShortestAnsweredRttOtherAddressAndPortsOfThePrimary) {
  BindingResult primary = Answered(Milliseconds(40));
  primary.response->other_address = kA2P2;
  primary.response->extra_attributes.push_back(
      stun::NatscopePortsAttribute({3478, 443}));
  BindingResult silent;
  silent.observation.set_rtt_micros(
      1);  // Not answered: its RTT does not count.
  const FirstExchange first =
      SummarizeFirstExchange({primary, Answered(Milliseconds(25)), silent});
  EXPECT_EQ(first.rtt, Milliseconds(25));
  EXPECT_EQ(first.other_address, kA2P2);
  EXPECT_EQ(first.served_ports, (std::vector<uint16_t>{3478, 443}));
}

TEST(SummarizeFirstExchangeTest, OnlyThePrimaryGivesOtherAddressAndPorts) {
  BindingResult second = Answered(Milliseconds(30));
  second.response->other_address = kA2P2;
  const FirstExchange first = SummarizeFirstExchange({BindingResult(), second});
  EXPECT_EQ(first.rtt, Milliseconds(30));
  EXPECT_FALSE(first.other_address.has_value());
  EXPECT_TRUE(first.served_ports.empty());
  EXPECT_FALSE(SummarizeFirstExchange({}).rtt.has_value());
}

// ---- The second half: what runs after test I. ----

FirstExchange Answer(absl::Duration rtt,
                     std::optional<net::SocketAddress> other = std::nullopt) {
  FirstExchange first;
  first.rtt = rtt;
  first.other_address = other;
  return first;
}

FirstExchange NoAnswer(std::optional<net::SocketAddress> other = std::nullopt) {
  FirstExchange first;
  first.other_address = other;
  return first;
}

// The options' follow-up requests.
ProbeOptions Asked(std::vector<int> ports, bool hairpin = false,
                   absl::Duration lifetime = absl::ZeroDuration()) {
  ProbeOptions options;
  options.ports = std::move(ports);
  options.hairpin = hairpin;
  options.lifetime = lifetime;
  return options;
}

// What runs, then the policy: "rfc5780 ports quic tcp hairpin ...; ...".
std::string Runs(const FollowUpPlan& next) {
  std::vector<std::string> runs;
  if (next.rfc5780) runs.push_back("rfc5780");
  if (next.ports) runs.push_back("ports");
  if (next.quic) runs.push_back("quic");
  if (next.tcp_stun) runs.push_back("tcp");
  if (next.hairpin) runs.push_back("hairpin");
  if (next.lifetime) runs.push_back("lifetime");
  return absl::StrCat(absl::StrJoin(runs, " "), "; ", Describe(next.policy));
}

struct FollowUpCase {
  std::string name;
  FirstExchange first;
  ProbeOptions options;
  std::optional<net::SocketAddress> quic;
  std::string runs;
};

TEST(MakeFollowUpPlanTest, WhatRunsAfterTestI) {
  const net::SocketAddress same_ip = kA1P1.WithPort(3479);
  const absl::Duration rtt = Milliseconds(20);
  const std::vector<int> none, ports = {3478, 443};
  const std::string adapted = "; 60ms x5 within 480ms";
  const std::string no_answer = "; 250ms x4 within 1s";
  // clang-format off
  const std::vector<FollowUpCase> cases = {
      {"RFC 5780 server",
       Answer(rtt, kA2P2), Asked(none), {}, "rfc5780" + adapted},
      {"no OTHER-ADDRESS",
       Answer(rtt), Asked(none), {}, adapted},
      {"OTHER-ADDRESS on the primary's IP",
       Answer(rtt, same_ip), Asked(none), {}, adapted},
      {"ports and QUIC",
       Answer(rtt, kA2P2), Asked(ports), kQuic, "rfc5780 ports quic" + adapted},
      {"ports empty, QUIC empty",
       Answer(rtt, kA2P2), Asked(none), {}, "rfc5780" + adapted},
      {"nothing answered: ports, QUIC and TCP run, opt-ins do not",
       NoAnswer(), Asked(ports, true, absl::Seconds(8)), kQuic,
       "ports quic tcp" + no_answer},
      {"nothing answered: OTHER-ADDRESS ignored",
       NoAnswer(kA2P2), Asked(none), {}, "tcp" + no_answer},
      {"opt-ins",
       Answer(rtt, kA2P2), Asked(none, true, absl::Seconds(8)), {},
       "rfc5780 hairpin lifetime" + adapted},
      {"hairpin only",
       Answer(rtt), Asked(none, true), {}, "hairpin" + adapted},
  };
  // clang-format on
  for (const FollowUpCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ProbePlan plan = PlanFor(c.options, {kA1P1, kB}, c.quic);
    EXPECT_EQ(Runs(MakeFollowUpPlan(plan, c.first)), c.runs);
  }
}

TEST(MakeFollowUpPlanTest, Rfc5780TestsFollowTable1) {
  FirstExchange first;
  first.rtt = Milliseconds(10);
  first.other_address = kA2P2;
  const FollowUpPlan next =
      MakeFollowUpPlan(PlanFor(ProbeOptions(), {kA1P1}), first);
  ASSERT_TRUE(next.rfc5780.has_value());
  const Rfc5780Plan& rfc = *next.rfc5780;
  EXPECT_EQ(Describe(rfc.mapping),
            (std::vector<std::string>{
                "mapping-II 198.51.100.2:3478 <- 198.51.100.2:3478",
                "mapping-III 198.51.100.2:3479 <- 198.51.100.2:3479"}));
  EXPECT_EQ(Describe(rfc.rebind),
            "binding 198.51.100.1:3478 <- 198.51.100.1:3478");
  EXPECT_EQ(Describe(rfc.filtering_first),
            "filtering-I 198.51.100.1:3478 <- 198.51.100.1:3478");
  EXPECT_EQ(
      Describe(rfc.filtering),
      (std::vector<std::string>{
          "filtering-II 198.51.100.1:3478 change ip port <- 198.51.100.2:3479",
          "filtering-III 198.51.100.1:3478 change port <- 198.51.100.1:3479"}));
  EXPECT_EQ(rfc.attempts, 2);
}

TEST(MakeFollowUpPlanTest, PortCheckAgainstThePrimaryWithItsServedPorts) {
  ProbeOptions options;
  options.ports = {53, 443};
  FirstExchange first;
  first.rtt = Milliseconds(50);
  first.served_ports = {3478, 443};
  const FollowUpPlan next =
      MakeFollowUpPlan(PlanFor(options, {kA1P1, kB}), first);
  ASSERT_TRUE(next.ports.has_value());
  EXPECT_EQ(next.ports->server, kA1P1);
  EXPECT_EQ(next.ports->ports, options.ports);
  EXPECT_EQ(next.ports->served, first.served_ports);
  EXPECT_EQ(next.ports->interval, next.policy.initial_rto);
  EXPECT_EQ(next.ports->wait, next.policy.timeout);
}

// Silence on a port the server does not list proves nothing, so those
// ports get 4 retransmission intervals; a listed port's silence means
// "blocked" and gets the whole wait.
TEST(MakeFollowUpPlanTest, UnlistedPortsWaitFourIntervals) {
  struct Case {
    std::string name;
    FirstExchange first;
    std::string waits;  // "interval / wait / unlisted_wait"
  };
  for (const Case& c : std::vector<Case>{
           {"a LAN-fast path", Answer(absl::Microseconds(200)),
            "25ms / 250ms / 100ms"},
           {"20 ms", Answer(Milliseconds(20)), "60ms / 480ms / 240ms"},
           {"a slow path: capped at the wait", Answer(Milliseconds(150)),
            "450ms / 1.5s / 1.5s"},
           {"nothing answered", NoAnswer(), "250ms / 1s / 1s"},
       }) {
    SCOPED_TRACE(c.name);
    const FollowUpPlan next =
        MakeFollowUpPlan(PlanFor(ProbeOptions(), {kA1P1}), c.first);
    ASSERT_TRUE(next.ports.has_value());
    EXPECT_EQ(absl::StrCat(absl::FormatDuration(next.ports->interval), " / ",
                           absl::FormatDuration(next.ports->wait), " / ",
                           absl::FormatDuration(next.ports->unlisted_wait)),
              c.waits);
  }
}

TEST(MakeFollowUpPlanTest, PathEvidenceWaitsFollowAnAnswer) {
  const ProbePlan plan = PlanFor(ProbeOptions(), {kA1P1});
  const FollowUpPlan answered =
      MakeFollowUpPlan(plan, Answer(absl::Microseconds(227)));
  ASSERT_TRUE(answered.evidence.has_value());
  EXPECT_EQ(Describe(*answered.evidence),
            Describe(EvidenceWaitsFor(absl::Microseconds(227))));
  // Nothing answered: the fixed bounds stay (4 s for a blocked path).
  EXPECT_FALSE(MakeFollowUpPlan(plan, NoAnswer()).evidence.has_value());
}

TEST(MakeFollowUpPlanTest, OptInsGoThroughThePrimary) {
  ProbeOptions options;
  options.hairpin = true;
  options.lifetime = absl::Seconds(30);
  FirstExchange first;
  first.rtt = Milliseconds(5);
  const FollowUpPlan next =
      MakeFollowUpPlan(PlanFor(options, {kA1P1, kB}), first);
  EXPECT_EQ(next.hairpin, kA1P1);
  ASSERT_TRUE(next.lifetime.has_value());
  EXPECT_EQ(next.lifetime->server, kA1P1);
  EXPECT_EQ(next.lifetime->longest, absl::Seconds(30));
}

TEST(EvidenceWaitsForTest, ThreeRttsAndAMarginWithinTheFixedBounds) {
  struct Case {
    absl::Duration rtt;
    std::string waits;
  };
  for (const Case& c : std::vector<Case>{
           // An open path on a LAN: the margins (miniupnpd's 50 ms SSDP
           // delay, routers' control planes) dominate.
           {absl::Microseconds(227),
            "gateway answer 100.681ms, gateway 151.589ms, trace 100.681ms, "
            "reason \"waits follow the 227us STUN round trip\""},
           {Milliseconds(30),
            "gateway answer 190ms, gateway 360ms, trace 190ms, "
            "reason \"waits follow the 30ms STUN round trip\""},
           // Capped at the fixed bounds.
           {Milliseconds(100),
            "gateway answer 400ms, gateway 500ms, trace 400ms, "
            "reason \"waits follow the 100ms STUN round trip\""},
           {absl::Seconds(1),
            "gateway answer 400ms, gateway 500ms, trace 500ms, "
            "reason \"waits follow the 1s STUN round trip\""},
           // Rounded to the microsecond in the reason only.
           {absl::Nanoseconds(1500999),
            "gateway answer 104.502997ms, gateway 160.506993ms, "
            "trace 104.502997ms, "
            "reason \"waits follow the 1.5ms STUN round trip\""},
       }) {
    EXPECT_EQ(Describe(EvidenceWaitsFor(c.rtt)), c.waits) << c.rtt;
  }
}

TEST(AdaptedPolicyTest, ThreeRttsWithinBounds) {
  struct Case {
    absl::Duration rtt;
    std::string policy;
  };
  for (const Case& c : std::vector<Case>{
           {absl::ZeroDuration(), "25ms x5 within 250ms"},  // Floors.
           {Milliseconds(5), "25ms x5 within 250ms"},
           {Milliseconds(10), "30ms x5 within 250ms"},
           {Milliseconds(20), "60ms x5 within 480ms"},
           {Milliseconds(50), "150ms x5 within 1.2s"},
           {Milliseconds(100), "300ms x5 within 1.5s"},  // Wait capped.
           {Milliseconds(200), "500ms x5 within 1.5s"},  // Interval capped.
           {absl::Seconds(5), "500ms x5 within 1.5s"},
       }) {
    EXPECT_EQ(Describe(AdaptedPolicy(c.rtt)), c.policy) << c.rtt;
  }
}

}  // namespace
}  // namespace natscope::ingest
