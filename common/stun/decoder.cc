// Decode() and IsStunMessage() from codec.h.
#include <algorithm>
#include <bitset>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "common/stun/address_attribute.h"
#include "common/stun/codec.h"
#include "common/stun/wire.h"

namespace natscope::stun {
namespace {

using internal::AttributeView;
using internal::ReadU16;
using internal::ReadU32;

absl::Status BadLength(absl::string_view name, size_t size,
                       absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "malformed %s: value is %d bytes, expected %s", name, size, expected));
}

absl::StatusOr<ErrorCode> DecodeErrorCode(absl::Span<const uint8_t> value) {
  if (value.size() < 4) return BadLength("ERROR-CODE", value.size(), ">= 4");
  const int error_class = value[2] & 0x07;
  const int number = value[3];
  if (error_class < 3 || error_class > 6 || number > 99) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "malformed ERROR-CODE: class %d number %d; expected class 3-6 and "
        "number 0-99",
        error_class, number));
  }
  ErrorCode error;
  error.code = static_cast<uint16_t>(error_class * 100 + number);
  error.reason.assign(value.begin() + 4, value.end());
  return error;
}

absl::StatusOr<std::vector<uint16_t>> DecodeUnknownAttributes(
    absl::Span<const uint8_t> value) {
  if (value.size() % 2 != 0) {
    return BadLength("UNKNOWN-ATTRIBUTES", value.size(), "an even count");
  }
  std::vector<uint16_t> types;
  for (size_t i = 0; i < value.size(); i += 2) {
    types.push_back(ReadU16(value.data() + i));
  }
  return types;
}

absl::StatusOr<ChangeRequest> DecodeChangeRequest(
    absl::Span<const uint8_t> value) {
  if (value.size() != 4) return BadLength("CHANGE-REQUEST", value.size(), "4");
  const uint32_t flags = ReadU32(value.data());
  return ChangeRequest{(flags & 0x4) != 0, (flags & 0x2) != 0};
}

absl::StatusOr<uint16_t> DecodeResponsePort(absl::Span<const uint8_t> value) {
  // RFC 5780 §7.5: the port, then 2 bytes of padding inside the value.
  // Some senders put only the port; accept both.
  if (value.size() != 4 && value.size() != 2) {
    return BadLength("RESPONSE-PORT", value.size(), "4");
  }
  return ReadU16(value.data());
}

std::string AsString(absl::Span<const uint8_t> value) {
  return std::string(value.begin(), value.end());
}

// Stores `parsed` in `*field`, or returns its error.
template <typename T>
absl::Status Store(absl::StatusOr<T> parsed, std::optional<T>* field) {
  if (!parsed.ok()) return parsed.status();
  *field = *std::move(parsed);
  return absl::OkStatus();
}

std::optional<std::string>* StringField(uint16_t type, Message* m) {
  switch (type) {
    case kAttrUsername:
      return &m->username;
    case kAttrRealm:
      return &m->realm;
    case kAttrNonce:
      return &m->nonce;
    case kAttrSoftware:
      return &m->software;
  }
  return nullptr;
}

// The field of a plain (not XOR) address attribute, and its RFC name.
std::optional<net::SocketAddress>* AddressField(uint16_t type, Message* m,
                                                absl::string_view* name) {
  switch (type) {
    case kAttrMappedAddress:
      *name = "MAPPED-ADDRESS";
      return &m->mapped_address;
    case kAttrResponseOrigin:
      *name = "RESPONSE-ORIGIN";
      return &m->response_origin;
    case kAttrOtherAddress:
      *name = "OTHER-ADDRESS";
      return &m->other_address;
    case kAttrSourceAddress:
      *name = "SOURCE-ADDRESS";
      return &m->source_address;
    case kAttrChangedAddress:
      *name = "CHANGED-ADDRESS";
      return &m->changed_address;
  }
  return nullptr;
}

