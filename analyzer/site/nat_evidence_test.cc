#include "analyzer/site/nat_evidence.h"

#include "common/proto_time.h"
#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

TEST(LogNatOfTest, KnowsTheProductsValues) {
  EXPECT_EQ(LogNatOf("endpoint-independent"), LogNat::kIndependent);
  EXPECT_EQ(LogNatOf("Endpoint-Dependent"), LogNat::kDependent);
  EXPECT_EQ(LogNatOf("unknown(7)"), LogNat::kDiscoveryFailed);
  EXPECT_EQ(LogNatOf("UNKNOWN"), LogNat::kDiscoveryFailed);
  EXPECT_EQ(LogNatOf("cone"), LogNat::kNone);
  EXPECT_EQ(LogNatOf(""), LogNat::kNone);
}

// A view with a probe `probe_age` old (none when negative) and a log line
// `log_age` old (none when `log` is empty).
v1::AgentView View(absl::Duration probe_age, v1::MappingBehavior mapping,
                   const char* log, absl::Duration log_age) {
  v1::AgentView view;
  view.mutable_identity()->set_role(v1::ROLE_CLIENT);
  if (probe_age >= absl::ZeroDuration()) {
    v1::ProbeSummary* p = view.mutable_probe();
    *p->mutable_time() = ToProtoTime(kNow - probe_age);
    p->set_udp_reachable(true);
    p->set_mapping_behavior(mapping);
    p->set_filtering_behavior(v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);
  }
  if (*log != '\0') {
    view.set_log_nat_type(log);
    *view.mutable_log_nat_type_time() = ToProtoTime(kNow - log_age);
  }
  return view;
}

NatChoice Choose(const v1::AgentView& view) {
  return ChooseNatClass(EvidenceOf(view, kNow, AgentViewOptions()));
}

TEST(ChooseNatClassTest, FreshProbeDecidesAndTheLogAgreesOrNot) {
  const absl::Duration kFresh = absl::Minutes(15);  // stale_after, inclusive.
  const absl::Duration kLine = absl::Hours(3);
  NatChoice c = Choose(View(kFresh, v1::MAPPING_ENDPOINT_INDEPENDENT,
                            "endpoint-independent", kLine));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_BOTH_AGREE);
  EXPECT_EQ(c.nat_class.source(), v1::EVIDENCE_SOURCE_PROBE);
  EXPECT_EQ(c.nat_class.filtering(), v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT);

  c = Choose(View(kFresh, v1::MAPPING_NO_NAT, "endpoint-dependent", kLine));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_BOTH_DISAGREE);
  EXPECT_EQ(c.nat_class.mapping(), v1::MAPPING_NO_NAT);  // The probe's.

  c = Choose(View(kFresh, v1::MAPPING_ENDPOINT_INDEPENDENT, "", kLine));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_PROBE);
  // A line the analyzer does not know, or one too old, is not compared.
  c = Choose(View(kFresh, v1::MAPPING_ENDPOINT_INDEPENDENT, "cone", kLine));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_PROBE);
  c = Choose(View(kFresh, v1::MAPPING_ENDPOINT_INDEPENDENT,
                  "endpoint-dependent", absl::Hours(24 * 7 + 1)));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_PROBE);
}

TEST(ChooseNatClassTest, WithoutAFreshProbeTheLogDecides) {
  const absl::Duration kStale = absl::Minutes(16);
  NatChoice c = Choose(View(kStale, v1::MAPPING_ENDPOINT_INDEPENDENT,
                            "endpoint-dependent", absl::Hours(24 * 7)));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_LOG);
  EXPECT_EQ(c.nat_class.source(), v1::EVIDENCE_SOURCE_LOG);
  EXPECT_EQ(c.nat_class.mapping(), v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(c.nat_class.filtering(), v1::FILTERING_UNKNOWN);
  EXPECT_EQ(c.nat_class.label(), "endpoint-dependent (from the product's log)");

  c = Choose(View(absl::Minutes(-1), v1::MAPPING_UNKNOWN,
                  "endpoint-independent", absl::Minutes(1)));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_LOG);
  EXPECT_EQ(c.nat_class.label(),
            "endpoint-independent (from the product's log)");

  c = Choose(View(absl::Minutes(-1), v1::MAPPING_UNKNOWN, "unknown(3)",
                  absl::Minutes(1)));
  EXPECT_EQ(c.nat_class.mapping(), v1::MAPPING_UNKNOWN);
  EXPECT_EQ(c.nat_class.label(), "unknown (from the product's log)");
}

TEST(ChooseNatClassTest, AStaleProbeIsKeptWhenTheLogSaysNothing) {
  NatChoice c = Choose(View(absl::Hours(5), v1::MAPPING_ENDPOINT_INDEPENDENT,
                            "endpoint-dependent", absl::Hours(24 * 8)));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_PROBE);
  EXPECT_EQ(c.nat_class.mapping(), v1::MAPPING_ENDPOINT_INDEPENDENT);

  c = Choose(View(absl::Minutes(-1), v1::MAPPING_UNKNOWN, "", absl::Hours(1)));
  EXPECT_EQ(c.source, v1::EVIDENCE_SOURCE_UNSPECIFIED);
  EXPECT_EQ(c.nat_class.source(), v1::EVIDENCE_SOURCE_UNSPECIFIED);
}

TEST(ChooseNatClassTest, AProbeFromTheFutureIsFresh) {
  // Clock skew, as FreshnessOf takes it.
  v1::AgentView view =
      View(absl::ZeroDuration(), v1::MAPPING_ENDPOINT_INDEPENDENT,
           "endpoint-dependent", absl::Hours(1));
  *view.mutable_probe()->mutable_time() = ToProtoTime(kNow + absl::Minutes(10));
  EXPECT_EQ(Choose(view).source, v1::EVIDENCE_SOURCE_BOTH_DISAGREE);
}

TEST(EvidenceOfTest, LogConfidenceFollowsTheLinesAge) {
  AgentEvidence e = EvidenceOf(View(absl::Minutes(-1), v1::MAPPING_UNKNOWN,
                                    "endpoint-dependent", absl::Hours(24)),
                               kNow, AgentViewOptions());
  EXPECT_EQ(e.log, LogNat::kDependent);
  EXPECT_EQ(e.log_confidence, v1::CONFIDENCE_MEDIUM);
  EXPECT_EQ(
      e.log_line,
      "the product's log at 2027-01-14T08:00:00+00:00 says stun_nat_type: "
      "endpoint-dependent");
  e = EvidenceOf(View(absl::Minutes(-1), v1::MAPPING_UNKNOWN,
                      "endpoint-dependent", absl::Hours(25)),
                 kNow, AgentViewOptions());
  EXPECT_EQ(e.log_confidence, v1::CONFIDENCE_LOW);
}

}  // namespace
}  // namespace natscope::analyzer
