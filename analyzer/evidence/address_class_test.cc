#include "analyzer/evidence/address_class.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope::analyzer {
namespace {

struct Case {
  std::string text;
  std::string want;
};

TEST(AddressClassTest, ClassifiesEverySpecialRange) {
  const Case cases[] = {
      {"8.8.8.8", "public"},
      {"3.120.0.1", "public"},
      {"10.0.0.1", "private"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"172.32.0.1", "public"},
      {"192.168.1.1", "private"},
      {"100.64.0.1", "cgnat"},
      {"100.127.255.255", "cgnat"},
      {"100.128.0.1", "public"},
      {"100.63.255.255", "public"},
      {"127.0.0.1", "loopback"},
      {"169.254.1.1", "link-local"},
      {"192.0.2.7", "documentation"},
      {"198.51.100.1", "documentation"},
      {"203.0.113.200", "documentation"},
      {"192.0.0.8", "other"},
      {"198.18.0.1", "other"},
      {"198.19.255.1", "other"},
      {"0.0.0.0", "other"},
      {"224.0.0.1", "other"},
      {"240.0.0.1", "other"},
      {"255.255.255.255", "other"},
      {"2600:1f18::1", "public"},
      {"2001:db8::1", "documentation"},
      {"3fff::1", "documentation"},
      {"fd00::1", "private"},
      {"fc00::1", "private"},
      {"fe80::1", "link-local"},
      {"::1", "loopback"},
      {"::", "other"},
      {"ff02::1", "other"},
      {"::ffff:100.64.1.1", "cgnat"},
      {"::ffff:8.8.8.8", "public"},
      {"192.168.1.1:5351", "private"},
      {"[2001:db8::1]:3478", "documentation"},
  };
  for (const Case& c : cases) {
    auto got = ClassifyAddress(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(AddressClassName(*got), c.want) << c.text;
  }
}

TEST(AddressClassTest, RejectsTextThatIsNoAddressAndSaysWhatItExpected) {
  for (const char* bad : {"", "foo", "1.2.3", "[::1]", "1.2.3.4:99999"}) {
    auto got = ClassifyAddress(absl::string_view(bad));
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(got.status().message().find("IP:PORT"), std::string::npos);
  }
}

TEST(AddressClassTest, ClassifiesSocketAddressIgnoringPort) {
  EXPECT_EQ(ClassifyAddress(net::SocketAddress::IPv4({100, 64, 0, 1}, 3478)),
            AddressClass::kCgnat);
}

}  // namespace
}  // namespace natscope::analyzer
