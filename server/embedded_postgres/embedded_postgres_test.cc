#include "server/embedded_postgres/embedded_postgres.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/embedded_postgres/data_dir.h"
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

// True while `pid` is a process that has not exited (zombies count as gone).
bool Running(pid_t pid) {
  std::ifstream stat_file(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(stat_file, line)) return false;
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() &&
         line[close + 2] != 'Z' && line[close + 2] != 'X';
}

bool WaitUntilGone(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (Running(pid)) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return true;
}

void ExpectOneLine(const absl::Status& status) {
  EXPECT_EQ(status.message().find('\n'), absl::string_view::npos)
      << status.message();
}

class EmbeddedPostgresTest : public ::testing::Test {
 protected:
  TestScratchDir scratch_;
  std::string data_dir_ = scratch_.path() +
                          "/a/fairly/long/path/to/show/"
                          "that/socket/paths/do/not/depend/"
                          "on/it/pgdata";
};

TEST_F(EmbeddedPostgresTest, StartsAndAcceptsConnectionsOverItsSocket) {
  absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> pg =
      EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_TRUE(
      absl::StartsWith((*pg)->ConnectionUri(), "host=/tmp/natscope-pg-"))
      << (*pg)->ConnectionUri();
  {
    pqxx::connection conn((*pg)->ConnectionUri());
    pqxx::work tx(conn);
    EXPECT_EQ(tx.exec1("SELECT current_user")[0].as<std::string>(), "natscope");
    EXPECT_EQ(tx.exec1("SHOW listen_addresses")[0].as<std::string>(), "");
    EXPECT_EQ(tx.exec1("SHOW server_encoding")[0].as<std::string>(), "UTF8");
  }
  const pid_t pid = (*pg)->pid();
  const std::string socket_dir = (*pg)->socket_dir();
  EXPECT_TRUE(Running(pid));
  EXPECT_TRUE((*pg)->Stop().ok());
  EXPECT_FALSE(Running(pid));
  EXPECT_NE(access(socket_dir.c_str(), F_OK), 0) << socket_dir;
  EXPECT_TRUE((*pg)->Stop().ok()) << "Stop is idempotent";
}

TEST_F(EmbeddedPostgresTest, RestartOnSameDataDirKeepsData) {
  {
    auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
    ASSERT_TRUE(pg.ok()) << pg.status();
    pqxx::connection conn((*pg)->ConnectionUri());
    pqxx::work tx(conn);
    tx.exec0("CREATE TABLE kept (v text)");
    tx.exec0("INSERT INTO kept VALUES ('still here')");
    tx.commit();
  }  // The destructor stops it.
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_TRUE(pg.ok()) << pg.status();
  pqxx::connection conn((*pg)->ConnectionUri());
  pqxx::work tx(conn);
  EXPECT_EQ(tx.exec1("SELECT v FROM kept")[0].as<std::string>(), "still here");
}

TEST_F(EmbeddedPostgresTest, MissingBinDirIsAOneLineErrorSayingWhatToDo) {
  EmbeddedPostgres::Options options = OptionsFor(data_dir_);
  options.bin_dir = "/nonexistent/postgresql/bin";
  auto pg = EmbeddedPostgres::Start(options);
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(
      pg.status().message(),
      "PostgreSQL binaries not found in /nonexistent/postgresql/bin"))
      << pg.status();
  EXPECT_TRUE(absl::StrContains(pg.status().message(), "--postgres=URI"));
  ExpectOneLine(pg.status());
}

TEST_F(EmbeddedPostgresTest, UnwritableDataDirIsAOneLineErrorSayingWhatToDo) {
  // Below a regular file nothing can be created, not even by root.
  const std::string file = scratch_.path() + "/plain-file";
  std::ofstream(file) << "x";
  auto pg = EmbeddedPostgres::Start(OptionsFor(file + "/pgdata"));
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(
      pg.status().message(),
      absl::StrCat("data directory ", file,
                   "/pgdata is not writable by natscope-server")))
      << pg.status();
  EXPECT_TRUE(absl::StrContains(pg.status().message(), "--data_dir"));
  ExpectOneLine(pg.status());
}

TEST_F(EmbeddedPostgresTest, DataDirOutOfReachOfThePostgresUserIsReported) {
  if (geteuid() != 0) GTEST_SKIP() << "only root hands the cluster over";
  const std::string private_dir = scratch_.path() + "/private";
  ASSERT_EQ(mkdir(private_dir.c_str(), 0700), 0);
  auto pg = EmbeddedPostgres::Start(OptionsFor(private_dir + "/pgdata"));
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(pg.status().message(), "is not reachable by"))
      << pg.status();
  ExpectOneLine(pg.status());
}

TEST_F(EmbeddedPostgresTest, NonEmptyDirWithoutClusterIsRefused) {
  ASSERT_TRUE(PrepareDataDir(data_dir_).ok());
  std::ofstream(data_dir_ + "/precious.txt") << "not a database";
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_FALSE(pg.ok());
  EXPECT_TRUE(absl::StrContains(pg.status().message(), "is not empty"))
      << pg.status();
  ExpectOneLine(pg.status());
}

