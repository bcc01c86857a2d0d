#include "common/stun/wire.h"

#include "absl/strings/str_format.h"
#include "common/stun/message.h"

namespace natscope::stun::internal {
namespace {

absl::Status CheckCookie(uint32_t cookie, Dialect dialect) {
  if (dialect == Dialect::kModern && cookie != kMagicCookie) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "bad magic cookie 0x%08x, expected 0x%08x (an RFC 3489 message? "
        "DecodeClassic in common/stun/classic.h reads those)",
        cookie, kMagicCookie));
  }
  if (dialect == Dialect::kClassic && cookie == kMagicCookie) {
    return absl::InvalidArgumentError(
        "not an RFC 3489 message: it carries the RFC 5389 magic cookie");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckHeader(absl::Span<const uint8_t> message, Dialect dialect) {
  if (message.size() < kHeaderSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "STUN message too short: %d bytes, the header alone needs %d",
        message.size(), kHeaderSize));
  }
  if ((message[0] & 0xC0) != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "not a STUN message: the two leading bits of the type 0x%04x must "
        "be zero",
        ReadU16(message.data())));
  }
  if (absl::Status cookie = CheckCookie(ReadU32(message.data() + 4), dialect);
      !cookie.ok()) {
    return cookie;
  }
  const size_t length = ReadU16(message.data() + 2);
  if (length % 4 != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("message length %d is not a multiple of 4", length));
  }
  if (length != message.size() - kHeaderSize) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "length mismatch: header says %d body bytes but %d follow the header",
        length, message.size() - kHeaderSize));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AttributeView>> SplitAttributes(
    absl::Span<const uint8_t> message, Dialect dialect) {
  absl::Status header = CheckHeader(message, dialect);
  if (!header.ok()) return header;
  std::vector<AttributeView> attributes;
  size_t offset = kHeaderSize;
  while (offset < message.size()) {
    // The body length is a multiple of 4, so a partial header cannot occur
    // unless the caller's buffer lies; check anyway.
    if (message.size() - offset < 4) {
      return absl::InvalidArgumentError(
          absl::StrFormat("truncated attribute header at offset %d", offset));
    }
    const uint16_t type = ReadU16(message.data() + offset);
    const size_t length = ReadU16(message.data() + offset + 2);
    const size_t remaining = message.size() - offset - 4;
    if (Padded(length) > remaining) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "truncated attribute 0x%04x at offset %d: it claims %d bytes (%d "
          "padded) but only %d remain",
          type, offset, length, Padded(length), remaining));
    }
    attributes.push_back({type, offset, message.subspan(offset + 4, length)});
    offset += 4 + Padded(length);
  }
  return attributes;
}

}  // namespace natscope::stun::internal