// Decodes an attribute for which HasMessageField() is true into its field.
absl::Status DecodeField(const AttributeView& a, Message* m) {
  if (auto* field = StringField(a.type, m)) {
    *field = AsString(a.value);
    return absl::OkStatus();
  }
  absl::string_view name;
  if (auto* field = AddressField(a.type, m, &name)) {
    return Store(internal::DecodeAddress(a.value, name), field);
  }
  switch (a.type) {
    case kAttrXorMappedAddress:
      return Store(internal::DecodeXorAddress(a.value, m->transaction_id),
                   &m->xor_mapped_address);
    case kAttrErrorCode:
      return Store(DecodeErrorCode(a.value), &m->error_code);
    case kAttrUnknownAttributes:
      return Store(DecodeUnknownAttributes(a.value), &m->unknown_attributes);
    case kAttrChangeRequest:
      return Store(DecodeChangeRequest(a.value), &m->change_request);
    case kAttrResponsePort:
      return Store(DecodeResponsePort(a.value), &m->response_port);
    case kAttrPadding:
      m->padding_length = static_cast<uint16_t>(a.value.size());
      return absl::OkStatus();
  }
  return absl::InternalError(
      absl::StrFormat("no decoder for attribute 0x%04x", a.type));
}

// Handles MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT. Sets `*handled` when
// `a` is one of them.
absl::Status DecodeTrailer(const AttributeView& a, Message* m, bool* handled) {
  *handled = true;
  const size_t size = a.value.size();
  switch (a.type) {
    case kAttrMessageIntegrity:
      // After MI-SHA256 only FINGERPRINT counts (RFC 8489 §14.6).
      if (m->has_message_integrity || m->has_message_integrity_sha256) break;
      if (size != 20) return BadLength("MESSAGE-INTEGRITY", size, "20");
      m->has_message_integrity = true;
      break;
    case kAttrMessageIntegritySha256:
      if (m->has_message_integrity_sha256) break;
      if (size < 16 || size > 32 || size % 4 != 0) {
        return BadLength("MESSAGE-INTEGRITY-SHA256", size,
                         "16 to 32 in steps of 4");
      }
      m->has_message_integrity_sha256 = true;
      break;
    case kAttrFingerprint:
      if (size != 4) return BadLength("FINGERPRINT", size, "4");
      m->has_fingerprint = true;
      break;
    default:
      *handled = false;
  }
  return absl::OkStatus();
}

// Types already met in this message: only a type's first occurrence counts.
using SeenTypes = std::bitset<65536>;

absl::Status DecodeOne(const AttributeView& a, SeenTypes* seen, Message* m) {
  if (m->has_fingerprint) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "attribute 0x%04x at offset %d follows FINGERPRINT, which must be "
        "the last attribute",
        a.type, a.offset));
  }
  bool handled = false;
  RETURN_IF_ERROR(DecodeTrailer(a, m, &handled));
  // Everything else after the integrity attributes is ignored (§14.5).
  if (handled || m->has_message_integrity || m->has_message_integrity_sha256) {
    return absl::OkStatus();
  }
  const bool first = !(*seen)[a.type];
  seen->set(a.type);
  if (HasMessageField(a.type)) {
    if (!first) return absl::OkStatus();
    RETURN_IF_ERROR(DecodeField(a, m));
    m->attribute_order.push_back(a.type);
    return absl::OkStatus();
  }
  m->extra_attributes.push_back(
      {a.type, std::vector<uint8_t>(a.value.begin(), a.value.end())});
  m->attribute_order.push_back(a.type);
  if (first && IsComprehensionRequired(a.type)) {
    m->unknown_comprehension_required.push_back(a.type);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Message> Decode(absl::Span<const uint8_t> bytes) {
  ASSIGN_OR_RETURN(const std::vector<AttributeView> attributes,
                   internal::SplitAttributes(bytes));
  Message m;
  const uint16_t type = ReadU16(bytes.data());
  m.method = MethodOf(type);
  m.message_class = ClassOf(type);
  std::copy(bytes.begin() + 8, bytes.begin() + kHeaderSize,
            m.transaction_id.begin());
  auto seen = std::make_unique<SeenTypes>();  // 8 KiB: keep it off the stack.
  for (const AttributeView& a : attributes) {
    RETURN_IF_ERROR(DecodeOne(a, seen.get(), &m));
  }
  return m;
}

bool IsStunMessage(absl::Span<const uint8_t> bytes) {
  return internal::CheckHeader(bytes).ok();
}

}  // namespace natscope::stun
