#include "analyzer/confidence.h"

#include <string>

#include "analyzer/classify_probe.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

void Add(v1::ProbeReport* r, const std::string& test, const std::string& server,
         const std::string& mapped, int transmissions) {
  v1::StunObservation* o = r->add_observations();
  o->set_test(test);
  o->set_server(server);
  o->set_local_address("192.168.1.2:5000");
  o->set_transmissions(transmissions);
  if (!mapped.empty()) {
    o->set_answered(true);
    o->set_mapped_address(mapped);
  }
}

// An RFC 5780 run behind an endpoint-independent, address-and-port-
// dependent filtering NAT; `loss` retransmissions on test I and
// filtering test I.
v1::ProbeReport HomeRouter(int first_transmissions = 1) {
  v1::ProbeReport r;
  const std::string m = "198.51.100.2:40000";
  Add(&r, "binding", "203.0.113.10:3478", m, first_transmissions);
  r.mutable_observations(0)->set_other_address("203.0.113.11:3479");
  Add(&r, "mapping-II", "203.0.113.11:3478", m, 1);
  Add(&r, "mapping-III", "203.0.113.11:3479", m, 1);
  Add(&r, "filtering-I", "203.0.113.10:3478", "198.51.100.2:40001",
      first_transmissions);
  Add(&r, "filtering-II", "203.0.113.10:3478", "", 5);
  Add(&r, "filtering-III", "203.0.113.10:3478", "", 5);
  return r;
}

