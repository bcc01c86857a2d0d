#include "server/intake/syslog/syslog_framer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace natscope::server::intake {
namespace {

// RFC 6587's MSG-LEN is NONZERO-DIGIT *DIGIT; ten digits already exceed
// any bound a receiver can keep in memory.
constexpr size_t kMaxCountDigits = 10;
// Compacting below this many consumed bytes is not worth a memmove.
constexpr size_t kCompactMin = 4096;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

SyslogFramer::SyslogFramer(size_t max_message_bytes)
    : max_(std::max<size_t>(max_message_bytes, 1)) {}

void SyslogFramer::Append(absl::string_view bytes) {
  if (!error_.ok()) return;
  if (discarding_ && start_ == buffer_.size()) {
    // Skip the tail of a truncated line without buffering it.
    const size_t lf = bytes.find('\n');
    if (lf == absl::string_view::npos) return;
    discarding_ = false;
    bytes.remove_prefix(lf + 1);
  }
  Compact();
  buffer_.append(bytes.data(), bytes.size());
}

bool SyslogFramer::HasPartial() const {
  return discarding_ || start_ < buffer_.size();
}

void SyslogFramer::Compact() {
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = scanned_ = 0;
  } else if (start_ >= kCompactMin && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    scanned_ -= std::min(scanned_, start_);
    start_ = 0;
  }
}

absl::StatusOr<std::optional<std::string>> SyslogFramer::Next() {
  if (!error_.ok()) return error_;
  for (;;) {
    if (discarding_) {
      const size_t lf = buffer_.find('\n', start_);
      if (lf == std::string::npos) {
        start_ = buffer_.size();
        Compact();
        return std::nullopt;
      }
      discarding_ = false;
      start_ = lf + 1;
    }
    if (start_ == buffer_.size()) {
      Compact();
      return std::nullopt;
    }
    const char first = buffer_[start_];
    if (first >= '1' && first <= '9') return NextOctetCounted();
    std::optional<std::string> line = NextLine();
    if (!line.has_value()) return std::nullopt;
    if (!line->empty()) return line;
  }
}

absl::StatusOr<std::optional<std::string>> SyslogFramer::NextOctetCounted() {
  const absl::string_view rest = absl::string_view(buffer_).substr(start_);
  size_t digits = 0;
  while (digits < rest.size() && IsDigit(rest[digits])) {
    if (++digits > kMaxCountDigits) break;
  }
  const auto fail = [&](absl::string_view why) {
    error_ = absl::InvalidArgumentError(absl::StrCat(
        "syslog framing lost: ", why, " at \"",
        absl::CHexEscape(rest.substr(0, std::min<size_t>(digits + 1, 16))),
        "\" (send RFC 6587 octet-counted frames \"LEN MSG\" or lines "
        "ended by LF)"));
    return error_;
  };
  if (digits > kMaxCountDigits) return fail("octet count over 10 digits");
  if (digits == rest.size()) return std::nullopt;  // The count goes on.
  if (rest[digits] != ' ') return fail("octet count not followed by a space");
  uint64_t length = 0;
  for (size_t i = 0; i < digits; ++i) length = length * 10 + (rest[i] - '0');
  if (length > max_) {
    return fail(absl::StrCat("octet count ", length, " over the limit of ",
                             max_, " bytes"));
  }
  const size_t whole = digits + 1 + static_cast<size_t>(length);
  if (rest.size() < whole) return std::nullopt;
  std::string frame(rest.substr(digits + 1, length));
  start_ += whole;
  scanned_ = std::max(scanned_, start_);
  return std::optional<std::string>(std::move(frame));
}

std::optional<std::string> SyslogFramer::NextLine() {
  // scanned_ remembers how far earlier calls looked for this line's LF, so
  // that a line arriving a byte at a time is scanned once, not n² times.
  const size_t from = std::max(scanned_, start_);
  const size_t lf = buffer_.find('\n', from);
  if (lf == std::string::npos) {
    scanned_ = buffer_.size();
    if (buffer_.size() - start_ <= max_) return std::nullopt;
    std::string cut = buffer_.substr(start_, max_);
    ++truncated_;
    discarding_ = true;
    start_ = scanned_ = buffer_.size();
    Compact();
    return cut;
  }
  size_t end = lf;
  if (end > start_ && buffer_[end - 1] == '\r') --end;
  std::string line = buffer_.substr(start_, std::min(end - start_, max_));
  if (end - start_ > max_) ++truncated_;
  start_ = scanned_ = lf + 1;
  return line;
}

}  // namespace natscope::server::intake
