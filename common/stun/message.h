// The STUN message model shared by the encoder and the decoder.
//
// A Message is a plain value: the header fields plus one optional field per
// attribute this codec understands (RFC 8489, RFC 5780 and, for decoding
// only, two RFC 3489 legacy attributes). Attributes it does not understand
// are kept as opaque RawAttributes so that a decoded message can be
// re-encoded without loss. Nothing here performs I/O or reads a clock.
#ifndef NATSCOPE_COMMON_STUN_MESSAGE_H_
#define NATSCOPE_COMMON_STUN_MESSAGE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/net/socket_address.h"

namespace natscope::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr size_t kHeaderSize = 20;
inline constexpr size_t kTransactionIdSize = 12;

// Methods (12 bits). Only Binding is used by natscope, but any method
// decodes.
inline constexpr uint16_t kMethodBinding = 0x001;

// Attribute types.
enum AttributeType : uint16_t {
  kAttrMappedAddress = 0x0001,
  kAttrResponseAddress = 0x0002,  // RFC 3489; never honoured (classic.h)
  kAttrChangeRequest = 0x0003,    // RFC 5780
  kAttrSourceAddress = 0x0004,    // RFC 3489; encoded by classic.h only
  kAttrChangedAddress = 0x0005,   // RFC 3489; encoded by classic.h only
  kAttrUsername = 0x0006,
  kAttrMessageIntegrity = 0x0008,
  kAttrErrorCode = 0x0009,
  kAttrUnknownAttributes = 0x000A,
  kAttrRealm = 0x0014,
  kAttrNonce = 0x0015,
  kAttrMessageIntegritySha256 = 0x001C,
  kAttrXorMappedAddress = 0x0020,
  kAttrPadding = 0x0026,       // RFC 5780
  kAttrResponsePort = 0x0027,  // RFC 5780
  kAttrSoftware = 0x8022,
  kAttrFingerprint = 0x8028,
  kAttrResponseOrigin = 0x802B,  // RFC 5780
  kAttrOtherAddress = 0x802C,    // RFC 5780
};

// Types 0x0000-0x7FFF must be understood by the receiver (RFC 8489 §14).
inline bool IsComprehensionRequired(uint16_t type) { return type < 0x8000; }

// True for the types Decode stores in a Message field rather than in
// Message::extra_attributes (MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and
// FINGERPRINT are neither: they are only flagged).
bool HasMessageField(uint16_t type);

enum class MessageClass : uint8_t {
  kRequest = 0,
  kIndication = 1,
  kSuccessResponse = 2,
  kErrorResponse = 3,
};

using TransactionId = std::array<uint8_t, kTransactionIdSize>;

// Packs a 12-bit method and a class into the 14-bit message type field, and
// back (RFC 8489 §5, figure 3). The method must be < 0x1000.
uint16_t ComposeMessageType(uint16_t method, MessageClass message_class);
uint16_t MethodOf(uint16_t message_type);
MessageClass ClassOf(uint16_t message_type);

struct ErrorCode {
  uint16_t code = 0;   // 300-699: class * 100 + number.
  std::string reason;  // UTF-8.
};

struct ChangeRequest {
  bool change_ip = false;
  bool change_port = false;
};

// An attribute the codec carries without interpreting it.
struct RawAttribute {
  uint16_t type = 0;
  std::vector<uint8_t> value;  // Unpadded.
};

struct Message {
  uint16_t method = kMethodBinding;
  MessageClass message_class = MessageClass::kRequest;
  TransactionId transaction_id{};

  std::optional<net::SocketAddress> mapped_address;
  std::optional<net::SocketAddress> xor_mapped_address;
  std::optional<std::string> username;
  std::optional<std::string> realm;
  std::optional<std::string> nonce;
  std::optional<std::string> software;
  std::optional<ErrorCode> error_code;
  std::optional<std::vector<uint16_t>> unknown_attributes;
  std::optional<ChangeRequest> change_request;
  std::optional<net::SocketAddress> response_origin;
  std::optional<net::SocketAddress> other_address;
  std::optional<uint16_t> response_port;
  // PADDING carries this many bytes of zeros (RFC 5780 §7.6).
  std::optional<uint16_t> padding_length;

  // RFC 3489 attributes some old servers still send. Filled by Decode;
  // Encode never emits them.
  std::optional<net::SocketAddress> source_address;
  std::optional<net::SocketAddress> changed_address;

  // Attributes without a field above, in wire order. Decode fills it with
  // every such attribute before MESSAGE-INTEGRITY; Encode emits them as-is.
  std::vector<RawAttribute> extra_attributes;

  // Wire order of what Decode kept: the type of each field it set (first
  // occurrences only) and of each extra attribute (repeats included); MI,
  // MI-SHA256 and FINGERPRINT are never listed. When non-empty, Encode
  // places the k-th attribute of a type where the k-th occurrence of that
  // type is listed, and the rest after them in its default order. This
  // makes decode-then-encode reproduce the original attribute order.
  std::vector<uint16_t> attribute_order;

  // Set by Decode, ignored by Encode. The integrity attributes are only
  // recorded here; check them with the Verify* functions of integrity.h.
  bool has_message_integrity = false;
  bool has_message_integrity_sha256 = false;
  bool has_fingerprint = false;
  // Comprehension-required types (< 0x8000) this codec does not understand,
  // each listed once, in wire order: what a server puts in a 420 response.
  std::vector<uint16_t> unknown_comprehension_required;
};

bool operator==(const ErrorCode& a, const ErrorCode& b);
bool operator==(const ChangeRequest& a, const ChangeRequest& b);
bool operator==(const RawAttribute& a, const RawAttribute& b);
// Compares every field, the decode-only ones included.
bool operator==(const Message& a, const Message& b);
inline bool operator!=(const Message& a, const Message& b) { return !(a == b); }

}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_MESSAGE_H_