TEST(ConfidenceTest, FirstTryAnswersAndFullSilenceAreConfident) {
  v1::ProbeReport r = HomeRouter();
  ClassifyProbe(&r);
  EXPECT_EQ(r.mapping_behavior(), v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(r.mapping_confidence(), v1::CONFIDENCE_HIGH);
  EXPECT_EQ(r.filtering_behavior(), v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(r.filtering_confidence(), v1::CONFIDENCE_HIGH);
}

TEST(ConfidenceTest, LossOnThePathMakesSilenceOnlyLikely) {
  v1::ProbeReport r = HomeRouter(/*first_transmissions=*/3);
  ClassifyProbe(&r);
  EXPECT_EQ(r.mapping_confidence(), v1::CONFIDENCE_MEDIUM);
  EXPECT_EQ(r.filtering_confidence(), v1::CONFIDENCE_MEDIUM);
}

TEST(ConfidenceTest, ARepeatedTestIsOnlyLikelyAndADisagreementUncertain) {
  v1::ProbeReport r = HomeRouter();
  // Filtering test I lost the first time, repeated from a fresh port.
  v1::ProbeReport repeated;
  Add(&repeated, "filtering-I", "203.0.113.10:3478", "", 7);
  for (const auto& o : r.observations()) *repeated.add_observations() = o;
  ClassifyProbe(&repeated);
  EXPECT_EQ(repeated.filtering_confidence(), v1::CONFIDENCE_MEDIUM);

  // Mapping changed with the IP but test III never answered.
  v1::ProbeReport torn;
  Add(&torn, "binding", "203.0.113.10:3478", "198.51.100.2:40000", 1);
  torn.mutable_observations(0)->set_other_address("203.0.113.11:3479");
  Add(&torn, "mapping-II", "203.0.113.11:3478", "198.51.100.2:40002", 1);
  Add(&torn, "mapping-III", "203.0.113.11:3479", "", 5);
  const MappingVerdict verdict = MappingFrom(torn);
  EXPECT_FALSE(verdict.consistent);
  EXPECT_EQ(MappingConfidence(torn, verdict), v1::CONFIDENCE_UNSPECIFIED)
      << "an unknown verdict has no confidence";
  const MappingVerdict guessed{v1::MAPPING_ADDRESS_DEPENDENT, false, ""};
  EXPECT_EQ(MappingConfidence(torn, guessed), v1::CONFIDENCE_LOW);
}

TEST(ConfidenceTest, ComparingServersIsLikelyAndAddressDependentAGuess) {
  v1::ProbeReport same;
  Add(&same, "binding", "203.0.113.10:3478", "198.51.100.2:40000", 1);
  Add(&same, "binding", "192.0.2.9:3478", "198.51.100.2:40000", 1);
  ClassifyProbe(&same);
  EXPECT_EQ(same.mapping_behavior(), v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(same.mapping_confidence(), v1::CONFIDENCE_MEDIUM);

  v1::ProbeReport differ;
  Add(&differ, "binding", "203.0.113.10:3478", "198.51.100.2:40000", 1);
  Add(&differ, "binding", "192.0.2.9:3478", "198.51.100.2:40007", 1);
  ClassifyProbe(&differ);
  EXPECT_EQ(differ.mapping_behavior(), v1::MAPPING_ADDRESS_DEPENDENT);
  EXPECT_EQ(differ.mapping_confidence(), v1::CONFIDENCE_LOW);
  ASSERT_EQ(differ.findings_size(), 1);
  EXPECT_EQ(differ.findings(0).confidence(), v1::CONFIDENCE_LOW);
}

TEST(ConfidenceTest, UnknownVerdictsHaveNoConfidenceAndFindingsAlwaysOne) {
  v1::ProbeReport blocked;
  Add(&blocked, "binding", "203.0.113.10:3478", "", 7);
  ClassifyProbe(&blocked);
  EXPECT_EQ(blocked.mapping_confidence(), v1::CONFIDENCE_UNSPECIFIED);
  EXPECT_EQ(blocked.filtering_confidence(), v1::CONFIDENCE_UNSPECIFIED);
  ASSERT_EQ(blocked.findings_size(), 1);
  EXPECT_EQ(blocked.findings(0).code(), v1::FINDING_UDP_BLOCKED);
  EXPECT_EQ(blocked.findings(0).confidence(), v1::CONFIDENCE_HIGH);
}

// UDP blocked is surer when STUN over TCP proves the path to the server
// than when nothing reaches it over TCP either (the server may be down).
TEST(ConfidenceTest, UdpBlockedIsLessSureWhenNothingReachesTheServerOverTcp) {
  const auto blocked = [](int transmissions, v1::TcpStunOutcome tcp) {
    v1::ProbeReport r;
    Add(&r, "binding", "203.0.113.10:3478", "", transmissions);
    r.add_tcp_stun()->set_outcome(tcp);
    ClassifyProbe(&r);
    EXPECT_EQ(r.findings(0).code(), v1::FINDING_UDP_BLOCKED);
    return r.findings(0).confidence();
  };
  EXPECT_EQ(blocked(4, v1::TCP_STUN_ANSWERED), v1::CONFIDENCE_HIGH);
  EXPECT_EQ(blocked(4, v1::TCP_STUN_REFUSED), v1::CONFIDENCE_HIGH);
  EXPECT_EQ(blocked(4, v1::TCP_STUN_UNREACHABLE), v1::CONFIDENCE_MEDIUM);
  EXPECT_EQ(blocked(2, v1::TCP_STUN_ANSWERED), v1::CONFIDENCE_MEDIUM);
  EXPECT_EQ(blocked(2, v1::TCP_STUN_UNREACHABLE), v1::CONFIDENCE_LOW);
}

TEST(ConfidenceTest, Words) {
  EXPECT_EQ(ConfidenceWord(v1::CONFIDENCE_HIGH), "confident");
  EXPECT_EQ(ConfidenceWord(v1::CONFIDENCE_MEDIUM), "likely");
  EXPECT_EQ(ConfidenceWord(v1::CONFIDENCE_LOW), "uncertain");
  EXPECT_EQ(ConfidenceWord(v1::CONFIDENCE_UNSPECIFIED), "");
}

}  // namespace
}  // namespace natscope::analyzer
