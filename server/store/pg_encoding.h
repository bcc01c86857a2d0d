// Conversions between natscope values and what PostgreSQL stores.
// Pure functions, thread-safe. Internal to //server/store.
#ifndef NATSCOPE_SERVER_STORE_PG_ENCODING_H_
#define NATSCOPE_SERVER_STORE_PG_ENCODING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/map.h"
#include "google/protobuf/timestamp.pb.h"

namespace natscope::server {

// `text` as a UTF8 database accepts it: NUL bytes and invalid UTF-8
// sequences become U+FFFD. A log line must never make a batch unstorable
// (the agent would retry it forever).
std::string SanitizeText(absl::string_view text);

// A JSON object of `fields`, keys sorted, strings sanitized.
std::string JsonObject(
    const google::protobuf::Map<std::string, std::string>& fields);

// A timestamptz literal, e.g. "2024-05-01 12:00:00.123456+00": microsecond
// precision (truncated), clamped to the years 0001..9999.
std::string TimestampText(absl::Time time);

// SQL expression giving the microseconds since the Unix epoch of the
// timestamptz expression `column`, read back with absl::FromUnixMicros.
std::string UnixMicrosSql(absl::string_view column);

// The time a proto Timestamp names; `fallback` when it is unset.
absl::Time TimeFromProto(const google::protobuf::Timestamp& timestamp,
                         bool has_timestamp, absl::Time fallback);

void MicrosToProto(int64_t unix_micros, google::protobuf::Timestamp* out);

// The start of `t`'s UTC hour and UTC day: the trend's buckets and the
// event tables' partitions, in both stores.
absl::Time StartOfUtcHour(absl::Time t);
absl::Time StartOfUtcDay(absl::Time t);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_ENCODING_H_
