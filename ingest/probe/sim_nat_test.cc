#include "ingest/probe/sim_nat.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

const net::SocketAddress kInside =
    *net::SocketAddress::Parse("192.168.1.10:5000");
const net::SocketAddress kA1P1 =
    *net::SocketAddress::Parse("198.51.100.1:3478");
const net::SocketAddress kA1P2 =
    *net::SocketAddress::Parse("198.51.100.1:3479");
const net::SocketAddress kA2P1 =
    *net::SocketAddress::Parse("198.51.100.2:3478");
const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

SimNat Nat(SimDependence mapping, SimDependence filtering,
           absl::Duration lifetime = absl::InfiniteDuration()) {
  SimNatConfig config;
  config.public_ip = *net::SocketAddress::Parse("203.0.113.7:0");
  config.mapping = mapping;
  config.filtering = filtering;
  config.mapping_lifetime = lifetime;
  return SimNat(config);
}

TEST(SimNatTest, MappingDependsOnWhatItShould) {
  struct Case {
    SimDependence mapping;
    bool same_for_other_port, same_for_other_ip;
  };
  for (const Case& c :
       {Case{SimDependence::kEndpointIndependent, true, true},
        Case{SimDependence::kAddressDependent, true, false},
        Case{SimDependence::kAddressAndPortDependent, false, false}}) {
    SimNat nat = Nat(c.mapping, SimDependence::kEndpointIndependent);
    const net::SocketAddress first = nat.Outbound(kInside, kA1P1, kT0);
    EXPECT_EQ(first.ToString(), "203.0.113.7:40000");
    EXPECT_EQ(nat.Outbound(kInside, kA1P1, kT0), first);
    EXPECT_EQ(nat.Outbound(kInside, kA1P2, kT0) == first,
              c.same_for_other_port);
    EXPECT_EQ(nat.Outbound(kInside, kA2P1, kT0) == first, c.same_for_other_ip);
  }
}

TEST(SimNatTest, FilteringLetsInWhatItShould) {
  struct Case {
    SimDependence filtering;
    bool other_port_in, other_ip_in;
  };
  for (const Case& c :
       {Case{SimDependence::kEndpointIndependent, true, true},
        Case{SimDependence::kAddressDependent, true, false},
        Case{SimDependence::kAddressAndPortDependent, false, false}}) {
    SimNat nat = Nat(SimDependence::kEndpointIndependent, c.filtering);
    const net::SocketAddress mapped = nat.Outbound(kInside, kA1P1, kT0);
    EXPECT_EQ(nat.Inbound(mapped, kA1P1, kT0), kInside);
    EXPECT_EQ(nat.Inbound(mapped, kA1P2, kT0).has_value(), c.other_port_in);
    EXPECT_EQ(nat.Inbound(mapped, kA2P1, kT0).has_value(), c.other_ip_in);
    EXPECT_EQ(nat.Inbound(mapped, kA2P1, kT0, /*filter=*/false), kInside);
    EXPECT_FALSE(
        nat.Inbound(mapped.WithPort(1), kA1P1, kT0, false).has_value());
  }
}

TEST(SimNatTest, IdleMappingsExpireAndAreReplaced) {
  SimNat nat = Nat(SimDependence::kEndpointIndependent,
                   SimDependence::kAddressAndPortDependent, absl::Seconds(5));
  const net::SocketAddress mapped = nat.Outbound(kInside, kA1P1, kT0);
  EXPECT_TRUE(nat.Inbound(mapped, kA1P1, kT0 + absl::Seconds(5)).has_value());
  // Inbound traffic does not keep it alive.
  EXPECT_FALSE(nat.Inbound(mapped, kA1P1, kT0 + absl::Seconds(6)).has_value());
  const net::SocketAddress renewed =
      nat.Outbound(kInside, kA1P1, kT0 + absl::Seconds(6));
  EXPECT_NE(renewed, mapped);
  EXPECT_TRUE(nat.Inbound(renewed, kA1P1, kT0 + absl::Seconds(10)).has_value());
}

}  // namespace
}  // namespace natscope::ingest
