// Agent credentials: random secrets handed out once at enrolment; the
// server keeps only their SHA-256, so a database leak reveals none.
#ifndef NATSCOPE_SERVER_AUTH_CREDENTIALS_H_
#define NATSCOPE_SERVER_AUTH_CREDENTIALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::server {

// A new credential: 32 random bytes from OpenSSL's CSPRNG, hex-encoded.
// Internal when the random source fails.
absl::StatusOr<std::string> NewCredential();

// Lower-case hex SHA-256 of `credential`.
std::string HashCredential(absl::string_view credential);

// Extracts the secret from an "authorization" header value
// "Bearer <secret>". Unauthenticated when absent or malformed.
absl::StatusOr<std::string> BearerToken(absl::string_view header);

// True when `a` and `b` are equal, in time independent of where they differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_AUTH_CREDENTIALS_H_
