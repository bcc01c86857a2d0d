#include "common/stun/message.h"

#include <tuple>

namespace natscope::stun {

bool HasMessageField(uint16_t type) {
  switch (type) {
    case kAttrMappedAddress:
    case kAttrChangeRequest:
    case kAttrSourceAddress:
    case kAttrChangedAddress:
    case kAttrUsername:
    case kAttrErrorCode:
    case kAttrUnknownAttributes:
    case kAttrRealm:
    case kAttrNonce:
    case kAttrXorMappedAddress:
    case kAttrPadding:
    case kAttrResponsePort:
    case kAttrSoftware:
    case kAttrResponseOrigin:
    case kAttrOtherAddress:
      return true;
    default:
      return false;
  }
}

// Message type bits, most significant first (RFC 8489 §5):
//   0 0 M11 M10 M9 M8 M7 C1 M6 M5 M4 C0 M3 M2 M1 M0
uint16_t ComposeMessageType(uint16_t method, MessageClass message_class) {
  const uint16_t c = static_cast<uint16_t>(message_class);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                               ((method & 0x0F80) << 2) | ((c & 0x1) << 4) |
                               ((c & 0x2) << 7));
}

uint16_t MethodOf(uint16_t message_type) {
  return static_cast<uint16_t>((message_type & 0x000F) |
                               ((message_type & 0x00E0) >> 1) |
                               ((message_type & 0x3E00) >> 2));
}

MessageClass ClassOf(uint16_t message_type) {
  return static_cast<MessageClass>(((message_type & 0x0010) >> 4) |
                                   ((message_type & 0x0100) >> 7));
}

bool operator==(const ErrorCode& a, const ErrorCode& b) {
  return a.code == b.code && a.reason == b.reason;
}

bool operator==(const ChangeRequest& a, const ChangeRequest& b) {
  return a.change_ip == b.change_ip && a.change_port == b.change_port;
}

bool operator==(const RawAttribute& a, const RawAttribute& b) {
  return a.type == b.type && a.value == b.value;
}

namespace {

auto Fields(const Message& m) {
  return std::tie(m.method, m.message_class, m.transaction_id, m.mapped_address,
                  m.xor_mapped_address, m.username, m.realm, m.nonce,
                  m.software, m.error_code, m.unknown_attributes,
                  m.change_request, m.response_origin, m.other_address,
                  m.response_port, m.padding_length, m.source_address,
                  m.changed_address, m.extra_attributes, m.attribute_order,
                  m.has_message_integrity, m.has_message_integrity_sha256,
                  m.has_fingerprint, m.unknown_comprehension_required);
}

}  // namespace

bool operator==(const Message& a, const Message& b) {
  return Fields(a) == Fields(b);
}

}  // namespace natscope::stun
