// One syslog message, parsed from one frame (syslog_framer.h): RFC 5424
// or RFC 3164 ("BSD syslog", what rsyslog and syslog-ng send in their
// legacy formats).
//
//   auto m = ParseSyslogMessage(frame, clock.Now());
//   if (!m.ok()) { /* malformed RFC 5424: count and drop */ }
//
// RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [SP MSG]`,
// "-" for each absent field; TIMESTAMP is RFC 3339 with optional fractional
// seconds and "Z" or a numeric offset; SD is "-" or one or more
// `[SD-ID PARAM="VALUE" ...]` elements, VALUEs with \" \\ \] escapes
// (§6.3.3: a backslash before any other character stays as it is). A
// frame that starts with a valid PRI followed by "1 " is RFC 5424, and a
// malformed header or SD then fails with InvalidArgument.
//
// RFC 3164: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`, the day padded
// with a space or not, or an RFC 3339 timestamp in place of the BSD one
// (rsyslog's RSYSLOG_ForwardFormat); the HOSTNAME may be missing (the
// token after the timestamp is then the TAG, recognised by its "[" or
// trailing ":"). A BSD timestamp has no year and no zone: it is read in
// `zone` in the year of `now`, or in the year before when that would put
// it more than a day after `now` (December's messages read in January).
// Anything else, including no PRI at all, is still an RFC 3164 message
// with its whole text as MSG and the default PRI (RFC 3164 §4.3.3: a relay
// must accept anything); RFC 3164 parsing never fails.
//
// Structured data in RFC 3164: RFC 3164 has no SD, so a sender that can
// only speak it (e.g. a legacy template) carries natscope's token element
// at the start of MSG: `... myapp: [natscope@32473 token="abc"
// role="client"] the line`. Well-formed SD elements at the very start of
// an RFC 3164 MSG are parsed into structured_data and removed from msg
// with one following space; when they do not parse, MSG is left whole.
//
// In both formats msg loses a leading UTF-8 BOM and trailing CRs and LFs.
// Every field is bounded (kMaxHostnameBytes, ...): an RFC 5424 field over
// its bound fails; an RFC 3164 token over it is not taken for that field.
// Error messages are one line and quote at most ~40 bytes of the input.
// Pure (no I/O, no clock); thread-safe.
#ifndef NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_MESSAGE_H_
#define NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_MESSAGE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natscope::server::intake {

// RFC 5424 §6 bounds, and natscope's own for structured data.
inline constexpr size_t kMaxHostnameBytes = 255;
inline constexpr size_t kMaxAppNameBytes = 48;
inline constexpr size_t kMaxProcIdBytes = 128;
inline constexpr size_t kMaxMsgIdBytes = 32;
inline constexpr size_t kMaxSdNameBytes = 32;  // SD-ID and PARAM-NAME.
inline constexpr size_t kMaxSdElements = 64;
inline constexpr size_t kMaxSdParams = 64;  // Per element.

struct SdElement {
  std::string id;
  // In order, names may repeat; values unescaped.
  std::vector<std::pair<std::string, std::string>> params;
};

struct SyslogMessage {
  enum class Format { kRfc5424, kRfc3164 };
  Format format = Format::kRfc3164;
  // From <PRI>; RFC 3164's defaults (user.notice) when it is absent.
  int facility = 1;
  int severity = 5;
  // The header's timestamp when it parses.
  std::optional<absl::Time> time;
  std::string hostname;  // "" for NILVALUE or absent.
  // RFC 5424 APP-NAME; RFC 3164 TAG without "[PID]" and ":".
  std::string app_name;
  std::string procid;  // RFC 3164: the PID in the TAG's brackets.
  std::string msgid;
  std::vector<SdElement> structured_data;
  std::string msg;
};

// Parses one frame. InvalidArgument only for malformed RFC 5424.
absl::StatusOr<SyslogMessage> ParseSyslogMessage(
    absl::string_view frame, absl::Time now,
    absl::TimeZone zone = absl::UTCTimeZone());

// The first element with `id` and, in it, the first value of `param`;
// nullptr when there is none.
const std::string* FindSdParam(const std::vector<SdElement>& elements,
                               absl::string_view id, absl::string_view param);

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_MESSAGE_H_
