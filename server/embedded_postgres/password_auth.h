// Pure helpers for the embedded cluster's password authentication: the
// SCRAM-SHA-256 secret PostgreSQL stores for a password, and pg_hba.conf
// without `trust`.
//
// Internal to //server/embedded_postgres. Thread-safe.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_PASSWORD_AUTH_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_PASSWORD_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::server {

// The secret PostgreSQL keeps in pg_authid.rolpassword for `password`:
// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64
// (RFC 5802, RFC 7677). Giving it to ALTER ROLE ... PASSWORD sets the
// password without the password itself reaching the server or its logs.
// `password` must be printable ASCII, for which SASLprep changes nothing.
std::string ScramSha256Secret(absl::string_view password,
                              absl::string_view salt, int iterations);

// The same with a random 16-byte salt and PostgreSQL's 4096 iterations.
// Internal when OpenSSL's random generator fails.
absl::StatusOr<std::string> NewScramSha256Secret(absl::string_view password);

// True when a record of pg_hba.conf text `conf` uses authentication method
// `trust`.
bool PgHbaTrusts(absl::string_view conf);

// `conf` with method `trust` replaced by `scram-sha-256` in every record;
// comments, blank lines and other records are kept as they are.
std::string PgHbaWithoutTrust(absl::string_view conf);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_PASSWORD_AUTH_H_
