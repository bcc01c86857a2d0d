#include "server/embedded_postgres/embedded_postgres.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <postgresql/libpq-fe.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "server/embedded_postgres/data_dir.h"
#include "server/embedded_postgres/password_auth.h"
#include "server/embedded_postgres/password_file.h"
#include "server/embedded_postgres/postgres_binaries.h"

namespace natscope::server {
namespace {

constexpr int kPort = 5432;  // Only names the socket file; no TCP.
constexpr absl::Duration kInitdbTimeout = absl::Minutes(5);
constexpr absl::Duration kShutdownTimeout = absl::Minutes(1);

// The last `max_lines` non-empty lines of `text`, joined into one line.
std::string LastLines(absl::string_view text, size_t max_lines) {
  std::vector<absl::string_view> lines =
      absl::StrSplit(text, '\n', absl::SkipWhitespace());
  if (lines.size() > max_lines) {
    lines.erase(lines.begin(), lines.end() - max_lines);
  }
  for (absl::string_view& line : lines) line = absl::StripAsciiWhitespace(line);
  return absl::StrJoin(lines, " | ");
}

// conninfo value quoting: 'a b' -> "'a b'", backslash and quote escaped.
std::string QuoteConninfo(absl::string_view value) {
  if (!value.empty() &&
      value.find_first_of(" '\\\t\n") == absl::string_view::npos) {
    return std::string(value);
  }
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "'";
}

absl::StatusOr<std::unique_ptr<RunAs>> UnprivilegedUserIfRoot() {
  if (geteuid() != 0) return nullptr;
  // natscope: the dedicated system user packages create. The others share
  // the data directory with whatever else runs as them.
  for (const char* name : {"natscope", "postgres", "nobody"}) {
    absl::StatusOr<RunAs> user = LookUpUser(name);
    if (user.ok()) return std::make_unique<RunAs>(*std::move(user));
  }
  return absl::FailedPreconditionError(
      "natscope-server runs as root, which PostgreSQL refuses, and none of "
      "the users natscope, postgres and nobody exists: create the system "
      "user natscope (useradd --system natscope) or run natscope-server as "
      "an unprivileged user");
}

}  // namespace

absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> EmbeddedPostgres::Start(
    const Options& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError(
        "no PostgreSQL data directory given: pass --data_dir");
  }
  std::unique_ptr<EmbeddedPostgres> pg(new EmbeddedPostgres());
  // On error `pg` is destroyed, which stops whatever was started.
  RETURN_IF_ERROR(pg->Initialize(options));
  RETURN_IF_ERROR(pg->Launch(options));
  return pg;
}

absl::Status EmbeddedPostgres::Initialize(const Options& options) {
  // Every check that can fail for a user mistake runs before any process
  // is started.
  data_dir_ = MakeAbsolute(options.data_dir);
  password_file_ = PasswordFilePath(data_dir_);
  ASSIGN_OR_RETURN(bin_dir_, FindPostgresBinDir(options.bin_dir));
  RETURN_IF_ERROR(PrepareDataDir(data_dir_));
  ASSIGN_OR_RETURN(run_as_, UnprivilegedUserIfRoot());
  const bool has_cluster = HasCluster(data_dir_);
  if (!has_cluster) RETURN_IF_ERROR(CheckEmptyForInitdb(data_dir_));
  // A password file open to others stops us before anything starts.
  std::optional<std::string> password;
  absl::StatusOr<std::string> read =
      ReadPasswordFile(password_file_, kSuperuser);
  if (read.ok()) password = *std::move(read);
  if (!read.ok() && !absl::IsNotFound(read.status())) return read.status();
  if (run_as_ != nullptr) RETURN_IF_ERROR(HandOverDataDir(data_dir_, *run_as_));
  RETURN_IF_ERROR(StopLeftoverPostmaster(data_dir_, options.start_timeout));
  RETURN_IF_ERROR(MakeSocketDir());
  return has_cluster ? RequirePassword(password) : RunInitdb();
}

