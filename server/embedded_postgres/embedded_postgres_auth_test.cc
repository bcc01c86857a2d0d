// The embedded cluster trusts nobody: every connection needs the
// superuser's password, which lives in a private file beside the data
// directory. Runs real initdb and postgres.
#include <postgresql/libpq-fe.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "server/embedded_postgres/data_dir.h"
#include "server/embedded_postgres/embedded_postgres.h"
#include "server/embedded_postgres/postgres_binaries.h"
#include "server/embedded_postgres/subprocess.h"
#include "server/embedded_postgres/test_scratch_dir.h"

namespace natscope::server {
namespace {

EmbeddedPostgres::Options OptionsFor(const std::string& data_dir) {
  EmbeddedPostgres::Options options;
  options.data_dir = data_dir;
  options.settings = {{"fsync", "off"}};
  return options;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The error of a connection attempt with `conninfo`; empty when it worked.
std::string ConnectError(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  std::string error =
      PQstatus(conn) == CONNECTION_OK ? "" : PQerrorMessage(conn);
  if (PQstatus(conn) != CONNECTION_OK && error.empty()) error = "failed";
  PQfinish(conn);
  return error;
}

// The superuser's conninfo without any password: no password file, and
// none in the environment (the fixture clears PGPASSWORD).
std::string WithoutPassword(const EmbeddedPostgres& pg) {
  return absl::StrCat("host=", pg.socket_dir(),
                      " port=5432 dbname=postgres user=natscope "
                      "passfile=/nonexistent/natscope-test-passfile");
}

// The non-comment lines of pg_hba.conf that use method trust.
std::string TrustLines(const std::string& data_dir) {
  std::string found;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(data_dir + "/pg_hba.conf"), '\n')) {
    line = line.substr(0, line.find('#'));
    for (absl::string_view field :
         absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
      if (field == "trust") absl::StrAppend(&found, line, "\n");
    }
  }
  return found;
}

// The account PostgreSQL runs as when we are root, as EmbeddedPostgres
// chooses it.
absl::StatusOr<RunAs> PostgresUser() {
  absl::StatusOr<RunAs> user = LookUpUser("natscope");
  if (!user.ok()) user = LookUpUser("postgres");
  if (!user.ok()) user = LookUpUser("nobody");
  return user;
}

// Initialises `data_dir` the way natscope-server did before it used
// passwords: initdb --auth=trust.
absl::Status InitdbWithTrust(const std::string& data_dir) {
  absl::StatusOr<std::string> bin_dir = FindPostgresBinDir("");
  if (!bin_dir.ok()) return bin_dir.status();
  if (absl::Status s = PrepareDataDir(data_dir); !s.ok()) return s;
  static RunAs user;
  SpawnSpec spec;
  if (geteuid() == 0) {
    absl::StatusOr<RunAs> found = PostgresUser();
    if (!found.ok()) return found.status();
    user = *found;
    if (absl::Status s = HandOverDataDir(data_dir, user); !s.ok()) return s;
    spec.run_as = &user;
  }
  spec.argv = {*bin_dir + "/initdb",  "--pgdata=" + data_dir,
               "--username=natscope", "--auth=trust",
               "--encoding=UTF8",     "--locale=C",
               "--no-instructions"};
  absl::StatusOr<CapturedRun> run = RunAndCapture(spec, absl::Minutes(5));
  if (!run.ok()) return run.status();
  if (run->wait_status != 0) return absl::InternalError(run->output);
  return absl::OkStatus();
}

class EmbeddedPostgresAuthTest : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("PGPASSWORD"); }

  TestScratchDir scratch_;
  std::string data_dir_ = scratch_.path() + "/natscope/postgres";
  // Where the header promises the password file.
  std::string password_file_ = data_dir_ + ".password";
};

TEST_F(EmbeddedPostgresAuthTest,
       FreshClusterRefusesConnectionsWithoutPassword) {
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  const std::string refused = ConnectError(WithoutPassword(**pg));
  EXPECT_TRUE(absl::StrContains(refused, "password")) << "got: " << refused;
  EXPECT_EQ(ConnectError((*pg)->ConnectionUri()), "");
}

TEST_F(EmbeddedPostgresAuthTest, FreshClusterRefusesAWrongPassword) {
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  const std::string refused =
      ConnectError(WithoutPassword(**pg) + " password=guessed");
  EXPECT_TRUE(absl::StrContains(refused, "password authentication failed"))
      << "got: " << refused;
}

TEST_F(EmbeddedPostgresAuthTest, PgHbaHasNoTrust) {
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_EQ(TrustLines(data_dir_), "");
  EXPECT_TRUE(
      absl::StrContains(ReadFile(data_dir_ + "/pg_hba.conf"), "scram-sha-256"));
}

