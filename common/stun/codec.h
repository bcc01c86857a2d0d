// STUN (RFC 8489) message encoding and decoding.
//
// Pure functions over bytes: no sockets, no clock, no global state; safe to
// call from any thread. Decode never reads outside the span it is given.
//
//   ASSIGN_OR_RETURN(Message request, Decode(datagram));
//   if (request.has_message_integrity) {
//     RETURN_IF_ERROR(VerifyMessageIntegrity(datagram, key));
//   }
#ifndef NATSCOPE_COMMON_STUN_CODEC_H_
#define NATSCOPE_COMMON_STUN_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/stun/message.h"

namespace natscope::stun {

struct EncodeOptions {
  // Key for MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256; see
  // ShortTermKey() and LongTermKey() in integrity.h.
  std::optional<std::string> integrity_key;
  // Append MESSAGE-INTEGRITY (HMAC-SHA1). Needs `integrity_key`.
  bool add_message_integrity = false;
  // Append MESSAGE-INTEGRITY-SHA256 (full 32-byte HMAC-SHA256), after
  // MESSAGE-INTEGRITY when both are on. Needs `integrity_key`.
  bool add_message_integrity_sha256 = false;
  // Append FINGERPRINT as the last attribute.
  bool add_fingerprint = false;
  // Value of the bytes that pad attributes to a multiple of 4. RFC 8489
  // lets senders pick any value; 0 is conventional, and RFC 5769's vectors
  // 2.1-2.3 use 0x20.
  uint8_t padding_byte = 0;
};

// Serializes `message`: header, the set attribute fields (ordered as
// described at Message::attribute_order), Message::extra_attributes, then
// the integrity attributes and FINGERPRINT requested in `options`. The
// decode-only fields of Message are ignored.
//
// Returns InvalidArgument when the message cannot be represented: a method
// above 0xFFF, an ERROR-CODE outside 300-699, an attribute value over 65532
// bytes, a message longer than 65535 body bytes, an extra attribute whose
// type has a field of its own (or is MI/FINGERPRINT), or integrity requested
// without a key. Returns Internal if libcrypto fails.
absl::StatusOr<std::vector<uint8_t>> Encode(const Message& message,
                                            const EncodeOptions& options = {});

// Parses a STUN message.
//
// Framing is checked strictly: InvalidArgument (with what was wrong) for a
// short header, nonzero leading bits, a bad magic cookie, a length that is
// not a multiple of 4 or does not match the buffer, a truncated attribute,
// a bad address family or length, a malformed fixed-size attribute, or an
// attribute after FINGERPRINT.
//
// Semantics follow RFC 8489 §14: only the first occurrence of a known
// attribute counts; attributes after MESSAGE-INTEGRITY other than
// MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, and after
// MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are skipped (framing
// still checked). Unknown attributes before MESSAGE-INTEGRITY go to
// extra_attributes; the comprehension-required ones are also listed in
// unknown_comprehension_required, and Decode still succeeds so the caller
// can answer 420. Integrity and FINGERPRINT are recorded, not verified.
absl::StatusOr<Message> Decode(absl::Span<const uint8_t> bytes);

// Cheap test for demultiplexing STUN from other traffic on one socket:
// at least 20 bytes, two leading zero bits, the magic cookie, and a length
// field that is a multiple of 4 and equals the bytes after the header.
bool IsStunMessage(absl::Span<const uint8_t> bytes);

}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_CODEC_H_