absl::Status EmbeddedPostgres::MakeSocketDir() {
  // Socket paths are limited to 107 bytes; data directories can be longer.
  std::string socket_template = absl::StrCat(kSocketDirPrefix, "XXXXXX");
  if (mkdtemp(socket_template.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot create a socket directory under /tmp (",
                     strerror(errno), "): make /tmp writable"));
  }
  socket_dir_ = socket_template;
  own_socket_dir_ = true;
  if (run_as_ != nullptr &&
      chown(socket_dir_.c_str(), run_as_->uid, run_as_->gid) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot chown ", socket_dir_, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status EmbeddedPostgres::RunInitdb() {
  ASSIGN_OR_RETURN(const std::string password, GeneratePassword());
  SpawnSpec spec;
  // The password reaches initdb through a pipe: no copy of it on disk in
  // a place PostgreSQL's user could read.
  spec.argv = {bin_dir_ + "/initdb",
               "--pgdata=" + data_dir_,
               absl::StrCat("--username=", kSuperuser),
               "--pwfile=/dev/stdin",
               "--auth-local=scram-sha-256",
               "--auth-host=scram-sha-256",
               "--encoding=UTF8",
               "--locale=C",
               "--no-instructions"};
  spec.run_as = run_as_.get();
  ASSIGN_OR_RETURN(CapturedRun run,
                   RunAndCapture(spec, kInitdbTimeout, password + "\n"));
  if (!WIFEXITED(run.wait_status) || WEXITSTATUS(run.wait_status) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "initdb failed for data directory ", data_dir_, " (",
        DescribeWaitStatus(run.wait_status), "): ", LastLines(run.output, 3),
        ": fix the cause or choose another --data_dir"));
  }
  // Written once the cluster knows it: should we die before, the next
  // start finds no password file and sets a new password.
  return WritePasswordFile(password_file_, kSuperuser, password);
}

absl::Status EmbeddedPostgres::RequirePassword(
    const std::optional<std::string>& known) {
  const std::string hba_file = data_dir_ + "/pg_hba.conf";
  std::ifstream in(hba_file);
  std::stringstream hba;
  hba << in.rdbuf();
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", hba_file,
                     ": fix the data directory's permissions or choose another "
                     "--data_dir"));
  }
  const bool trusts = PgHbaTrusts(hba.str());
  if (known.has_value() && !trusts) return absl::OkStatus();
  // No password file (a rotation, a cluster from before passwords, or a
  // crash): a new password. Each step is repeated by the next start if we
  // die before the last: password, its file, then pg_hba.conf.
  std::string password;
  if (known.has_value()) {
    password = *known;
  } else {
    ASSIGN_OR_RETURN(password, GeneratePassword());
  }
  RETURN_IF_ERROR(SetSuperuserPassword(password));
  if (!known.has_value()) {
    RETURN_IF_ERROR(WritePasswordFile(password_file_, kSuperuser, password));
  }
  if (!trusts) return absl::OkStatus();
  return ReplaceClusterFile(hba_file, PgHbaWithoutTrust(hba.str()));
}

absl::Status EmbeddedPostgres::SetSuperuserPassword(
    const std::string& password) {
  // Single-user mode needs no connection, hence no authentication. It gets
  // the SCRAM secret, not the password, so not even a failing statement
  // echoed into its output can reveal the password.
  ASSIGN_OR_RETURN(const std::string secret, NewScramSha256Secret(password));
  SpawnSpec spec;
  spec.argv = {bin_dir_ + "/postgres", "--single", "-D", data_dir_, "-c",
               "exit_on_error=on",     "postgres"};
  spec.run_as = run_as_.get();
  ASSIGN_OR_RETURN(CapturedRun run,
                   RunAndCapture(spec, kInitdbTimeout,
                                 absl::StrCat("ALTER ROLE ", kSuperuser,
                                              " PASSWORD '", secret, "'\n")));
  if (WIFEXITED(run.wait_status) && WEXITSTATUS(run.wait_status) == 0) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot set the password of PostgreSQL superuser ", kSuperuser,
      " in data directory ", data_dir_, " (",
      DescribeWaitStatus(run.wait_status), "): ", LastLines(run.output, 3),
      ": fix the cause or choose another --data_dir"));
}

absl::Status EmbeddedPostgres::Launch(const Options& options) {
  log_file_ = options.log_file.empty() ? data_dir_ + "/postgres.log"
                                       : MakeAbsolute(options.log_file);
  const int log_fd =
      open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot open PostgreSQL log file ", log_file_, " (", strerror(errno),
        "): choose another log file or fix its permissions"));
  }
  SpawnSpec spec;
  spec.argv = {bin_dir_ + "/postgres",
               "-D",
               data_dir_,
               "-c",
               "listen_addresses=",
               "-c",
               "unix_socket_directories=" + socket_dir_,
               "-c",
               absl::StrCat("port=", kPort),
               "-c",
               "password_encryption=scram-sha-256"};
  for (const auto& [name, value] : options.settings) {
    spec.argv.push_back("-c");
    spec.argv.push_back(absl::StrCat(name, "=", value));
  }
  spec.stdout_fd = spec.stderr_fd = log_fd;
  spec.run_as = run_as_.get();
  spec.new_process_group = true;
  absl::StatusOr<pid_t> pid = Spawn(spec);
  close(log_fd);
  if (!pid.ok()) return pid.status();
  pid_ = *pid;
  // SIGINT is PostgreSQL's fast shutdown.
  ASSIGN_OR_RETURN(watchdog_, Watchdog::Start(pid_, SIGINT, socket_dir_));
  RETURN_IF_ERROR(WaitUntilReady(options.start_timeout));
  return CheckPasswordAccepted();
}

