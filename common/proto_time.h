// Conversions between absl::Time and google.protobuf.Timestamp. Header-only.
#ifndef NATSCOPE_COMMON_PROTO_TIME_H_
#define NATSCOPE_COMMON_PROTO_TIME_H_

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace natscope {

inline google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1000000000;
  int64_t rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    --seconds;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(rest));
  return out;
}

inline absl::Time FromProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// RFC 3339 in UTC to the second, e.g. "2026-11-25T14:03:22Z".
inline std::string FormatProtoTime(const google::protobuf::Timestamp& t) {
  return absl::FormatTime(absl::RFC3339_sec, FromProtoTime(t),
                          absl::UTCTimeZone());
}

}  // namespace natscope

#endif  // NATSCOPE_COMMON_PROTO_TIME_H_
