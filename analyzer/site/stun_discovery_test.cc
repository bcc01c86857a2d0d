#include "analyzer/site/stun_discovery.h"

#include <string>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1800000000);
constexpr auto kAvailable = v1::STUN_DISCOVERY_AVAILABLE;
constexpr auto kUnavailable = v1::STUN_DISCOVERY_UNAVAILABLE;

// A connector's evidence: a probe (when `probe` is not null), a log kind
// and relay error counts.
AgentEvidence Connector(const v1::ProbeSummary* probe, bool fresh, LogNat log,
                        uint32_t listener = 0, uint32_t relay = 0) {
  AgentEvidence e;
  e.role = v1::ROLE_CONNECTOR;
  e.probe = probe;
  e.probe_fresh = fresh;
  e.log = log;
  if (log != LogNat::kNone) e.log_line = "the product's log says so";
  e.relay_listener_errors = listener;
  e.relay_unavailable = relay;
  return e;
}

v1::ProbeSummary Probe(bool answered) {
  v1::ProbeSummary p;
  *p.mutable_time() = ToProtoTime(kNow - absl::Minutes(1));
  p.set_udp_reachable(answered);
  return p;
}

TEST(JudgeStunDiscoveryTest, Table) {
  const v1::ProbeSummary ok = Probe(true), silent = Probe(false);
  struct Row {
    const char* name;
    AgentEvidence evidence;
    v1::StunDiscoveryState state;
    v1::EvidenceSource source;
  } rows[] = {
      {"nothing", Connector(nullptr, false, LogNat::kNone),
       v1::STUN_DISCOVERY_UNKNOWN, v1::EVIDENCE_SOURCE_UNSPECIFIED},
      {"fresh probe answered", Connector(&ok, true, LogNat::kNone), kAvailable,
       v1::EVIDENCE_SOURCE_PROBE},
      {"fresh probe silent", Connector(&silent, true, LogNat::kNone),
       kUnavailable, v1::EVIDENCE_SOURCE_PROBE},
      {"probe and log name a type", Connector(&ok, true, LogNat::kDependent),
       kAvailable, v1::EVIDENCE_SOURCE_BOTH_AGREE},
      {"probe answered, listener errors: the probe wins",
       Connector(&ok, true, LogNat::kIndependent, 3), kAvailable,
       v1::EVIDENCE_SOURCE_BOTH_DISAGREE},
      {"probe silent, log unknown",
       Connector(&silent, true, LogNat::kDiscoveryFailed), kUnavailable,
       v1::EVIDENCE_SOURCE_BOTH_AGREE},
      {"log only: listener errors outweigh a NAT type line",
       Connector(nullptr, false, LogNat::kDependent, 1), kUnavailable,
       v1::EVIDENCE_SOURCE_LOG},
      {"log only: relays not available",
       Connector(nullptr, false, LogNat::kNone, 0, 2), kUnavailable,
       v1::EVIDENCE_SOURCE_LOG},
      {"log only: a NAT type means discovery ran",
       Connector(nullptr, false, LogNat::kIndependent), kAvailable,
       v1::EVIDENCE_SOURCE_LOG},
      {"stale probe, log errors: the log decides",
       Connector(&ok, false, LogNat::kNone, 1), kUnavailable,
       v1::EVIDENCE_SOURCE_LOG},
      {"stale probe, nothing in the log",
       Connector(&silent, false, LogNat::kNone), kUnavailable,
       v1::EVIDENCE_SOURCE_PROBE},
  };
  for (const Row& row : rows) {
    const v1::StunDiscovery got = JudgeStunDiscovery(row.evidence);
    EXPECT_EQ(got.state(), row.state) << row.name;
    EXPECT_EQ(got.source(), row.source) << row.name;
  }
}

TEST(JudgeStunDiscoveryTest, EvidenceSaysWhatEachSourceSaid) {
  const v1::ProbeSummary ok = Probe(true);
  v1::StunDiscovery got =
      JudgeStunDiscovery(Connector(&ok, true, LogNat::kIndependent, 2, 1));
  EXPECT_THAT(
      got.evidence(),
      ElementsAre(
          "the probe at 2027-01-15T07:59:00+00:00, got a STUN answer over UDP",
          "the product's log shows 2 failure(s) to preconnect a relay "
          "listener in the last 24 hours",
          "the product's log shows 1 relay(s) not available in the last 24 "
          "hours",
          "the product's log says so"));
  got = JudgeStunDiscovery(Connector(&ok, false, LogNat::kNone));
  ASSERT_EQ(got.evidence_size(), 1);
  EXPECT_THAT(got.evidence(0), HasSubstr("the last probe, at "));
}

}  // namespace
}  // namespace natscope::analyzer
