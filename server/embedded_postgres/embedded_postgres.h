// A private PostgreSQL cluster owned by this process: natscope-server's
// default database when no --postgres URI is given.
//
// EmbeddedPostgres initialises a cluster in a data directory on first use
// (initdb), starts `postgres` listening on a Unix socket only (in a fresh
// short directory under /tmp), and stops it again on Stop() or destruction.
// If this process dies without stopping it (even by kill -9), a watchdog
// child process shuts PostgreSQL down, so no orphan keeps the data directory
// locked. A PostgreSQL left running by an earlier natscope-server that could
// not clean up is stopped before starting; one started by anything else is
// reported.
//
// The cluster trusts nobody: every connection, also over the Unix socket
// and also from root or PostgreSQL's own OS user, must give the superuser's
// password (SCRAM-SHA-256; pg_hba.conf has no `trust`). The password is
// random, made on first start and kept in "<data_dir>.password" (see
// password_file.h), mode 0600 and owned by this process's user; a file
// open to group or others stops Start. ConnectionUri() names that file
// (libpq `passfile=`), never the password. Deleting the file and starting
// again sets a new password (rotation). A cluster made with `trust` by an
// earlier natscope-server is upgraded on start: the password is set in
// single-user mode, then pg_hba.conf's `trust` becomes `scram-sha-256`.
//
// PostgreSQL refuses to run as root. When this process is root, initdb and
// postgres run as the first existing user of "natscope" (the dedicated
// system user packages create), "postgres" and "nobody", and the data and
// socket directories are given to that user. It cannot read the password
// file; it can read the data directory, which no password protects.
//
// Thread safety: Start and Stop must not race with each other or with the
// destructor; the const accessors may be called from any thread.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_EMBEDDED_POSTGRES_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_EMBEDDED_POSTGRES_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/embedded_postgres/subprocess.h"

namespace natscope::server {

class EmbeddedPostgres {
 public:
  // The cluster's superuser, the user ConnectionUri() connects as.
  static constexpr char kSuperuser[] = "natscope";

  struct Options {
    // The cluster's data directory (PGDATA). Required. Created when missing
    // and initialised when it holds no cluster yet (it must then be empty).
    std::string data_dir;
    // Directory of initdb and postgres. Empty: `pg_config --bindir`, else the
    // highest /usr/lib/postgresql/*/bin, else PATH.
    std::string bin_dir;
    // PostgreSQL's server log (appended to). Empty: <data_dir>/postgres.log.
    std::string log_file;
    // How long to wait for PostgreSQL to accept connections.
    absl::Duration start_timeout = absl::Seconds(30);
    // Extra server settings, passed as `-c name=value` (e.g. fsync=off for
    // tests).
    std::vector<std::pair<std::string, std::string>> settings;
  };

  // Initialises (first time) and starts the cluster; returns once it
  // accepts connections. Every error is one line that says what to do:
  //   InvalidArgument     no data_dir;
  //   FailedPrecondition  binaries not found, data directory not writable or
  //                       not reachable by the unprivileged user, not empty
  //                       without a cluster, or in use by another
  //                       PostgreSQL; password file not private, not
  //                       writable or refused by the cluster; initdb or
  //                       setting the password failed; postgres exited
  //                       early;
  //   DeadlineExceeded    not accepting connections within start_timeout;
  //   Internal            fork, pipe or mkdtemp failed.
  // Nothing is left running after an error.
  static absl::StatusOr<std::unique_ptr<EmbeddedPostgres>> Start(
      const Options& options);

  EmbeddedPostgres(const EmbeddedPostgres&) = delete;
  EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

  // Calls Stop().
  ~EmbeddedPostgres();

  // A libpq conninfo string for database `dbname` that names the password
  // file but does not hold the password, so it may be logged, e.g.
  // "host=/tmp/natscope-pg-Ab12Cd port=5432 dbname=postgres user=natscope
  // passfile=/var/lib/natscope/postgres.password".
  std::string ConnectionUri(absl::string_view dbname = "postgres") const;

  // Fast shutdown (SIGINT: open sessions are cut, transactions rolled
  // back), waits for PostgreSQL to exit and removes the socket directory.
  // Escalates to SIGQUIT and SIGKILL when it hangs. Idempotent. Internal
  // when PostgreSQL did not exit cleanly.
  absl::Status Stop();

  // The postmaster's process id; -1 once stopped.
  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& socket_dir() const { return socket_dir_; }
  const std::string& log_file() const { return log_file_; }
  const std::string& password_file() const { return password_file_; }

 private:
  EmbeddedPostgres() = default;

  absl::Status Initialize(const Options& options);
  absl::Status MakeSocketDir();
  absl::Status RunInitdb();
  absl::Status RequirePassword(const std::optional<std::string>& known);
  absl::Status SetSuperuserPassword(const std::string& password);
  absl::Status Launch(const Options& options);
  absl::Status WaitUntilReady(absl::Duration timeout);
  absl::Status CheckPasswordAccepted();
  std::string LogTail() const;
  void RemoveSocketDir();

  std::string bin_dir_;
  std::string data_dir_;
  std::string socket_dir_;
  bool own_socket_dir_ = false;  // Created by us and not yet removed.
  std::string log_file_;
  std::string password_file_;
  std::unique_ptr<RunAs> run_as_;  // Set when we are root.
  pid_t pid_ = -1;
  Watchdog watchdog_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_EMBEDDED_POSTGRES_H_
