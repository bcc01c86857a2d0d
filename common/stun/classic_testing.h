// Test helpers for classic (RFC 3489) responses: read one back, and check
// that a strict classic client would accept it. Header-only, testonly.
#ifndef NATSCOPE_COMMON_STUN_CLASSIC_TESTING_H_
#define NATSCOPE_COMMON_STUN_CLASSIC_TESTING_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "common/stun/classic.h"
#include "common/stun/codec.h"
#include "common/stun/message.h"

namespace natscope::stun {

// Decodes a classic message with the modern decoder (a classic response
// differs from a modern one only in the cookie field and in the attributes
// it may carry), and sets `*id` to its full 16-byte transaction id.
inline absl::StatusOr<Message> DecodeClassicForTest(
    absl::Span<const uint8_t> bytes, ClassicTransactionId* id) {
  if (!IsClassicStun(bytes)) {
    return absl::InvalidArgumentError("not a classic STUN message");
  }
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  copy[4] = 0x21;
  copy[5] = 0x12;
  copy[6] = 0xA4;
  copy[7] = 0x42;
  std::copy(bytes.begin() + 4, bytes.begin() + kHeaderSize, id->begin());
  return Decode(copy);
}

// OK when Vovida's classic parser would read `bytes` whole: every
// attribute's type is one RFC 3489 defines (0x0001-0x000B) or
// comprehension-optional, and its value a multiple of 4 bytes (it steps
// over values without padding). Assumes the framing is valid.
inline absl::Status CheckClassicReadable(absl::Span<const uint8_t> bytes) {
  for (size_t offset = kHeaderSize; offset + 4 <= bytes.size();) {
    const uint16_t type =
        static_cast<uint16_t>(bytes[offset] << 8 | bytes[offset + 1]);
    const size_t length = bytes[offset + 2] << 8 | bytes[offset + 3];
    if (type == 0 || (type > 0x000B && type < 0x8000)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "attribute 0x%04x is unknown to RFC 3489 clients", type));
    }
    if (length % 4 != 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "attribute 0x%04x is %d bytes, not a multiple of 4", type, length));
    }
    offset += 4 + length;
  }
  return absl::OkStatus();
}

}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_CLASSIC_TESTING_H_
