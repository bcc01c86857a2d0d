// The digest by which intake recognises a line it stored before: a log
// shipper that lost its connection resends what it had sent, and the
// resent copy must not count twice (FactStore::IngestIntake).
//
// What identifies a line: its host (agent id), its text and its time.
//   - A line with a timestamp of its own (the product writes one on every
//     line) is identified by host and text alone: the text holds its time,
//     and a shipper that re-reads its file after losing its own state
//     sends the same text again, though with a new message time.
//   - Otherwise the message's own time (syslog header, OTLP record time):
//     a shipper's retry carries the same one.
//   - A message with neither is dated by the window of `bucket` its arrival
//     falls in: a retry within the same window is recognised; a line
//     repeated in a later window is a new line.
// Pure; thread-safe.
#ifndef NATSCOPE_SERVER_INTAKE_INTAKE_DIGEST_H_
#define NATSCOPE_SERVER_INTAKE_INTAKE_DIGEST_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natscope::server::intake {

// 16 raw bytes (SHA-256, cut) of the line's identity as above.
std::string IntakeDigest(absl::string_view agent_id, absl::string_view text,
                         bool line_has_own_time,
                         std::optional<absl::Time> message_time,
                         absl::Time received, absl::Duration bucket);

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_INTAKE_DIGEST_H_
