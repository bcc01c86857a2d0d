#include "common/net/socket_address.h"

#include <arpa/inet.h>

#include <set>

#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natscope::net {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(SocketAddressTest, DefaultIsIPv4AnyPortZero) {
  SocketAddress a;
  EXPECT_TRUE(a.is_ipv4());
  EXPECT_EQ(a.ToString(), "0.0.0.0:0");
}

TEST(SocketAddressTest, ParsesIPv4WithPort) {
  auto a = SocketAddress::Parse("192.0.2.1:32853");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->is_ipv4());
  EXPECT_EQ(a->port(), 32853);
  EXPECT_THAT(a->address_bytes(), ElementsAre(192, 0, 2, 1));
  EXPECT_EQ(a->IpString(), "192.0.2.1");
  EXPECT_EQ(a->ToString(), "192.0.2.1:32853");
}

TEST(SocketAddressTest, ParsesBracketedIPv6AndPrintsCanonicalForm) {
  auto a = SocketAddress::Parse("[2001:0db8:0:0:0:0:0:1]:5");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->is_ipv6());
  EXPECT_EQ(a->address_bytes().size(), 16u);
  EXPECT_EQ(a->ToString(), "[2001:db8::1]:5");
  EXPECT_EQ(a->IpString(), "2001:db8::1");
}

TEST(SocketAddressTest, ToStringRoundTripsThroughParse) {
  for (const char* text : {"1.2.3.4:5", "255.255.255.255:65535", "[::]:0",
                           "[::ffff:1.2.3.4]:80", "[2001:db8::1]:5"}) {
    auto a = SocketAddress::Parse(text);
    ASSERT_TRUE(a.ok()) << text << ": " << a.status();
    EXPECT_EQ(a->ToString(), text);
    EXPECT_EQ(*SocketAddress::Parse(a->ToString()), *a);
  }
}

TEST(SocketAddressTest, RejectsMalformedTextNamingIt) {
  for (const char* text :
       {"", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3.4:-1", "1.2.3.4:+5",
        "1.2.3.4: 5", "1.2.3:5", "2001:db8::1:5", "[2001:db8::1]",
        "[2001:db8::1]5", "[2001:db8::1:5", "[1.2.3.4]:5", "[fe80::1%eth0]:5",
        "host.example:5", "[]:5"}) {
    auto a = SocketAddress::Parse(text);
    ASSERT_FALSE(a.ok()) << "accepted \"" << text << "\"";
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(a.status().message(), HasSubstr(std::string("\"") + text));
  }
}

TEST(SocketAddressTest, FromIpRejectsEmbeddedNul) {
  EXPECT_FALSE(
      SocketAddress::FromIp(absl::string_view("1.2.3.4\0x", 9), 1).ok());
  EXPECT_TRUE(SocketAddress::FromIp("1.2.3.4", 1).ok());
}

TEST(SocketAddressTest, IPv4SockaddrRoundTrips) {
  const auto a = *SocketAddress::Parse("10.1.2.3:4567");
  socklen_t len = 0;
  const sockaddr_storage storage = a.ToSockaddr(&len);
  ASSERT_EQ(len, sizeof(sockaddr_in));
  const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
  EXPECT_EQ(in->sin_family, AF_INET);
  EXPECT_EQ(ntohs(in->sin_port), 4567);
  EXPECT_EQ(ntohl(in->sin_addr.s_addr), 0x0A010203u);
  EXPECT_EQ(*SocketAddress::FromSockaddr(storage), a);
}

TEST(SocketAddressTest, IPv6SockaddrRoundTrips) {
  const auto a = *SocketAddress::Parse("[2001:db8::42]:443");
  socklen_t len = 0;
  const sockaddr_storage storage = a.ToSockaddr(&len);
  ASSERT_EQ(len, sizeof(sockaddr_in6));
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
  EXPECT_EQ(in6->sin6_family, AF_INET6);
  EXPECT_EQ(ntohs(in6->sin6_port), 443);
  EXPECT_EQ(*SocketAddress::FromSockaddr(storage), a);
}

TEST(SocketAddressTest, FromSockaddrRejectsOtherFamiliesAndShortLengths) {
  sockaddr_storage storage{};
  storage.ss_family = AF_UNIX;
  EXPECT_EQ(SocketAddress::FromSockaddr(storage).status().code(),
            absl::StatusCode::kInvalidArgument);
  const sockaddr_storage v6 = SocketAddress::Parse("[::1]:1")->ToSockaddr();
  EXPECT_FALSE(SocketAddress::FromSockaddr(
                   reinterpret_cast<const sockaddr*>(&v6), sizeof(sockaddr_in))
                   .ok());
  EXPECT_FALSE(SocketAddress::FromSockaddr(nullptr, 0).ok());
}

TEST(SocketAddressTest, OrdersByFamilyThenAddressThenPort) {
  const auto v4a = *SocketAddress::Parse("1.2.3.4:9");
  const auto v4b = *SocketAddress::Parse("1.2.3.5:1");
  const auto v4c = *SocketAddress::Parse("1.2.3.5:2");
  const auto v6 = *SocketAddress::Parse("[::]:0");
  EXPECT_LT(v4a, v4b);
  EXPECT_LT(v4b, v4c);
  EXPECT_LT(v4c, v6);
  EXPECT_FALSE(v6 < v4a);
  EXPECT_NE(v4a, v4b);
  EXPECT_EQ(v4b.WithPort(2), v4c);
  std::set<SocketAddress> ordered = {v6, v4c, v4a, v4b};
  EXPECT_EQ(*ordered.begin(), v4a);
}

TEST(SocketAddressTest, IPv4AndMappedIPv6AreDistinct) {
  const auto v4 = *SocketAddress::Parse("1.2.3.4:5");
  const auto mapped = *SocketAddress::Parse("[::ffff:1.2.3.4]:5");
  EXPECT_NE(v4, mapped);
  absl::flat_hash_set<SocketAddress> set = {v4, mapped, v4};
  EXPECT_EQ(set.size(), 2u);
}

}  // namespace
}  // namespace natscope::net
