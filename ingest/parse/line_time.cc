#include "ingest/parse/line_time.h"

#include <cstring>

namespace natscope::ingest {
namespace {

// A cursor over the line; every accessor is bounds-checked.
class Reader {
 public:
  explicit Reader(absl::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  // Exactly `n` digits; consumes nothing when they are not there.
  bool Digits(int n, int* out) {
    if (s_.size() - pos_ < static_cast<size_t>(n)) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      const char c = s_[pos_ + i];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += n;
    *out = v;
    return true;
  }
  absl::string_view Rest() const { return s_.substr(pos_); }
  void Skip(size_t n) { pos_ += n; }

 private:
  absl::string_view s_;
  size_t pos_ = 0;
};

bool ValidClock(int hour, int minute, int second) {
  return hour <= 23 && minute <= 59 && second <= 60;
}

// "HH:MM:SS" plus an optional fraction, as nanoseconds.
bool ReadClock(Reader& r, int* hour, int* minute, int* second, int64_t* nanos) {
  if (!r.Digits(2, hour) || !r.Consume(':') || !r.Digits(2, minute) ||
      !r.Consume(':') || !r.Digits(2, second) ||
      !ValidClock(*hour, *minute, *second)) {
    return false;
  }
  *nanos = 0;
  if (r.Consume('.') || r.Consume(',')) {
    int digits = 0;
    while (r.Peek() >= '0' && r.Peek() <= '9') {
      if (digits < 9) {
        *nanos = *nanos * 10 + (r.Peek() - '0');
        ++digits;
      }
      r.Skip(1);
    }
    if (digits == 0) return false;
    for (; digits < 9; ++digits) *nanos *= 10;
  }
  return true;
}

std::optional<absl::Time> ReadRfc3339(Reader& r, absl::TimeZone zone) {
  int year, month, day, hour, minute, second;
  int64_t nanos;
  if (!r.Digits(4, &year) || !r.Consume('-') || !r.Digits(2, &month) ||
      !r.Consume('-') || !r.Digits(2, &day) || month < 1 || month > 12 ||
      day < 1 || day > 31) {
    return std::nullopt;
  }
  if (!r.Consume('T') && !r.Consume(' ')) return std::nullopt;
  if (!ReadClock(r, &hour, &minute, &second, &nanos)) return std::nullopt;
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.day() != day) return std::nullopt;  // e.g. February 30.
  const absl::Duration fraction = absl::Nanoseconds(nanos);
  if (r.Consume('Z') || r.Consume('z')) {
    return absl::FromCivil(civil, absl::UTCTimeZone()) + fraction;
  }
  const char sign = r.Peek();
  if (sign == '+' || sign == '-') {
    Reader probe = r;
    probe.Skip(1);
    int oh, om = 0;
    if (probe.Digits(2, &oh) && oh <= 23) {
      probe.Consume(':');
      if (!probe.Digits(2, &om) || om > 59) om = 0;
      const absl::Duration offset = absl::Hours(oh) + absl::Minutes(om);
      const absl::Time utc =
          absl::FromCivil(civil, absl::UTCTimeZone()) + fraction;
      return sign == '+' ? utc - offset : utc + offset;
    }
  }
  return absl::FromCivil(civil, zone) + fraction;
}

std::optional<absl::Time> ReadSyslog(Reader& r, absl::Time read_time,
                                     absl::TimeZone zone) {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const absl::string_view rest = r.Rest();
  if (rest.size() < 15 || rest[3] != ' ') return std::nullopt;
  int month = 0;
  for (int m = 0; m < 12; ++m) {
    if (std::memcmp(kMonths + 3 * m, rest.data(), 3) == 0) month = m + 1;
  }
  if (month == 0) return std::nullopt;
  r.Skip(4);
  r.Consume(' ');  // "Nov  5" pads the day with a space.
  int day, hour, minute, second;
  int64_t nanos;
  if (!r.Digits(2, &day) && !r.Digits(1, &day)) return std::nullopt;
  if (day < 1 || day > 31 || !r.Consume(' ')) return std::nullopt;
  if (!ReadClock(r, &hour, &minute, &second, &nanos)) return std::nullopt;
  const int64_t year = absl::ToCivilYear(read_time, zone).year();
  absl::Time t = absl::FromCivil(
      absl::CivilSecond(year, month, day, hour, minute, second), zone);
  if (t > read_time + absl::Hours(24)) {
    t = absl::FromCivil(
        absl::CivilSecond(year - 1, month, day, hour, minute, second), zone);
  }
  return t + absl::Nanoseconds(nanos);
}

}  // namespace

std::optional<absl::Time> ParseLineTime(absl::string_view line,
                                        absl::Time read_time,
                                        absl::TimeZone zone) {
  // RFC 5424: "<34>1 2026-11-25T14:03:22.003Z host app ...".
  if (!line.empty() && line[0] == '<') {
    const size_t close = line.find('>');
    if (close != absl::string_view::npos && close <= 4 &&
        line.substr(close + 1, 2) == "1 ") {
      line.remove_prefix(close + 3);
    }
  }
  Reader r(line);
  r.Consume('[');
  if (r.Peek() >= '0' && r.Peek() <= '9') return ReadRfc3339(r, zone);
  if (r.Peek() >= 'A' && r.Peek() <= 'S') return ReadSyslog(r, read_time, zone);
  return std::nullopt;
}

}  // namespace natscope::ingest
