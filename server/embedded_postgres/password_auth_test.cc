#include "server/embedded_postgres/password_auth.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace natscope::server {
namespace {

// pg_hba.conf as `initdb --auth=trust` writes it (abridged): its comments
// mention trust too.
constexpr char kInitdbTrust[] =
    "# METHOD can be \"trust\", \"reject\", \"md5\", \"password\",\n"
    "# CAUTION: Configuring the system for local \"trust\" authentication\n"
    "\n"
    "# \"local\" is for Unix domain socket connections only\n"
    "local   all             all                                     trust\n"
    "host    all             all             127.0.0.1/32            trust\n"
    "host    all             all             ::1/128                 trust\n"
    "local   replication     all                                     trust\n";

constexpr char kInitdbScram[] =
    "# METHOD can be \"trust\", \"reject\", \"md5\", \"password\",\n"
    "# CAUTION: Configuring the system for local \"trust\" authentication\n"
    "\n"
    "# \"local\" is for Unix domain socket connections only\n"
    "local   all             all                                     "
    "scram-sha-256\n"
    "host    all             all             127.0.0.1/32            "
    "scram-sha-256\n"
    "host    all             all             ::1/128                 "
    "scram-sha-256\n"
    "local   replication     all                                     "
    "scram-sha-256\n";

TEST(PgHbaTest, InitdbsTrustBecomesScramAndCommentsStay) {
  EXPECT_TRUE(PgHbaTrusts(kInitdbTrust));
  EXPECT_EQ(PgHbaWithoutTrust(kInitdbTrust), kInitdbScram);
  EXPECT_FALSE(PgHbaTrusts(kInitdbScram));
  EXPECT_EQ(PgHbaWithoutTrust(kInitdbScram), kInitdbScram);
}

TEST(PgHbaTest, OnlyTheMethodFieldIsReplaced) {
  EXPECT_EQ(PgHbaWithoutTrust("local trust trust trust # trust\n"),
            "local trust trust scram-sha-256 # trust\n");
  EXPECT_EQ(PgHbaWithoutTrust("host all all 127.0.0.1 255.255.255.255 trust"),
            "host all all 127.0.0.1 255.255.255.255 scram-sha-256");
  EXPECT_EQ(PgHbaWithoutTrust("hostssl all all ::1/128\ttrust\r\n"),
            "hostssl all all ::1/128\tscram-sha-256\r\n");
}

TEST(PgHbaTest, NamesThatSayTrustAreNotMethods) {
  for (const char* conf :
       {"local \"trust\" all peer\n", "local all \"a trust b\" md5\n",
        "local trust trust scram-sha-256\n",
        "host all all trust.example.com reject\n", "include trust\n",
        "# local all all trust\n"}) {
    EXPECT_FALSE(PgHbaTrusts(conf)) << conf;
    EXPECT_EQ(PgHbaWithoutTrust(conf), conf);
  }
}

// What PostgreSQL 15 stored for ALTER ROLE probe PASSWORD 'pencil' (read
// back from pg_authid).
TEST(ScramTest, SecretMatchesPostgres) {
  std::string salt;
  ASSERT_TRUE(absl::Base64Unescape("syYXj0mREKP11Dd1O0PEBQ==", &salt));
  EXPECT_EQ(ScramSha256Secret("pencil", salt, 4096),
            "SCRAM-SHA-256$4096:syYXj0mREKP11Dd1O0PEBQ==$"
            "Z9gUSwEoVUFvQ9ta+3ft4n88f8aQmWjNgLCZgAl7Gks=:"
            "V/JmvPKZXPESJ9YiMZWIsOVFeIZS8be0KrLK9KhF8PY=");
}

TEST(ScramTest, NewSecretsAreSaltedAfresh) {
  absl::StatusOr<std::string> a = NewScramSha256Secret("pencil");
  absl::StatusOr<std::string> b = NewScramSha256Secret("pencil");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(absl::StartsWith(*a, "SCRAM-SHA-256$4096:")) << *a;
  EXPECT_FALSE(absl::StrContains(*a, "pencil"));
}

}  // namespace
}  // namespace natscope::server
