// Helpers that build the Binding messages natscope exchanges.
//
// Pure: randomness comes from the caller's generator, addresses from the
// caller's socket layer. Thread-compatible (the generator is not shared).
#ifndef NATSCOPE_COMMON_STUN_BINDING_H_
#define NATSCOPE_COMMON_STUN_BINDING_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/net/socket_address.h"
#include "common/stun/message.h"

namespace natscope::stun {

// 96 random bits from `gen` (pass an absl::BitGen, or a seeded std::mt19937
// in tests).
TransactionId NewTransactionId(absl::BitGenRef gen);

// A Binding request with the given id and, optionally, RFC 5780
// CHANGE-REQUEST flags.
Message MakeBindingRequest(const TransactionId& transaction_id,
                           std::optional<ChangeRequest> change = std::nullopt);

struct BindingResponseOptions {
  // RFC 5780 §6: where the response is sent from, and the server's
  // alternate address.
  std::optional<net::SocketAddress> response_origin;
  std::optional<net::SocketAddress> other_address;
  std::optional<std::string> software;
  // Also send the plain MAPPED-ADDRESS, for RFC 3489 clients (RFC 8489 §12).
  bool include_mapped_address = true;
};

// A Binding success response to `request` reporting `source` (the address
// the request came from) in XOR-MAPPED-ADDRESS. Returns InvalidArgument if
// `request` is not a Binding request.
absl::StatusOr<Message> MakeBindingSuccessResponse(
    const Message& request, const net::SocketAddress& source,
    const BindingResponseOptions& options = {});

// An error response to `request` with the same method and transaction id.
// For code 420 the request's unknown_comprehension_required types go into
// UNKNOWN-ATTRIBUTES. Returns InvalidArgument if `request` is not a request
// or `code` is outside 300-699.
absl::StatusOr<Message> MakeErrorResponse(
    const Message& request, uint16_t code, absl::string_view reason,
    std::optional<std::string> software = std::nullopt);

}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_BINDING_H_
