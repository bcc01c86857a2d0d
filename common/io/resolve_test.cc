// Resolve and ResolveAll on literals and on "localhost" (from /etc/hosts:
// no DNS query leaves the host).
#include <string>

#include "common/io/udp_socket.h"
#include "gtest/gtest.h"

namespace natscope::io {
namespace {

TEST(ResolveTest, LiteralsResolveToThemselves) {
  auto four = ResolveAll("192.0.2.1:3478");
  ASSERT_TRUE(four.ok()) << four.status();
  ASSERT_EQ(four->size(), 1u);
  EXPECT_EQ((*four)[0].ToString(), "192.0.2.1:3478");
  auto six = Resolve("[2001:db8::1]:3478");
  ASSERT_TRUE(six.ok()) << six.status();
  EXPECT_EQ(six->ToString(), "[2001:db8::1]:3478");
}

TEST(ResolveTest, ANameGivesEveryAddressOnceAndResolvePrefersIpv4) {
  auto all = ResolveAll("localhost:3478");
  ASSERT_TRUE(all.ok()) << all.status();
  bool loopback4 = false;
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].port(), 3478);
    for (size_t j = i + 1; j < all->size(); ++j) EXPECT_NE((*all)[i], (*all)[j]);
    loopback4 |= (*all)[i].ToString() == "127.0.0.1:3478";
  }
  EXPECT_TRUE(loopback4);
  auto one = Resolve("localhost:3478");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->ToString(), "127.0.0.1:3478");
}

TEST(ResolveTest, BadSyntaxIsRefusedWithAnExample) {
  auto bad = ResolveAll("localhost");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("e.g. stun.example.net:3478"),
            std::string::npos);
}

}  // namespace
}  // namespace natscope::io