TEST_F(EmbeddedPostgresTest, KillingTheOwnerWithSigkillStopsPostgres) {
  struct Started {
    pid_t pid = -1;
    char socket_dir[108] = {};
  };
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t owner = fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
    Started started;
    if (pg.ok()) {
      started.pid = (*pg)->pid();
      (*pg)->socket_dir().copy(started.socket_dir,
                               sizeof(started.socket_dir) - 1);
    }
    if (write(pipe_fds[1], &started, sizeof(started)) != sizeof(started)) {
      _exit(1);
    }
    while (true) pause();
  }
  Started started;
  ASSERT_EQ(read(pipe_fds[0], &started, sizeof(started)),
            static_cast<ssize_t>(sizeof(started)));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  ASSERT_GT(started.pid, 0);
  ASSERT_TRUE(Running(started.pid));
  kill(owner, SIGKILL);
  int status;
  waitpid(owner, &status, 0);
  EXPECT_TRUE(WaitUntilGone(started.pid, absl::Seconds(30)));
  // The watchdog also removes the socket directory.
  for (int i = 0; i < 100 && access(started.socket_dir, F_OK) == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_NE(access(started.socket_dir, F_OK), 0) << started.socket_dir;
  // The data directory is usable again at once.
  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  EXPECT_TRUE(pg.ok()) << pg.status();
}

// Starts postgres on `data_dir` the way a crashed natscope-server would
// have left it, with its socket in `socket_dir`.
absl::StatusOr<pid_t> StartBarePostgres(const std::string& data_dir,
                                        const std::string& socket_dir) {
  absl::StatusOr<std::string> bin_dir = FindPostgresBinDir("");
  if (!bin_dir.ok()) return bin_dir.status();
  static RunAs user;
  SpawnSpec spec;
  if (geteuid() == 0) {
    absl::StatusOr<RunAs> found = LookUpUser("natscope");
    if (!found.ok()) found = LookUpUser("postgres");
    if (!found.ok()) found = LookUpUser("nobody");
    if (!found.ok()) return found.status();
    user = *found;
    spec.run_as = &user;
    if (chown(socket_dir.c_str(), user.uid, user.gid) != 0) {
      return absl::InternalError("chown");
    }
  }
  spec.argv = {*bin_dir + "/postgres",
               "-D",
               data_dir,
               "-c",
               "listen_addresses=",
               "-c",
               "unix_socket_directories=" + socket_dir};
  absl::StatusOr<pid_t> pid = Spawn(spec);
  if (!pid.ok()) return pid;
  // Ready once postmaster.pid's eighth line says so.
  for (int i = 0; i < 600; ++i) {
    std::ifstream pid_file(data_dir + "/postmaster.pid");
    std::string line;
    for (int n = 0; n < 8 && std::getline(pid_file, line); ++n) {
    }
    if (absl::StartsWith(line, "ready")) return pid;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("bare postgres did not start");
}

TEST_F(EmbeddedPostgresTest, PostgresLeftByAnEarlierServerIsStopped) {
  ASSERT_TRUE(EmbeddedPostgres::Start(OptionsFor(data_dir_)).ok());
  std::string socket_dir = absl::StrCat(kSocketDirPrefix, "XXXXXX");
  ASSERT_NE(mkdtemp(socket_dir.data()), nullptr);
  absl::StatusOr<pid_t> orphan = StartBarePostgres(data_dir_, socket_dir);
  ASSERT_TRUE(orphan.ok()) << orphan.status();

  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  EXPECT_TRUE(pg.ok()) << pg.status();
  absl::StatusOr<std::optional<int>> exited =
      WaitForExit(*orphan, absl::Seconds(1));
  ASSERT_TRUE(exited.ok());
  EXPECT_TRUE(exited->has_value()) << "the orphan is still running";
  rmdir(socket_dir.c_str());
}

TEST_F(EmbeddedPostgresTest, PostgresStartedByOthersIsReportedNotStopped) {
  ASSERT_TRUE(EmbeddedPostgres::Start(OptionsFor(data_dir_)).ok());
  std::string socket_dir = scratch_.path() + "/others-socket";
  ASSERT_EQ(mkdir(socket_dir.c_str(), 0700), 0);
  absl::StatusOr<pid_t> other = StartBarePostgres(data_dir_, socket_dir);
  ASSERT_TRUE(other.ok()) << other.status();

  auto pg = EmbeddedPostgres::Start(OptionsFor(data_dir_));
  ASSERT_FALSE(pg.ok());
  EXPECT_TRUE(absl::StrContains(pg.status().message(),
                                "not started by natscope-server is running"))
      << pg.status();
  ExpectOneLine(pg.status());
  EXPECT_TRUE(Running(*other));
  kill(*other, SIGINT);
  absl::StatusOr<std::optional<int>> exited =
      WaitForExit(*other, absl::Seconds(30));
  ASSERT_TRUE(exited.ok());
  EXPECT_TRUE(exited->has_value());
}

}  // namespace
}  // namespace natscope::server
