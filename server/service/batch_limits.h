// The bounds natscope-server puts on what agents send (docs/security.md),
// and the window their record times must fall in. Pure functions of the
// request and the time; thread-safe.
#ifndef NATSCOPE_SERVER_SERVICE_BATCH_LIMITS_H_
#define NATSCOPE_SERVER_SERVICE_BATCH_LIMITS_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::server {

// Byte and count limits; the defaults are documented in docs/security.md.
struct FieldLimits {
  size_t raw_line = 64 << 10;  // The agent's own line limit.
  size_t source_file = 4096;   // PATH_MAX.
  size_t component = 256;
  size_t kind = 128;
  size_t fields = 64;  // Entries of LogEvent.fields.
  size_t field_name = 128;
  size_t field_value = 4096;
  size_t hostname = 255;
  size_t version = 64;
  size_t probe_report = 256 << 10;  // A whole ProbeReport, serialized.
  size_t probe_string = 4096;       // Any string inside one.
  size_t probe_list = 1024;         // Any repeated field inside one.
};

// InvalidArgument naming the first field over its bound, e.g.
// "records[12].log.raw_line is 6291456 bytes; the limit is 65536", when
// an identity string is too long.
absl::Status CheckIdentityLimits(const natscope::v1::AgentIdentity& identity,
                                 absl::string_view prefix,
                                 const FieldLimits& limits = {});

// The same for every record of `batch` and its claimed identity.
absl::Status CheckBatchLimits(const natscope::v1::IngestRequest& batch,
                              const FieldLimits& limits = {});

// Which record times natscope-server believes: within
// [received - past, received + future].
struct TimeWindow {
  absl::Duration past = absl::Hours(24 * 30);  // --retention.
  absl::Duration future = absl::Minutes(10);
};

// True when some record of `batch` has a time outside `window` around
// `received` (a cheap scan: most batches need no copy).
bool NeedsTimeClamp(const natscope::v1::IngestRequest& batch,
                    absl::Time received, const TimeWindow& window);

// Dates every record of `batch` whose time is outside `window` around
// `received` as `received` (its raw line keeps what it said) and returns
// how many it re-dated.
int ClampRecordTimes(natscope::v1::IngestRequest* batch, absl::Time received,
                     const TimeWindow& window);

// `text` cut to at most `max_bytes` bytes (at a UTF-8 boundary) with
// "...(N bytes)" appended when cut: for messages quoting user input.
std::string Abbreviate(absl::string_view text, size_t max_bytes = 64);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_BATCH_LIMITS_H_
