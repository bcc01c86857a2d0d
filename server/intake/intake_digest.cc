#include "server/intake/intake_digest.h"

#include <openssl/sha.h>

#include "absl/strings/str_cat.h"

namespace natscope::server::intake {

std::string IntakeDigest(absl::string_view agent_id, absl::string_view text,
                         bool line_has_own_time,
                         std::optional<absl::Time> message_time,
                         absl::Time received, absl::Duration bucket) {
  std::string when;
  if (line_has_own_time) {
    when = "line";
  } else if (message_time.has_value()) {
    when = absl::StrCat("message ", absl::ToUnixMicros(*message_time));
  } else {
    const int64_t window = absl::ToInt64Microseconds(bucket) > 0
                               ? absl::ToInt64Microseconds(bucket)
                               : 1;
    when = absl::StrCat("arrival ", absl::ToUnixMicros(received) / window);
  }
  // Length-prefixed parts: no two different triples hash the same input.
  const std::string input =
      absl::StrCat(agent_id.size(), ":", agent_id, when.size(), ":", when,
                   text.size(), ":", text);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         digest);
  // 128 bits: a wrong "seen before" needs a collision among the lines
  // stored within --retention (about 1e-15 at a trillion lines), and the
  // shorter key keeps intake_seen's index small.
  return std::string(reinterpret_cast<const char*>(digest), 16);
}

}  // namespace natscope::server::intake
