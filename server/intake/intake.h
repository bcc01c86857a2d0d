// Intake: log lines that fleets' own log shippers send to natscope-server
// (syslog over TCP/TLS, OTLP/HTTP), for the hosts natscope-agent does not
// run on (Windows and macOS laptops). The listeners (server/intake/syslog,
// server/intake/otlp) decode what arrives into IntakeMessages and hand them
// to an IntakeSink (intake_core.h), which checks each message's intake
// token, makes its host a log-only agent of the token's site, parses the
// line with the agent's own rules and stores what matched, once.
#ifndef NATSCOPE_SERVER_INTAKE_INTAKE_H_
#define NATSCOPE_SERVER_INTAKE_INTAKE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace natscope::server::intake {

// The structured-data element that carries a syslog message's intake
// token: [natscope@32473 token="..." role="client"]. 32473 is the
// private enterprise number RFC 5612 reserves for documentation; natscope
// has none of its own.
inline constexpr char kSyslogSdId[] = "natscope@32473";

// One log message as a listener decoded it. Every field is untrusted.
struct IntakeMessage {
  // The intake token presented with it (syslog: the SD element's `token`;
  // OTLP: the request's bearer token).
  std::string token;
  // The sending host (syslog HOSTNAME; OTLP host.name, else host.id).
  std::string hostname;
  // "client", "connector" or "" (then the token's default role).
  std::string role;
  // The log line itself (syslog MSG, OTLP body), without its newline.
  std::string text;
  // The message's own timestamp, when it has one.
  std::optional<absl::Time> time;
  // Where it came from, stored as the event's source_file: "syslog:APP",
  // "otlp:PATH" or "otlp".
  std::string source;
};

struct SubmitResult {
  // Messages that matched a rule and were stored now.
  int64_t stored = 0;
  // Messages that matched a rule and had been stored before (a shipper's
  // retry): not stored again.
  int64_t duplicates = 0;
  // Messages accepted that no rule matched: nothing to store.
  int64_t unmatched = 0;
  // Messages refused, as (index into the submission, reason); the reason
  // is one line fit for the sender (OTLP partial success error_message).
  std::vector<std::pair<size_t, std::string>> rejected;
};

class IntakeSink {
 public:
  virtual ~IntakeSink() = default;

  // Stores `messages`, received at `received`, and returns only once what
  // it stored is committed. Per-message refusals (bad or revoked token,
  // a host that belongs to another site, a field over its bound) are in
  // the result. An error means the submission must be sent again as a
  // whole (what was committed before the error is recognised as a
  // duplicate then): Unavailable (the database is down or lagging; retry
  // after a delay) or ResourceExhausted (over the intake rate); both may
  // carry a retry-after payload (common/retry_after.h).
  virtual absl::StatusOr<SubmitResult> Submit(
      std::vector<IntakeMessage> messages, absl::Time received) = 0;
};

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_INTAKE_H_