absl::Status EmbeddedPostgres::WaitUntilReady(absl::Duration timeout) {
  const std::string conninfo = ConnectionUri();
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<int> exited,
                     WaitForExit(pid_, absl::ZeroDuration()));
    if (exited.has_value()) {
      pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat(
          "PostgreSQL exited during startup (", DescribeWaitStatus(*exited),
          "): ", LogTail(), ": fix the cause (full log in ", log_file_, ")"));
    }
    if (PQping(conninfo.c_str()) == PQPING_OK) return absl::OkStatus();
    if (absl::Now() >= deadline) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "PostgreSQL did not accept connections within ",
      absl::FormatDuration(timeout), ": ", LogTail(), ": see ", log_file_,
      " (a slow disk may need a longer start timeout)"));
}

absl::Status EmbeddedPostgres::CheckPasswordAccepted() {
  // A password file replaced by hand would otherwise only show as the
  // store's failure to connect, without the way out.
  PGconn* conn = PQconnectdb(ConnectionUri().c_str());
  const bool ok = PQstatus(conn) == CONNECTION_OK;
  const std::string error = ok ? "" : LastLines(PQerrorMessage(conn), 2);
  PQfinish(conn);
  if (ok) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "PostgreSQL refuses natscope-server's connection with the password in ",
      password_file_, " (", error,
      "): delete that file and start "
      "natscope-server again to set a new password"));
}

std::string EmbeddedPostgres::LogTail() const {
  std::ifstream log(log_file_, std::ios::binary | std::ios::ate);
  if (!log) return "(no log)";
  const std::streamoff size = log.tellg();
  const std::streamoff start = size > 4096 ? size - 4096 : 0;
  log.seekg(start);
  std::string tail(static_cast<size_t>(size - start), '\0');
  log.read(tail.data(), tail.size());
  return LastLines(tail, 3);
}

std::string EmbeddedPostgres::ConnectionUri(absl::string_view dbname) const {
  return absl::StrCat("host=", QuoteConninfo(socket_dir_), " port=", kPort,
                      " dbname=", QuoteConninfo(dbname), " user=", kSuperuser,
                      " passfile=", QuoteConninfo(password_file_));
}

absl::Status EmbeddedPostgres::Stop() {
  absl::Status status;
  // Disarm first: once we reap PostgreSQL its pid may be reused.
  watchdog_.Disarm();
  if (pid_ > 0) {
    kill(pid_, SIGINT);
    std::optional<int> exited;
    for (const auto& [signal, wait] :
         {std::pair<int, absl::Duration>{SIGQUIT, kShutdownTimeout},
          {SIGKILL, absl::Seconds(10)},
          {0, absl::Seconds(10)}}) {
      absl::StatusOr<std::optional<int>> waited = WaitForExit(pid_, wait);
      if (!waited.ok()) break;  // Not our child any more; nothing to wait.
      exited = *waited;
      if (exited.has_value() || signal == 0) break;
      kill(pid_, signal);
    }
    if (!exited.has_value() || !WIFEXITED(*exited) ||
        WEXITSTATUS(*exited) != 0) {
      status = absl::InternalError(
          absl::StrCat("PostgreSQL did not shut down cleanly (",
                       exited ? DescribeWaitStatus(*exited) : "no exit status",
                       "): it recovers on next start; see ", log_file_));
    }
    pid_ = -1;
  }
  RemoveSocketDir();
  return status;
}

void EmbeddedPostgres::RemoveSocketDir() {
  if (!own_socket_dir_) return;
  // PostgreSQL removes its socket and lock files when it shuts down; after
  // a SIGKILL they remain.
  for (const char* leftover : {"/.s.PGSQL.5432", "/.s.PGSQL.5432.lock"}) {
    unlink((socket_dir_ + leftover).c_str());
  }
  rmdir(socket_dir_.c_str());
  own_socket_dir_ = false;
}

EmbeddedPostgres::~EmbeddedPostgres() { (void)Stop(); }

}  // namespace natscope::server
