#include "common/stun/classic.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "common/stun/address_attribute.h"
#include "common/stun/wire.h"

namespace natscope::stun {
namespace {

using internal::AppendU16;
using internal::AttributeView;
using internal::ReadU16;
using internal::ReadU32;

// The largest body whose length is a multiple of 4 and fits in 16 bits.
constexpr size_t kMaxBody = 0xFFFC;

absl::StatusOr<ChangeRequest> DecodeChangeRequest(const AttributeView& a) {
  if (a.value.size() != 4) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "malformed CHANGE-REQUEST at offset %d: value is %d bytes, expected 4",
        a.offset, a.value.size()));
  }
  const uint32_t flags = ReadU32(a.value.data());
  return ChangeRequest{(flags & 0x4) != 0, (flags & 0x2) != 0};
}

// A classic reader steps over values by their length alone: pad strings
// with spaces to a multiple of 4.
absl::StatusOr<std::string> PaddedString(std::string s,
                                         absl::string_view what) {
  if (s.size() > kMaxClassicStringSize) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s is %d bytes; at most %d fit a classic response",
                        what, s.size(), kMaxClassicStringSize));
  }
  s.resize(internal::Padded(s.size()), ' ');
  return s;
}

// Builds a classic message: the header with the 16-byte id, then
// attributes appended with Add(), then Finish() sets the length.
class ClassicWriter {
 public:
  ClassicWriter(uint16_t type, const ClassicTransactionId& id) {
    AppendU16(type, &out_);
    AppendU16(0, &out_);  // Length, set by Finish().
    out_.insert(out_.end(), id.begin(), id.end());
  }

  void Add(uint16_t type, absl::Span<const uint8_t> value) {
    AppendU16(type, &out_);
    AppendU16(static_cast<uint16_t>(value.size()), &out_);
    out_.insert(out_.end(), value.begin(), value.end());
  }
  void AddAddress(uint16_t type, const net::SocketAddress& address) {
    std::vector<uint8_t> value;
    internal::AppendAddress(address, &value);
    Add(type, value);
  }
  absl::Status AddString(uint16_t type, const std::string& s,
                         absl::string_view what) {
    ASSIGN_OR_RETURN(const std::string padded, PaddedString(s, what));
    Add(type,
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(padded.data()),
                            padded.size()));
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<uint8_t>> Finish() && {
    const size_t body = out_.size() - kHeaderSize;
    if (body > kMaxBody) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "classic response body would be %d bytes; STUN allows at most %d",
          body, kMaxBody));
    }
    internal::WriteU16(static_cast<uint16_t>(body), out_.data() + 2);
    return std::move(out_);
  }

 private:
  std::vector<uint8_t> out_;
};

absl::StatusOr<std::vector<uint8_t>> ErrorCodeValue(const ErrorCode& error) {
  if (error.code < 300 || error.code > 699) {
    return absl::InvalidArgumentError(
        absl::StrFormat("ERROR-CODE %d is outside 300-699", error.code));
  }
  ASSIGN_OR_RETURN(const std::string reason,
                   PaddedString(error.reason, "the ERROR-CODE reason"));
  std::vector<uint8_t> value = {0, 0, static_cast<uint8_t>(error.code / 100),
                                static_cast<uint8_t>(error.code % 100)};
  value.insert(value.end(), reason.begin(), reason.end());
  return value;
}

}  // namespace

bool IsClassicStun(absl::Span<const uint8_t> bytes) {
  return bytes.size() >= kHeaderSize &&
         ReadU32(bytes.data() + 4) != kMagicCookie;
}

absl::StatusOr<ClassicMessage> DecodeClassic(absl::Span<const uint8_t> bytes) {
  ASSIGN_OR_RETURN(
      const std::vector<AttributeView> attributes,
      internal::SplitAttributes(bytes, internal::Dialect::kClassic));
  ClassicMessage m;
  const uint16_t type = ReadU16(bytes.data());
  m.method = MethodOf(type);
  m.message_class = ClassOf(type);
  std::copy(bytes.begin() + 4, bytes.begin() + kHeaderSize,
            m.transaction_id.begin());
  // Comprehension-required types already listed: 4 KiB, off the stack.
  std::vector<bool> listed(0x8000, false);
  for (const AttributeView& a : attributes) {
    if (a.type == kAttrChangeRequest) {
      if (m.change_request) continue;  // Only the first one counts.
      ASSIGN_OR_RETURN(m.change_request, DecodeChangeRequest(a));
    } else if (IsComprehensionRequired(a.type) && !listed[a.type]) {
      listed[a.type] = true;
      m.unknown_comprehension_required.push_back(a.type);
    }
  }
  return m;
}

absl::StatusOr<std::vector<uint8_t>> EncodeClassicBindingSuccess(
    const ClassicBindingSuccess& response) {
  ClassicWriter writer(
      ComposeMessageType(kMethodBinding, MessageClass::kSuccessResponse),
      response.transaction_id);
  writer.AddAddress(kAttrMappedAddress, response.mapped_address);
  if (response.source_address) {
    writer.AddAddress(kAttrSourceAddress, *response.source_address);
  }
  if (response.changed_address) {
    writer.AddAddress(kAttrChangedAddress, *response.changed_address);
  }
  if (response.software) {
    RETURN_IF_ERROR(
        writer.AddString(kAttrSoftware, *response.software, "SOFTWARE"));
  }
  return std::move(writer).Finish();
}

absl::StatusOr<std::vector<uint8_t>> EncodeClassicError(
    const ClassicErrorResponse& response) {
  if (response.method > 0xFFF) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "method 0x%x does not fit in 12 bits", response.method));
  }
  ClassicWriter writer(
      ComposeMessageType(response.method, MessageClass::kErrorResponse),
      response.transaction_id);
  ASSIGN_OR_RETURN(const std::vector<uint8_t> error,
                   ErrorCodeValue(response.error));
  writer.Add(kAttrErrorCode, error);
  if (!response.unknown_attributes.empty()) {
    std::vector<uint8_t> value;
    for (uint16_t type : response.unknown_attributes) AppendU16(type, &value);
    // RFC 3489 §11.2.10: repeat one to keep the list a multiple of 4 bytes.
    if (value.size() % 4 != 0)
      AppendU16(response.unknown_attributes.back(), &value);
    writer.Add(kAttrUnknownAttributes, value);
  }
  if (response.software) {
    RETURN_IF_ERROR(
        writer.AddString(kAttrSoftware, *response.software, "SOFTWARE"));
  }
  return std::move(writer).Finish();
}

}  // namespace natscope::stun
