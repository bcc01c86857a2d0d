#include "server/store/pg_connection_pool.h"

#include <postgresql/libpq-fe.h>

#include <chrono>
#include <exception>
#include <pqxx/except>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/metrics/metrics.h"

namespace natscope::server {
namespace {

constexpr absl::Duration kAcquireTimeout = absl::Minutes(1);

// The first line of a libpq/libpqxx message, without "ERROR:  ".
std::string FirstLine(absl::string_view message) {
  message = message.substr(0, message.find('\n'));
  absl::ConsumePrefix(&message, "ERROR:");
  return std::string(absl::StripAsciiWhitespace(message));
}

// Counts an Acquire that found every connection busy and waited from
// `since`: `result` is acquired or timeout.
void CountWait(const char* result,
               std::chrono::steady_clock::time_point since) {
  static metrics::CounterFamily& waits = metrics::DefaultRegistry().Counter(
      "natscope_pg_pool_waits_total",
      "Connection requests that found every PostgreSQL connection busy, by "
      "result (acquired, timeout).",
      {"result"});
  static metrics::Histogram& wait_seconds =
      metrics::DefaultRegistry()
          .Histogram("natscope_pg_pool_wait_seconds",
                     "How long those requests waited for a connection.", {})
          .With({});
  const std::chrono::duration<double> waited =
      std::chrono::steady_clock::now() - since;
  waits.With({result}).Increment();
  wait_seconds.Observe(waited.count());
}

// SQLSTATE classes that mean the server went away or refuses sessions.
bool IsConnectionState(absl::string_view sqlstate) {
  return absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" ||
         sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300";
}

}  // namespace

absl::Status StatusFromCurrentException(absl::string_view operation) {
  const auto message = [operation](const std::exception& e) {
    return absl::StrCat(operation, ": ", FirstLine(e.what()));
  };
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    return absl::UnknownError(absl::StrCat(
        message(e), " (connection lost during commit; outcome unknown)"));
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(message(e));
  } catch (const pqxx::serialization_failure& e) {
    return absl::AbortedError(message(e));
  } catch (const pqxx::deadlock_detected& e) {
    return absl::AbortedError(message(e));
  } catch (const pqxx::statement_completion_unknown& e) {
    return absl::UnknownError(message(e));
  } catch (const pqxx::transaction_rollback& e) {
    return absl::AbortedError(message(e));
  } catch (const pqxx::unique_violation& e) {
    return absl::AlreadyExistsError(message(e));
  } catch (const pqxx::sql_error& e) {
    if (IsConnectionState(e.sqlstate())) {
      return absl::UnavailableError(message(e));
    }
    return absl::InternalError(
        absl::StrCat(message(e), " (SQLSTATE ",
                     e.sqlstate().empty() ? "?" : e.sqlstate(), ")"));
  } catch (const std::exception& e) {
    return absl::InternalError(message(e));
  } catch (...) {
    return absl::InternalError(absl::StrCat(operation, ": unknown exception"));
  }
}

std::string RedactConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    if (error != nullptr) PQfreemem(error);
    return "(unparsable connection string)";
  }
  std::string out;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0' ||
        absl::string_view(o->keyword) == "password") {
      continue;
    }
    absl::StrAppend(&out, out.empty() ? "" : " ", o->keyword, "=", o->val);
  }
  PQconninfoFree(options);
  return out;
}

PgConnectionPool::PgConnectionPool(std::string conninfo, int size)
    : conninfo_(std::move(conninfo)),
      redacted_(RedactConninfo(conninfo_)),
      size_(size) {}

absl::StatusOr<std::unique_ptr<PgConnectionPool>> PgConnectionPool::Create(
    const std::string& conninfo, int size) {
  if (size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("connection pool size must be at least 1, not ", size));
  }
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string reason = error != nullptr ? FirstLine(error) : "out of memory";
    if (error != nullptr) PQfreemem(error);
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid PostgreSQL connection string (", reason,
        "): pass a libpq URI such as postgresql://user@host/dbname"));
  }
  PQconninfoFree(options);
  std::unique_ptr<PgConnectionPool> pool(new PgConnectionPool(conninfo, size));
  absl::StatusOr<std::unique_ptr<pqxx::connection>> first = pool->Open();
  if (!first.ok()) return first.status();
  pool->Release(*std::move(first), /*broken=*/false);
  return pool;
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> PgConnectionPool::Open() {
  try {
    return std::make_unique<pqxx::connection>(conninfo_);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat(
        "cannot connect to PostgreSQL at ", redacted_, ": ",
        FirstLine(e.what()),
        ": check that the server is running and --postgres is right"));
  }
}

absl::StatusOr<PgConnectionPool::Lease> PgConnectionPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    const auto available = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < size_;
    };
    const bool waits = !available();
    const auto wait_start = std::chrono::steady_clock::now();
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), kAcquireTimeout)) {
      CountWait("timeout", wait_start);
      return absl::UnavailableError(absl::StrCat(
          "all ", size_, " PostgreSQL connections stayed busy for ",
          absl::FormatDuration(kAcquireTimeout),
          ": the database is overloaded or a query hangs"));
    }
    if (waits) CountWait("acquired", wait_start);
    if (!idle_.empty()) {
      Lease lease{std::move(idle_.back()), true};
      idle_.pop_back();
      return lease;
    }
    ++open_;  // Reserve the slot; connect without holding the lock.
  }
  absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = Open();
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return conn.status();
  }
  return Lease{*std::move(conn), false};
}

void PgConnectionPool::Release(std::unique_ptr<pqxx::connection> conn,
                               bool broken) {
  absl::MutexLock lock(&mu_);
  if (broken || !conn->is_open()) {
    --open_;
    // Idle connections opened before the break are most likely broken too
    // (a server restart cuts them all); replace them lazily.
    open_ -= static_cast<int>(idle_.size());
    idle_.clear();
    return;
  }
  idle_.push_back(std::move(conn));
}

absl::Status PgConnectionPool::Run(
    absl::string_view operation,
    const std::function<absl::Status(pqxx::connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<Lease> lease = Acquire();
    if (!lease.ok()) return lease.status();
    bool broken = false;
    absl::Status status;
    try {
      status = fn(*lease->conn);
    } catch (const pqxx::broken_connection&) {
      broken = true;
      status = StatusFromCurrentException(operation);
    } catch (const pqxx::sql_error& e) {
      // A terminated backend (57P01) arrives as an SQL error.
      broken = IsConnectionState(e.sqlstate());
      status = StatusFromCurrentException(operation);
    } catch (...) {
      status = StatusFromCurrentException(operation);
    }
    broken = broken || !lease->conn->is_open();
    Release(std::move(lease->conn), broken);
    if (!(broken && lease->reused && attempt == 0)) return status;
  }
}

}  // namespace natscope::server