TEST_F(EmbeddedPostgresAuthTest, PasswordFileIsPrivateAndKeptOutOfTheUri) {
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  struct stat st;
  ASSERT_EQ(stat(password_file_.c_str(), &st), 0) << password_file_;
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, geteuid());
  // A libpq password file: *:*:*:natscope:PASSWORD.
  std::string password;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(password_file_), '\n')) {
    if (absl::ConsumePrefix(&line, "*:*:*:natscope:"))
      password = std::string(line);
  }
  EXPECT_GE(password.size(), 32u) << ReadFile(password_file_);
  EXPECT_FALSE(absl::StrContains((*pg)->ConnectionUri(), password));
  if (geteuid() == 0) {
    absl::StatusOr<RunAs> user = PostgresUser();
    ASSERT_TRUE(user.ok());
    EXPECT_NE(AccessAs(*user, password_file_, R_OK), 0)
        << "user " << user->name << " can read " << password_file_;
  }
}

TEST_F(EmbeddedPostgresAuthTest, TrustClusterFromAnEarlierVersionIsUpgraded) {
  ASSERT_TRUE(InitdbWithTrust(data_dir_).ok());
  ASSERT_NE(TrustLines(data_dir_), "");
  for (int start = 0; start < 2; ++start) {  // Upgraded, then as usual.
    auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
    ASSERT_TRUE(pg.ok()) << pg.status();
    EXPECT_EQ(TrustLines(data_dir_), "");
    struct stat st;
    ASSERT_EQ(stat(password_file_.c_str(), &st), 0) << password_file_;
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    const std::string refused = ConnectError(WithoutPassword(**pg));
    EXPECT_TRUE(absl::StrContains(refused, "password")) << "got: " << refused;
    EXPECT_EQ(ConnectError((*pg)->ConnectionUri()), "");
  }
}

TEST_F(EmbeddedPostgresAuthTest, UpgradeInterruptedBeforePgHbaIsFinished) {
  // A crash after the password and its file, before pg_hba.conf.
  ASSERT_TRUE(InitdbWithTrust(data_dir_).ok());
  { std::ofstream(password_file_) << "*:*:*:natscope:chosen-earlier\n"; }
  ASSERT_EQ(chmod(password_file_.c_str(), 0600), 0);
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_EQ(TrustLines(data_dir_), "");
  EXPECT_EQ(ConnectError(WithoutPassword(**pg) + " password=chosen-earlier"),
            "");
}

TEST_F(EmbeddedPostgresAuthTest, GroupReadablePasswordFileIsRefused) {
  ASSERT_TRUE(EmbeddedPostgres::Start(OptionsFor(data_dir_)).ok());
  ASSERT_EQ(chmod(password_file_.c_str(), 0640), 0);
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(pg.status().message(), "chmod 600 " + password_file_))
      << pg.status();
  EXPECT_EQ(pg.status().message().find('\n'), absl::string_view::npos);
}

TEST_F(EmbeddedPostgresAuthTest, DeletingThePasswordFileRotatesThePassword) {
  ASSERT_TRUE(EmbeddedPostgres::Start(OptionsFor(data_dir_)).ok());
  const std::string old_file = ReadFile(password_file_);
  ASSERT_NE(old_file, "");
  ASSERT_EQ(unlink(password_file_.c_str()), 0);
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_NE(ReadFile(password_file_), old_file);
  EXPECT_EQ(ConnectError((*pg)->ConnectionUri()), "");
  // The old password no longer works.
  const std::string old_passfile = scratch_.path() + "/old.password";
  { std::ofstream(old_passfile) << old_file; }
  chmod(old_passfile.c_str(), 0600);
  EXPECT_NE(ConnectError(absl::StrCat("host=", (*pg)->socket_dir(),
                                      " port=5432 dbname=postgres "
                                      "user=natscope passfile=",
                                      old_passfile)),
            "");
}

TEST_F(EmbeddedPostgresAuthTest, PasswordFileTheClusterRefusesIsReported) {
  ASSERT_TRUE(EmbeddedPostgres::Start(OptionsFor(data_dir_)).ok());
  {
    std::ofstream(password_file_, std::ios::trunc)
        << "*:*:*:natscope:not-the-password\n";
  }
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(pg.status().message(),
                                "password authentication failed"))
      << pg.status();
  EXPECT_TRUE(absl::StrContains(pg.status().message(),
                                "delete that file and start natscope-server "
                                "again"))
      << pg.status();
  EXPECT_EQ(pg.status().message().find('\n'), absl::string_view::npos);
}

}  // namespace
}  // namespace natscope::server
