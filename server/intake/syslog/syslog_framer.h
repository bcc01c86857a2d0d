// Splits a syslog TCP stream into messages (RFC 6587 §3.4): each frame is
// either octet-counted ("MSG-LEN SP MSG", §3.4.1, what RFC 5425 and
// rsyslog's/syslog-ng's "octet-counted" framing send) or non-transparent,
// ended by LF (§3.4.2, the traditional framing). The first byte of each
// frame decides: a digit 1-9 starts an octet count, anything else a line.
//
//   SyslogFramer framer(max_message_bytes);
//   framer.Append(bytes_read);
//   for (;;) {
//     auto frame = framer.Next();
//     if (!frame.ok()) { /* framing lost: close the connection */ }
//     if (!frame->has_value()) break;  // Needs more bytes.
//     Handle(**frame);
//   }
//
// Lines: a trailing CR is dropped and empty lines are skipped. A line
// longer than max_message_bytes comes out cut to that size (counted in
// truncated()) and the rest of it, up to its LF, is discarded: one
// oversized line costs that line's tail, not the connection. An octet
// count cannot be skipped that way safely (over the bound, not a number,
// more than 10 digits, not followed by SP): Next() then fails for good,
// because nothing tells where the next frame starts.
//
// Bounded: between an Append and the Next() that returns nullopt the
// framer holds at most max_message_bytes + 11 bytes plus what that Append
// brought; callers that read in chunks of a fixed size stay within
// max_message_bytes + 11 + chunk. Each byte is scanned a bounded number of
// times however the stream is split. Pure (no I/O), thread-compatible.
#ifndef NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_FRAMER_H_
#define NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_FRAMER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::server::intake {

// rsyslog's default maximum message size is 8 KiB and syslog-ng's 64 KiB;
// RFC 5425 §4.3.1 asks receivers to take at least 2048 bytes.
inline constexpr size_t kDefaultMaxSyslogMessageBytes = 64 * 1024;

class SyslogFramer {
 public:
  explicit SyslogFramer(
      size_t max_message_bytes = kDefaultMaxSyslogMessageBytes);

  // Adds bytes read from the stream.
  void Append(absl::string_view bytes);

  // The next complete frame (without its octet count or LF), nullopt when
  // more bytes are needed. InvalidArgument (one line) when the stream
  // cannot be resynchronised; every later call returns the same error.
  absl::StatusOr<std::optional<std::string>> Next();

  // True when bytes of a frame that is not yet whole are held (or the
  // tail of a truncated line is still being discarded).
  bool HasPartial() const;
  // Lines cut to max_message_bytes so far.
  uint64_t truncated() const { return truncated_; }
  // Bytes held now. For tests and the fuzzer's bound.
  size_t buffered() const { return buffer_.size() - start_; }

 private:
  absl::StatusOr<std::optional<std::string>> NextOctetCounted();
  // nullopt: needs more bytes; "" (never a real frame): an empty line.
  std::optional<std::string> NextLine();
  // Drops consumed bytes from the front once they are most of buffer_, so
  // that erasing costs linear time overall.
  void Compact();

  const size_t max_;
  std::string buffer_;
  size_t start_ = 0;         // First unconsumed byte of buffer_.
  size_t scanned_ = 0;       // No LF in buffer_[start_, scanned_).
  bool discarding_ = false;  // Skipping a truncated line up to its LF.
  uint64_t truncated_ = 0;
  absl::Status error_;
};

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_FRAMER_H_
