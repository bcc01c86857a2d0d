#include "ingest/netpath/deadline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {

absl::Time Deadline::at() const {
  absl::MutexLock lock(&mu_);
  return at_;
}

std::string Deadline::reason() const {
  absl::MutexLock lock(&mu_);
  return reason_;
}

void Deadline::BringForward(absl::Time at, absl::string_view reason) {
  absl::MutexLock lock(&mu_);
  if (at >= at_) return;
  at_ = at;
  reason_ = std::string(reason);
}

absl::Duration Deadline::SleepFrom(absl::Time now, absl::Time wake) const {
  const absl::Time until = std::min({wake, at(), now + kRecheck});
  return std::max(until - now, absl::ZeroDuration());
}

int Deadline::PollMillis(absl::Time now, absl::Time wake) const {
  return static_cast<int>(absl::ToInt64Milliseconds(
      absl::Ceil(SleepFrom(now, wake), absl::Milliseconds(1))));
}

std::string Deadline::Within(absl::Time start) const {
  absl::MutexLock lock(&mu_);
  // Whole milliseconds: the wait is only as precise as the polls that
  // noticed its end.
  const absl::Duration waited = absl::Floor(
      std::max(at_ - start, absl::ZeroDuration()) + absl::Microseconds(500),
      absl::Milliseconds(1));
  std::string text = absl::StrCat("within ", absl::FormatDuration(waited));
  if (!reason_.empty()) absl::StrAppend(&text, " (", reason_, ")");
  return text;
}

}  // namespace natscope::ingest
