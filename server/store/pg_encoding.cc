#include "server/store/pg_encoding.h"

#include <algorithm>
#include <vector>

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
  // Sorted by key without copying the strings (once a row at ingest).
  std::vector<const google::protobuf::MapPair<std::string, std::string>*>
      sorted;
  sorted.reserve(fields.size());
  for (const auto& entry : fields) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string out = "{";
  for (const auto* entry : sorted) {
    if (out.size() > 1) out.append(", ");
    AppendSanitizedJsonString(entry->first, &out);
    out.append(": ");
    AppendSanitizedJsonString(entry->second, &out);
  }
  out.push_back('}');
  return out;
}

namespace {

// Floor division (C++ rounds toward zero).
int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant's
// days_from_civil inverse), without a time zone lookup: this runs once a
// row at ingest.
void CivilFromDays(int64_t days, int64_t* y, int* m, int* d) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

void AppendDigits(int64_t value, int width, std::string* out) {
  char digits[20];
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(digits, width);
}

}  // namespace

std::string TimestampText(absl::Time time) {
  // 0001-01-01 00:00:00 and 9999-12-31 23:59:59 UTC.
  static constexpr int64_t kEarliest = -62135596800;
  static constexpr int64_t kLatest = 253402300799;
  int64_t micros = absl::ToUnixMicros(time);  // Toward the infinite past.
  int64_t seconds = FloorDiv(micros, 1000000);
  if (seconds < kEarliest || time == absl::InfinitePast()) {
    seconds = kEarliest;
    micros = seconds * 1000000;
  } else if (seconds > kLatest || time == absl::InfiniteFuture()) {
    seconds = kLatest;
    micros = seconds * 1000000;
  }
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t of_day = seconds - days * 86400;
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  std::string out;
  out.reserve(30);
  AppendDigits(year, 4, &out);
  out.push_back('-');
  AppendDigits(month, 2, &out);
  out.push_back('-');
  AppendDigits(day, 2, &out);
  out.push_back(' ');
  AppendDigits(of_day / 3600, 2, &out);
  out.push_back(':');
  AppendDigits(of_day / 60 % 60, 2, &out);
  out.push_back(':');
  AppendDigits(of_day % 60, 2, &out);
  out.push_back('.');
  AppendDigits(micros - seconds * 1000000, 6, &out);
  out.append("+00");
  return out;
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
