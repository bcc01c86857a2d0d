#include "analyzer/nat_behavior.h"

#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

constexpr char kLocal[] = "192.168.1.2:5000";
constexpr char kPrimary[] = "203.0.113.10:3478";

// Adds an observation; `mapped` null means no answer.
void Observe(v1::ProbeReport* r, const char* test, const char* server,
             const char* mapped, const char* local = kLocal,
             const char* error = "") {
  v1::StunObservation* o = r->add_observations();
  o->set_test(test);
  o->set_server(server);
  o->set_local_address(local);
  if (mapped != nullptr) {
    o->set_answered(true);
    o->set_mapped_address(mapped);
  }
  o->set_error(error);
}

struct MappingCase {
  const char* name;
  const char* test_one;
  const char* test_two;    // null: not run
  const char* test_three;  // null: not run
  v1::MappingBehavior expected;
  bool consistent;
};

class MappingTest : public ::testing::TestWithParam<MappingCase> {};

TEST_P(MappingTest, FollowsRfc5780TestsOneToThree) {
  const MappingCase& c = GetParam();
  v1::ProbeReport r;
  Observe(&r, "binding", kPrimary, c.test_one);
  if (c.test_two != nullptr) {
    Observe(&r, "mapping-II", "203.0.113.11:3478",
            std::string(c.test_two) == "-" ? nullptr : c.test_two);
  }
  if (c.test_three != nullptr) {
    Observe(&r, "mapping-III", "203.0.113.11:3479",
            std::string(c.test_three) == "-" ? nullptr : c.test_three);
  }
  const MappingVerdict v = MappingFrom(r);
  EXPECT_EQ(v.behavior, c.expected) << c.name << ": " << v.reason;
  EXPECT_EQ(v.consistent, c.consistent) << c.name;
  EXPECT_FALSE(v.reason.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MappingTest,
    ::testing::Values(
        MappingCase{"no nat", kLocal, nullptr, nullptr, v1::MAPPING_NO_NAT, true},
        MappingCase{"eim", "198.51.100.1:6000", "198.51.100.1:6000", "198.51.100.1:6000",
                    v1::MAPPING_ENDPOINT_INDEPENDENT, true},
        MappingCase{"adm", "198.51.100.1:6000", "198.51.100.1:6001", "198.51.100.1:6001",
                    v1::MAPPING_ADDRESS_DEPENDENT, true},
        MappingCase{"apdm", "198.51.100.1:6000", "198.51.100.1:6001", "198.51.100.1:6002",
                    v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT, true},
        MappingCase{"test III lost", "198.51.100.1:6000", "198.51.100.1:6001", "-",
                    v1::MAPPING_UNKNOWN, false},
        MappingCase{"other address silent", "198.51.100.1:6000", "-", nullptr,
                    v1::MAPPING_UNKNOWN, false},
        MappingCase{"one plain server", "198.51.100.1:6000", nullptr, nullptr,
                    v1::MAPPING_UNKNOWN, true},
        MappingCase{"blocked", nullptr, nullptr, nullptr, v1::MAPPING_UNKNOWN, true}));

TEST(MappingFallbackTest, TwoPlainServersAgreeingMeansEndpointIndependent) {
  v1::ProbeReport r;
  Observe(&r, "binding", kPrimary, "198.51.100.1:6000");
  Observe(&r, "binding", "192.0.2.5:3478", "198.51.100.1:6000");
  EXPECT_EQ(MappingFrom(r).behavior, v1::MAPPING_ENDPOINT_INDEPENDENT);
}

TEST(MappingFallbackTest, TwoPortsOfOneServerDisagreeingMeansPortDependent) {
  v1::ProbeReport r;
  Observe(&r, "binding", kPrimary, "198.51.100.1:6000");
  Observe(&r, "binding", "203.0.113.10:19302", "198.51.100.1:6001");
  EXPECT_EQ(MappingFrom(r).behavior, v1::MAPPING_ADDRESS_AND_PORT_DEPENDENT);
}

TEST(MappingFallbackTest, LastRepeatCounts) {
  v1::ProbeReport r;
  Observe(&r, "binding", kPrimary, "198.51.100.1:6000");
  Observe(&r, "mapping-II", "203.0.113.11:3478", nullptr);
  Observe(&r, "mapping-II", "203.0.113.11:3478", "198.51.100.1:6000");
  EXPECT_EQ(MappingFrom(r).behavior, v1::MAPPING_ENDPOINT_INDEPENDENT);
}

struct FilteringCase {
  const char* name;
  bool one, two, three;
  v1::FilteringBehavior expected;
  bool consistent;
};

class FilteringTest : public ::testing::TestWithParam<FilteringCase> {};

TEST_P(FilteringTest, FollowsRfc5780FilteringTests) {
  const FilteringCase& c = GetParam();
  v1::ProbeReport r;
  const char* m = "198.51.100.1:7000";
  Observe(&r, "filtering-I", kPrimary, c.one ? m : nullptr);
  Observe(&r, "filtering-II", kPrimary, c.two ? m : nullptr);
  Observe(&r, "filtering-III", kPrimary, c.three ? m : nullptr);
  const FilteringVerdict v = FilteringFrom(r);
  EXPECT_EQ(v.behavior, c.expected) << c.name << ": " << v.reason;
  EXPECT_EQ(v.consistent, c.consistent) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FilteringTest,
    ::testing::Values(
        FilteringCase{"eif", true, true, true, v1::FILTERING_ENDPOINT_INDEPENDENT, true},
        FilteringCase{"adf", true, false, true, v1::FILTERING_ADDRESS_DEPENDENT, true},
        FilteringCase{"apdf", true, false, false,
                      v1::FILTERING_ADDRESS_AND_PORT_DEPENDENT, true},
        FilteringCase{"contradiction", true, true, false,
                      v1::FILTERING_ENDPOINT_INDEPENDENT, false},
        FilteringCase{"test I lost", false, false, false, v1::FILTERING_UNKNOWN, false}));

TEST(FilteringTest, ServerRefusingChangeRequestLeavesFilteringUnknown) {
  v1::ProbeReport r;
  Observe(&r, "filtering-I", kPrimary, "198.51.100.1:7000");
  Observe(&r, "filtering-II", kPrimary, "", kLocal, "error 420 Unknown Attribute");
  Observe(&r, "filtering-III", kPrimary, "", kLocal, "error 420 Unknown Attribute");
  EXPECT_EQ(FilteringFrom(r).behavior, v1::FILTERING_UNKNOWN);
}

TEST(FilteringTest, NotTestedIsUnknown) {
  EXPECT_EQ(FilteringFrom(v1::ProbeReport()).behavior, v1::FILTERING_UNKNOWN);
}

}  // namespace
}  // namespace natscope::analyzer
