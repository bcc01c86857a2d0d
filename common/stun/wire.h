// Low-level STUN framing shared by the decoder and the integrity checks:
// big-endian helpers, header validation and splitting the body into
// attributes. Internal to //common/stun:codec.
#ifndef NATSCOPE_COMMON_STUN_WIRE_H_
#define NATSCOPE_COMMON_STUN_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace natscope::stun::internal {

inline uint16_t ReadU16(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline uint32_t ReadU32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) |
         (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

inline void WriteU16(uint16_t v, uint8_t* p) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline void WriteU32(uint32_t v, uint8_t* p) {
  WriteU16(static_cast<uint16_t>(v >> 16), p);
  WriteU16(static_cast<uint16_t>(v), p + 2);
}

inline void AppendU16(uint16_t v, std::vector<uint8_t>* out) {
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v));
}

inline void AppendU32(uint32_t v, std::vector<uint8_t>* out) {
  AppendU16(static_cast<uint16_t>(v >> 16), out);
  AppendU16(static_cast<uint16_t>(v), out);
}

// Attribute values are padded to a multiple of 4 bytes.
inline size_t Padded(size_t length) { return (length + 3) & ~size_t{3}; }

// One attribute inside a message buffer. `value` points into that buffer.
struct AttributeView {
  uint16_t type;
  size_t offset;  // Of the 4-byte attribute header, from the message start.
  absl::Span<const uint8_t> value;
};

// Which STUN a message must be. RFC 5389 and later put the magic cookie
// at offset 4; RFC 3489 ("classic") messages have any other value there,
// as the first 4 bytes of their 16-byte transaction id (RFC 8489 §11).
enum class Dialect { kModern, kClassic };

// Returns OK when `message` has a well-formed 20-byte header whose length
// field matches the bytes that follow and whose cookie field is that of
// `dialect`; otherwise InvalidArgument saying which check failed.
absl::Status CheckHeader(absl::Span<const uint8_t> message,
                         Dialect dialect = Dialect::kModern);

// Checks the header, then splits the body into attributes, checking that
// every attribute and its padding lie inside the buffer. Nothing is
// interpreted. Returns InvalidArgument on any framing error.
absl::StatusOr<std::vector<AttributeView>> SplitAttributes(
    absl::Span<const uint8_t> message, Dialect dialect = Dialect::kModern);

}  // namespace natscope::stun::internal

#endif  // NATSCOPE_COMMON_STUN_WIRE_H_
