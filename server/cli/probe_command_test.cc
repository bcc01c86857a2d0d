// When `natscope probe --wait` counts an agent as answered, and the line it
// prints for it. (The command end to end: tests/e2e/probe_now_test.sh.)
#include "server/cli/probe_command.h"

#include "absl/strings/match.h"
#include "common/proto_time.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

const absl::Time kRequested = absl::FromUnixSeconds(1800000000);

v1::AgentState WithProbeAt(absl::Time started) {
  v1::AgentState agent;
  agent.mutable_identity()->set_agent_id("paris-1");
  *agent.mutable_latest_probe()->mutable_time() = ToProtoTime(started);
  return agent;
}

TEST(ProbeAnsweredTest, PendingRequestIsNotAnswered) {
  v1::AgentState agent = WithProbeAt(kRequested + absl::Seconds(5));
  *agent.mutable_probe_requested_at() = ToProtoTime(kRequested);
  EXPECT_FALSE(ProbeAnswered(agent, kRequested));
}

TEST(ProbeAnsweredTest, ClearedRequestWithAProbeIsAnswered) {
  EXPECT_TRUE(ProbeAnswered(WithProbeAt(kRequested - absl::Seconds(1)),
                            kRequested))
      << "the server judged it (it knows the batch's exact skew)";
  EXPECT_FALSE(ProbeAnswered(v1::AgentState(), kRequested)) << "no probe";
}

TEST(ProbeAnsweredTest, NewerRequestFallsBackToTheProbesTimeOnTheServersClock) {
  v1::AgentState agent = WithProbeAt(kRequested + absl::Seconds(30));
  *agent.mutable_probe_requested_at() =
      ToProtoTime(kRequested + absl::Minutes(1));
  EXPECT_TRUE(ProbeAnswered(agent, kRequested));
  agent.set_clock_skew_seconds(60);  // The agent runs a minute ahead.
  EXPECT_FALSE(ProbeAnswered(agent, kRequested));
}

TEST(FormatProbeResultTest, SaysWhenAndTheServersVerdicts) {
  v1::AgentState agent = WithProbeAt(kRequested);
  agent.set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  agent.set_filtering_behavior(v1::FILTERING_ADDRESS_DEPENDENT);
  agent.set_public_address("203.0.113.7:41641");
  agent.add_findings()->set_code(v1::FINDING_UDP_BLOCKED);
  const std::string line = FormatProbeResult(agent);
  EXPECT_TRUE(absl::StartsWith(line, "paris-1  probed 2027-01-15T08:00:00"))
      << line;
  EXPECT_TRUE(absl::StrContains(line, "mapping endpoint-independent")) << line;
  EXPECT_TRUE(absl::StrContains(line, "filtering address-dependent")) << line;
  EXPECT_TRUE(absl::StrContains(line, "public 203.0.113.7:41641")) << line;
  EXPECT_TRUE(absl::StrContains(line, "findings udp-blocked")) << line;
  EXPECT_FALSE(absl::StrContains(line, "ipv6")) << line;
}

TEST(FormatProbeResultTest, SaysHowSureAndTheIpv6Half) {
  v1::AgentState agent = WithProbeAt(kRequested);
  agent.set_mapping_behavior(v1::MAPPING_ENDPOINT_INDEPENDENT);
  agent.mutable_latest_probe()->set_mapping_confidence(v1::CONFIDENCE_HIGH);
  agent.mutable_latest_probe()->set_filtering_confidence(v1::CONFIDENCE_LOW);
  v1::ProbeReport* six = agent.mutable_latest_probe()->mutable_ipv6();
  six->set_mapping_behavior(v1::MAPPING_NO_NAT);
  six->set_mapping_confidence(v1::CONFIDENCE_MEDIUM);
  const std::string line = FormatProbeResult(agent);
  EXPECT_TRUE(absl::StrContains(line, "mapping endpoint-independent (confident)"))
      << line;
  EXPECT_TRUE(absl::StrContains(line, "(uncertain)")) << line;
  EXPECT_TRUE(absl::StrContains(line, "ipv6 mapping no-nat (likely) filtering"))
      << line;
}

}  // namespace
}  // namespace natscope::server
