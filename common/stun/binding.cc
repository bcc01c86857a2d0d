#include "common/stun/binding.h"

#include <utility>

#include "absl/random/distributions.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace natscope::stun {

TransactionId NewTransactionId(absl::BitGenRef gen) {
  TransactionId id;
  for (uint8_t& byte : id) byte = absl::Uniform<uint8_t>(gen);
  return id;
}

Message MakeBindingRequest(const TransactionId& transaction_id,
                           std::optional<ChangeRequest> change) {
  Message request;
  request.method = kMethodBinding;
  request.message_class = MessageClass::kRequest;
  request.transaction_id = transaction_id;
  request.change_request = change;
  return request;
}

absl::StatusOr<Message> MakeBindingSuccessResponse(
    const Message& request, const net::SocketAddress& source,
    const BindingResponseOptions& options) {
  if (request.method != kMethodBinding ||
      request.message_class != MessageClass::kRequest) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "cannot answer method 0x%03x class %d with a Binding success "
        "response; only Binding requests get one",
        request.method, static_cast<int>(request.message_class)));
  }
  Message response;
  response.method = kMethodBinding;
  response.message_class = MessageClass::kSuccessResponse;
  response.transaction_id = request.transaction_id;
  response.xor_mapped_address = source;
  if (options.include_mapped_address) response.mapped_address = source;
  response.response_origin = options.response_origin;
  response.other_address = options.other_address;
  response.software = options.software;
  return response;
}

absl::StatusOr<Message> MakeErrorResponse(const Message& request, uint16_t code,
                                          absl::string_view reason,
                                          std::optional<std::string> software) {
  if (request.message_class != MessageClass::kRequest) {
    return absl::InvalidArgumentError(
        "only requests get error responses; indications and responses are "
        "never answered");
  }
  if (code < 300 || code > 699) {
    return absl::InvalidArgumentError(
        absl::StrFormat("error code %d is outside 300-699", code));
  }
  Message response;
  response.method = request.method;
  response.message_class = MessageClass::kErrorResponse;
  response.transaction_id = request.transaction_id;
  response.error_code = ErrorCode{code, std::string(reason)};
  if (code == 420) {
    response.unknown_attributes = request.unknown_comprehension_required;
  }
  response.software = std::move(software);
  return response;
}

}  // namespace natscope::stun
