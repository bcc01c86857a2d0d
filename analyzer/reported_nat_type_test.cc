#include "analyzer/reported_nat_type.h"

#include "gtest/gtest.h"
#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {
namespace {

using natscope::v1::ProbeReport;

ProbeReport Probe(bool udp_reachable, natscope::v1::MappingBehavior mapping) {
  ProbeReport probe;
  probe.set_udp_reachable(udp_reachable);
  probe.set_mapping_behavior(mapping);
  return probe;
}

TEST(ReportedNatTypeTest, LogValueWinsVerbatimOverProbe) {
  const ProbeReport probe =
      Probe(true, natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
  EXPECT_EQ(ReportedNatType("endpoint-independent", &probe),
            "endpoint-independent");
  EXPECT_EQ(ReportedNatType("Symmetric-ish", &probe), "Symmetric-ish");
  EXPECT_EQ(ReportedNatType("endpoint-dependent", nullptr),
            "endpoint-dependent");
}

TEST(ReportedNatTypeTest, EmptyOrUnknownLogValueFallsBackToProbe) {
  const ProbeReport probe =
      Probe(true, natscope::v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(ReportedNatType("", &probe), "endpoint-independent");
  EXPECT_EQ(ReportedNatType("UNKNOWN", &probe), "endpoint-independent");
}

TEST(ReportedNatTypeTest, NoLogValueAndNoProbeIsUnknown) {
  EXPECT_EQ(ReportedNatType("", nullptr), "unknown");
}

TEST(ReportedNatTypeTest, UnreachableUdpIsBlockedWhateverTheMapping) {
  const ProbeReport probe =
      Probe(false, natscope::v1::MAPPING_ENDPOINT_INDEPENDENT);
  EXPECT_EQ(ReportedNatType("", &probe), "udp-blocked");
}

TEST(ReportedNatTypeTest, ProbeMappingGivesTheType) {
  struct Case {
    natscope::v1::MappingBehavior mapping;
    const char* want;
  };
  for (const Case& c : {
           Case{natscope::v1::MAPPING_NO_NAT, "no-nat"},
           Case{natscope::v1::MAPPING_ENDPOINT_INDEPENDENT,
                "endpoint-independent"},
           Case{natscope::v1::MAPPING_ADDRESS_DEPENDENT, "endpoint-dependent"},
           Case{natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
                "endpoint-dependent"},
           Case{natscope::v1::MAPPING_UNKNOWN, "unknown"},
       }) {
    const ProbeReport probe = Probe(true, c.mapping);
    EXPECT_EQ(ReportedNatType("", &probe), c.want)
        << natscope::v1::MappingBehavior_Name(c.mapping);
    EXPECT_EQ(ProbeNatType(probe), c.want);
  }
}

TEST(ClassicNatNameTest, EndpointIndependentMappingIsNamedByFiltering) {
  const auto kEim = natscope::v1::MAPPING_ENDPOINT_INDEPENDENT;
  EXPECT_EQ(ClassicNatName(kEim, natscope::v1::FILTERING_ENDPOINT_INDEPENDENT),
            "full cone");
  EXPECT_EQ(ClassicNatName(kEim, natscope::v1::FILTERING_ADDRESS_DEPENDENT),
            "restricted cone");
  EXPECT_EQ(
      ClassicNatName(kEim, natscope::v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT),
      "port-restricted cone");
  EXPECT_EQ(ClassicNatName(kEim, natscope::v1::FILTERING_UNKNOWN), "unknown");
}

TEST(ClassicNatNameTest, EndpointDependentMappingIsSymmetric) {
  EXPECT_EQ(ClassicNatName(natscope::v1::MAPPING_ADDRESS_DEPENDENT,
                           natscope::v1::FILTERING_ENDPOINT_INDEPENDENT),
            "symmetric");
  EXPECT_EQ(ClassicNatName(natscope::v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT,
                           natscope::v1::FILTERING_UNKNOWN),
            "symmetric");
}

TEST(ClassicNatNameTest, NoNatAndUnknownMapping) {
  EXPECT_EQ(ClassicNatName(natscope::v1::MAPPING_NO_NAT,
                           natscope::v1::FILTERING_UNKNOWN),
            "no NAT");
  EXPECT_EQ(ClassicNatName(natscope::v1::MAPPING_UNKNOWN,
                           natscope::v1::FILTERING_ENDPOINT_INDEPENDENT),
            "unknown");
}

}  // namespace
}  // namespace natscope::analyzer
