// RFC 3489 ("classic") STUN, as far as a server answers it (RFC 8489 §11,
// RFC 5389 §12.2): a bounded decoder for classic messages, and encoders for
// the Binding success and error responses a classic client can read.
//
// A classic message has no magic cookie: its 16-byte transaction id covers
// the 4 bytes where RFC 5389 put the cookie, so any other value there marks
// it. Decode() (codec.h) keeps refusing such messages; DecodeClassic() is a
// separate path, meant for a server's requests only.
//
// Classic clients read strictly. Vovida's `stun` (Debian's stun-client)
// drops a whole response that carries a comprehension-required type it does
// not know (anything below 0x8000 outside 0x0001-0x000B, so no
// XOR-MAPPED-ADDRESS) and steps from attribute to attribute by the length
// field alone, without padding. So every value encoded here is a multiple
// of 4 bytes: strings are padded with spaces, and an odd UNKNOWN-ATTRIBUTES
// list repeats its last type (RFC 3489 §11.2.10). No FINGERPRINT.
//
// Pure functions over bytes; safe to call from any thread.
//
//   ASSIGN_OR_RETURN(ClassicMessage request, DecodeClassic(datagram));
//   ClassicBindingSuccess success;
//   success.transaction_id = request.transaction_id;
//   success.mapped_address = source;
//   ASSIGN_OR_RETURN(std::vector<uint8_t> reply,
//                    EncodeClassicBindingSuccess(success));
#ifndef NATSCOPE_COMMON_STUN_CLASSIC_H_
#define NATSCOPE_COMMON_STUN_CLASSIC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/net/socket_address.h"
#include "common/stun/message.h"

namespace natscope::stun {

inline constexpr size_t kClassicTransactionIdSize = 16;
using ClassicTransactionId = std::array<uint8_t, kClassicTransactionIdSize>;

// The longest reason phrase and SOFTWARE value encoded, in bytes (RFC 8489
// allows 128 characters; Vovida's reader holds 256 bytes).
inline constexpr size_t kMaxClassicStringSize = 128;

// True when `bytes` is at least a header long and its cookie field is not
// kMagicCookie: a message for DecodeClassic() rather than Decode(). Looks
// at nothing else.
bool IsClassicStun(absl::Span<const uint8_t> bytes);

// A decoded classic message: its header and what a server acts on.
struct ClassicMessage {
  uint16_t method = kMethodBinding;
  MessageClass message_class = MessageClass::kRequest;
  ClassicTransactionId transaction_id{};
  // The first CHANGE-REQUEST.
  std::optional<ChangeRequest> change_request;
  // Every other comprehension-required type (< 0x8000) present, each once,
  // in wire order; RESPONSE-ADDRESS included. This decoder understands only
  // CHANGE-REQUEST, so these are what a server lists in a 420 response.
  // Comprehension-optional attributes are skipped.
  std::vector<uint16_t> unknown_comprehension_required;
};

// Parses a classic message of any class, checking the framing exactly as
// Decode() does except for the cookie field. InvalidArgument (saying what
// was wrong) for a short header, nonzero leading bits, the magic cookie
// (use Decode()), a length field that is not a multiple of 4 or does not
// match the buffer (so at most 20 + 65532 bytes), a truncated attribute, or
// a CHANGE-REQUEST value that is not 4 bytes. Never reads outside `bytes`;
// works in time and memory linear in its size.
absl::StatusOr<ClassicMessage> DecodeClassic(absl::Span<const uint8_t> bytes);

// A classic Binding success response (0x0101).
struct ClassicBindingSuccess {
  ClassicTransactionId transaction_id{};  // The request's, all 16 bytes.
  net::SocketAddress mapped_address;      // MAPPED-ADDRESS: the source.
  // SOURCE-ADDRESS: the address the response is sent from.
  std::optional<net::SocketAddress> source_address;
  // CHANGED-ADDRESS: where a response to both CHANGE-REQUEST flags would
  // come from.
  std::optional<net::SocketAddress> changed_address;
  std::optional<std::string> software;  // SOFTWARE (0x8022), optional type.
};

// A classic error response: ERROR-CODE, then UNKNOWN-ATTRIBUTES when
// `unknown_attributes` is not empty (code 420), then SOFTWARE.
struct ClassicErrorResponse {
  uint16_t method = kMethodBinding;  // The request's.
  ClassicTransactionId transaction_id{};
  ErrorCode error;
  std::vector<uint16_t> unknown_attributes;
  std::optional<std::string> software;
};

// Serialize the responses above: header, then the attributes in the order
// listed, every value padded to a multiple of 4 as described at the top.
// InvalidArgument for a method above 0xFFF, an error code outside 300-699,
// a reason or SOFTWARE longer than kMaxClassicStringSize, or a body over
// 65532 bytes.
absl::StatusOr<std::vector<uint8_t>> EncodeClassicBindingSuccess(
    const ClassicBindingSuccess& response);
absl::StatusOr<std::vector<uint8_t>> EncodeClassicError(
    const ClassicErrorResponse& response);

}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_CLASSIC_H_
