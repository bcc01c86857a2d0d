#include "server/store/citus_test_env.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <pqxx/pqxx>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace natscope::server {
namespace {

constexpr char kCitusLibrary[] = "/usr/lib/postgresql/15/lib/citus.so";

// tools/citus_cluster.sh in the test's runfiles (workspace "natscope").
std::string ClusterScript() {
  const char* srcdir = getenv("TEST_SRCDIR");
  return absl::StrCat(srcdir != nullptr ? srcdir : ".",
                      "/natscope/tools/citus_cluster.sh");
}

// Runs `command` with /bin/sh and returns its exit status; `output` gets
// its stdout and stderr.
int RunShell(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen(absl::StrCat(command, " 2>&1").c_str(), "re");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    output->append(buffer, n);
  return pclose(pipe);
}

std::string Quoted(const std::string& s) { return absl::StrCat("'", s, "'"); }

bool PortFree(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool free =
      bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return free;
}

// A port P with P, P+1 and P+2 free on 127.0.0.1 right now (someone may
// still take one before the cluster does: the caller retries).
int FreePortTriple() {
  static std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> base(20000, 60000);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = base(random);
    if (PortFree(port) && PortFree(port + 1) && PortFree(port + 2)) return port;
  }
  return -1;
}

}  // namespace

void CitusEnvironment::SetUp() {
  script_ = ClusterScript();
  ASSERT_EQ(access(script_.c_str(), X_OK), 0)
      << script_ << " is missing: the test must have //tools:citus_cluster.sh"
      << " as data";
  ASSERT_EQ(access(kCitusLibrary, R_OK), 0)
      << "Citus is not installed (" << kCitusLibrary
      << " missing): run sudo tools/build_citus.sh (tools/setup.sh does)";
  scratch_ = std::make_unique<TestScratchDir>();
  cluster_dir_ = scratch_->path() + "/cluster";
  StartWatchdog();
  std::string output;
  for (int attempt = 0; attempt < 4 && !running(); ++attempt) {
    const int port = FreePortTriple();
    ASSERT_GT(port, 0) << "no three free TCP ports on 127.0.0.1";
    if (TryStart(port, &output)) return;
  }
  ADD_FAILURE() << "the Citus cluster did not start: " << output;
}

bool CitusEnvironment::TryStart(int port, std::string* output) {
  const int status = RunShell(
      absl::StrCat(Quoted(script_), " start ", Quoted(cluster_dir_), " ", port),
      output);
  if (status == 0) {
    std::string uri(absl::StripTrailingAsciiWhitespace(*output));
    const size_t newline = uri.rfind('\n');
    coordinator_uri_ =
        newline == std::string::npos ? uri : uri.substr(newline + 1);
    return true;
  }
  // A port taken meanwhile, most likely: clear the way for the next try.
  StopCluster();
  RemoveRecursively(cluster_dir_);
  return false;
}

// A child in a session of its own that waits for end-of-file on its stdin,
// whose only writer is this process, then stops the cluster and removes the
// scratch directory: when the test binary dies, however it dies, nothing
// is left running. After a normal TearDown it finds nothing to do.
void CitusEnvironment::StartWatchdog() {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  const std::string scratch = scratch_->path();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setsid();
    dup2(fds[0], STDIN_FILENO);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    for (int fd = 3; fd < 1024; ++fd) close(fd);
    execl("/bin/sh", "sh", "-c",
          "cat >/dev/null; \"$0\" stop \"$1\"; rm -rf \"$2\"", script_.c_str(),
          cluster_dir_.c_str(), scratch.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  watchdog_pid_ = pid;
  watchdog_fd_ = fds[1];
}

void CitusEnvironment::StopCluster() {
  std::string output;
  const int status = RunShell(
      absl::StrCat(Quoted(script_), " stop ", Quoted(cluster_dir_)), &output);
  EXPECT_EQ(status, 0) << "citus_cluster.sh stop: " << output;
}

void CitusEnvironment::TearDown() {
  if (::testing::UnitTest::GetInstance()->failed_test_count() > 0) {
    // The statements the nodes refused: what to fix for Citus.
    std::string errors;
    RunShell(
        absl::StrCat("grep -h -A1 -E '(ERROR|FATAL):' ", Quoted(cluster_dir_),
                     "/node*/server.log | tail -n 60"),
        &errors);
    std::cerr << "--- errors in the Citus nodes' logs:\n" << errors;
  }
  if (running()) StopCluster();
  coordinator_uri_.clear();
  scratch_.reset();
  if (watchdog_fd_ >= 0) {
    close(watchdog_fd_);
    watchdog_fd_ = -1;
    waitpid(watchdog_pid_, nullptr, 0);
    watchdog_pid_ = -1;
  }
}

std::string CitusEnvironment::NewSchema() {
  const std::string name = absl::StrCat("t_", ++schemas_);
  pqxx::connection admin(coordinator_uri_);
  pqxx::nontransaction tx(admin);
  tx.exec("CREATE SCHEMA " + name);
  last_conninfo_ = absl::StrCat(coordinator_uri_, "?options=-csearch_path%3D",
                                name, "%20-ccitus.shard_count%3D4");
  return last_conninfo_;
}

CitusEnvironment* CitusTestEnv() {
  static CitusEnvironment* const env = static_cast<CitusEnvironment*>(
      ::testing::AddGlobalTestEnvironment(new CitusEnvironment));
  return env;
}

// Registers the environment before main() runs the tests.
static CitusEnvironment* const registered = CitusTestEnv();

std::unique_ptr<PostgresStore> FreshCitusStore(int pool_size) {
  if (!CitusTestEnv()->running()) {
    ADD_FAILURE() << "the test Citus cluster did not start";
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Connect(CitusTestEnv()->NewSchema(), pool_size);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

}  // namespace natscope::server
