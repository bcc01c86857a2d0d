// Splits a TCP byte stream into STUN messages (RFC 8489 §6.2.2, §7: over
// TCP, messages follow one another on the stream with no other framing;
// each one's length comes from its 20-byte header).
//
//   StunStreamFramer framer;
//   auto messages = framer.Feed(bytes_read);
//   if (!messages.ok()) { /* not STUN, or too long: close the connection */ }
//   for (const std::string& m : *messages) Answer(m);
//
// The header is checked as soon as its bytes arrive: the two leading bits
// must be zero, the magic cookie present, and the declared length a
// multiple of 4 and at most a bound. A stream that fails is refused for
// good: a connection whose framing is lost cannot be resynchronised.
//
// Bounded: between calls the framer holds at most one incomplete message,
// so never more than kStunHeaderBytes + max_body_bytes - 1 bytes, however
// the bytes are split or merged. Pure (no I/O, no clock), thread-compatible.
#ifndef NATSCOPE_SERVER_STUN_STUN_STREAM_FRAMER_H_
#define NATSCOPE_SERVER_STUN_STUN_STREAM_FRAMER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace natscope::server {

inline constexpr size_t kStunHeaderBytes = 20;

// The default bound on a message body (the length field). natscope's and
// every usual client's Binding requests are well under 200 bytes; RFC
// 8489 §6.1 keeps UDP messages within 576 (IPv4) or 1280 (IPv6) bytes
// unless the path MTU is known, and even a request padded to a 1500-byte
// MTU (RFC 5780 PADDING) fits. Refusing more keeps a connection's buffer
// small: 256 connections cost at most about half a megabyte.
inline constexpr size_t kDefaultMaxStunBodyBytes = 2048;

class StunStreamFramer {
 public:
  explicit StunStreamFramer(size_t max_body_bytes = kDefaultMaxStunBodyBytes)
      : max_body_bytes_(max_body_bytes) {}

  // Appends `bytes` and returns the messages they complete, whole (header
  // included) and in stream order; an incomplete tail is kept for the next
  // call. InvalidArgument, saying what was wrong, once the stream is seen
  // not to be STUN: a set leading bit, a wrong magic cookie, a length not
  // a multiple of 4 or above the bound. Messages completed earlier in the
  // same call are then dropped, and every later call fails the same way.
  absl::StatusOr<std::vector<std::string>> Feed(absl::string_view bytes);

  // Bytes of an incomplete message held since the last Feed.
  size_t buffered() const { return pending_.size(); }
  // True before any byte and between messages.
  bool at_message_boundary() const { return pending_.empty(); }

 private:
  // Checks what has arrived of the header in pending_.
  absl::Status CheckHeader() const;
  // The whole message's size once the length field is in, else 0.
  size_t MessageSize() const;

  size_t max_body_bytes_;
  std::string pending_;
  absl::Status error_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_STUN_STREAM_FRAMER_H_
