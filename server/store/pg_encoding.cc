#include "server/store/pg_encoding.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_string.h"
#include "common/utf8.h"

namespace natscope::server {
namespace {

void AppendSanitizedJsonString(absl::string_view text, std::string* out) {
  AppendJsonString(SanitizeText(text), out);
}

}  // namespace

std::string SanitizeText(absl::string_view text) { return SanitizeUtf8(text); }

std::string JsonObject(
    const google::protobuf::Map<std::string, std::string>& fields) {
  const std::map<std::string, std::string> sorted(fields.begin(), fields.end());
  std::string out = "{";
  for (const auto& [key, value] : sorted) {
    if (out.size() > 1) out.append(", ");
    AppendSanitizedJsonString(key, &out);
    out.append(": ");
    AppendSanitizedJsonString(value, &out);
  }
  out.push_back('}');
  return out;
}

std::string TimestampText(absl::Time time) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time earliest =
      absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0), utc);
  const absl::Time latest =
      absl::FromCivil(absl::CivilSecond(9999, 12, 31, 23, 59, 59), utc);
  time = std::clamp(time, earliest, latest);
  return absl::FormatTime("%E4Y-%m-%d %H:%M:%E6S+00", time, utc);
}

std::string UnixMicrosSql(absl::string_view column) {
  // EXTRACT returns numeric (exact) since PostgreSQL 14. Taken from the
  // UTC wall time: EXTRACT of a timestamptz is only STABLE (it depends on
  // the session's zone), and Citus refuses non-IMMUTABLE functions in a
  // RETURNING clause; AT TIME ZONE 'UTC' and EXTRACT of a plain timestamp
  // are IMMUTABLE and give the same number.
  return absl::StrCat("(EXTRACT(EPOCH FROM (", column,
                      " AT TIME ZONE 'UTC')) * 1000000)::int8");
}

absl::Time TimeFromProto(const google::protobuf::Timestamp& timestamp,
                         bool has_timestamp, absl::Time fallback) {
  if (!has_timestamp) return fallback;
  return absl::FromUnixSeconds(timestamp.seconds()) +
         absl::Nanoseconds(timestamp.nanos());
}

void MicrosToProto(int64_t unix_micros, google::protobuf::Timestamp* out) {
  int64_t seconds = unix_micros / 1000000;
  int64_t micros = unix_micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(micros * 1000));
}

absl::Time StartOfUtcHour(absl::Time t) {
  return absl::FromUnixSeconds(absl::ToUnixSeconds(t) / 3600 * 3600);
}

absl::Time StartOfUtcDay(absl::Time t) {
  return absl::FromCivil(absl::ToCivilDay(t, absl::UTCTimeZone()), absl::UTCTimeZone());
}

}  // namespace natscope::server
