// Encode() from codec.h.
#include <algorithm>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "common/stun/address_attribute.h"
#include "common/stun/codec.h"
#include "common/stun/crc32.h"
#include "common/stun/integrity.h"
#include "common/stun/wire.h"

namespace natscope::stun {
namespace {

using internal::AppendU16;
using internal::AppendU32;

// The largest body whose length is a multiple of 4 and fits in 16 bits.
constexpr size_t kMaxBody = 0xFFFC;

struct Entry {
  uint16_t type;
  std::vector<uint8_t> value;
};

std::vector<uint8_t> Bytes(absl::string_view s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

std::vector<uint8_t> AddressValue(const net::SocketAddress& address) {
  std::vector<uint8_t> value;
  internal::AppendAddress(address, &value);
  return value;
}

absl::StatusOr<std::vector<uint8_t>> ErrorCodeValue(const ErrorCode& error) {
  if (error.code < 300 || error.code > 699) {
    return absl::InvalidArgumentError(
        absl::StrFormat("ERROR-CODE %d is outside 300-699", error.code));
  }
  std::vector<uint8_t> value = {0, 0, static_cast<uint8_t>(error.code / 100),
                                static_cast<uint8_t>(error.code % 100)};
  value.insert(value.end(), error.reason.begin(), error.reason.end());
  return value;
}

std::vector<uint8_t> ChangeRequestValue(const ChangeRequest& change) {
  std::vector<uint8_t> value;
  AppendU32((change.change_ip ? 0x4 : 0) | (change.change_port ? 0x2 : 0),
            &value);
  return value;
}

std::vector<uint8_t> ResponsePortValue(uint16_t port) {
  std::vector<uint8_t> value;
  AppendU16(port, &value);
  AppendU16(0, &value);  // RFC 5780 §7.5: 2 bytes of padding in the value.
  return value;
}

// Credentials, error reporting and RFC 5780 request options.
absl::Status AppendLeadingFields(const Message& m, std::vector<Entry>* out) {
  if (m.username) out->push_back({kAttrUsername, Bytes(*m.username)});
  if (m.realm) out->push_back({kAttrRealm, Bytes(*m.realm)});
  if (m.nonce) out->push_back({kAttrNonce, Bytes(*m.nonce)});
  if (m.error_code) {
    ASSIGN_OR_RETURN(auto value, ErrorCodeValue(*m.error_code));
    out->push_back({kAttrErrorCode, std::move(value)});
  }
  if (m.unknown_attributes) {
    std::vector<uint8_t> value;
    for (uint16_t type : *m.unknown_attributes) AppendU16(type, &value);
    out->push_back({kAttrUnknownAttributes, std::move(value)});
  }
  if (m.change_request) {
    out->push_back({kAttrChangeRequest, ChangeRequestValue(*m.change_request)});
  }
  if (m.response_port) {
    out->push_back({kAttrResponsePort, ResponsePortValue(*m.response_port)});
  }
  return absl::OkStatus();
}

// Addresses, PADDING and SOFTWARE.
void AppendTrailingFields(const Message& m, std::vector<Entry>* out) {
  if (m.xor_mapped_address) {
    std::vector<uint8_t> value;
    internal::AppendXorAddress(*m.xor_mapped_address, m.transaction_id, &value);
    out->push_back({kAttrXorMappedAddress, std::move(value)});
  }
  if (m.mapped_address) {
    out->push_back({kAttrMappedAddress, AddressValue(*m.mapped_address)});
  }
  if (m.response_origin) {
    out->push_back({kAttrResponseOrigin, AddressValue(*m.response_origin)});
  }
  if (m.other_address) {
    out->push_back({kAttrOtherAddress, AddressValue(*m.other_address)});
  }
  if (m.padding_length) {
    out->push_back({kAttrPadding, std::vector<uint8_t>(*m.padding_length, 0)});
  }
  if (m.software) out->push_back({kAttrSoftware, Bytes(*m.software)});
}

// Legacy SOURCE-ADDRESS and CHANGED-ADDRESS have fields only for decoding,
// so callers who must emit them (tests, RFC 3489 emulation) use extras.
bool AllowedAsExtra(uint16_t type) {
  if (type == kAttrSourceAddress || type == kAttrChangedAddress) return true;
  return !HasMessageField(type) && type != kAttrMessageIntegrity &&
         type != kAttrMessageIntegritySha256 && type != kAttrFingerprint;
}

// The k-th entry of a type takes the position of the k-th occurrence of
// that type in `order`; entries left over go last, in their current order.
void SortByWireOrder(const std::vector<uint16_t>& order,
                     std::vector<Entry>* entries) {
  std::unordered_map<uint16_t, std::vector<size_t>> positions;
  for (size_t i = 0; i < order.size(); ++i) positions[order[i]].push_back(i);
  std::unordered_map<uint16_t, size_t> used;
  std::vector<std::pair<size_t, Entry>> ranked;
  for (Entry& e : *entries) {
    const std::vector<size_t>& pos = positions[e.type];
    size_t& k = used[e.type];
    ranked.emplace_back(k < pos.size() ? pos[k] : order.size(), std::move(e));
    ++k;
  }
  std::stable_sort(
      ranked.begin(), ranked.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < ranked.size(); ++i) {
    (*entries)[i] = std::move(ranked[i].second);
  }
}

absl::StatusOr<std::vector<Entry>> AllEntries(const Message& m) {
  std::vector<Entry> entries;
  RETURN_IF_ERROR(AppendLeadingFields(m, &entries));
  AppendTrailingFields(m, &entries);
  for (const RawAttribute& extra : m.extra_attributes) {
    if (!AllowedAsExtra(extra.type)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "extra attribute 0x%04x is encoded from its own Message field or "
          "EncodeOptions; remove it from extra_attributes",
          extra.type));
    }
    entries.push_back({extra.type, extra.value});
  }
  if (!m.attribute_order.empty()) SortByWireOrder(m.attribute_order, &entries);
  return entries;
}

void AppendAttribute(uint16_t type, absl::Span<const uint8_t> value,
                     uint8_t padding_byte, std::vector<uint8_t>* out) {
  AppendU16(type, out);
  AppendU16(static_cast<uint16_t>(value.size()), out);
  out->insert(out->end(), value.begin(), value.end());
  out->resize(out->size() + internal::Padded(value.size()) - value.size(),
              padding_byte);
}

// Sets the header length to cover the body so far plus an attribute of
// `next_value_size` bytes, as MI and FINGERPRINT computation requires.
void SetLengthIncluding(size_t next_value_size, std::vector<uint8_t>* out) {
  const size_t length =
      out->size() - kHeaderSize + 4 + internal::Padded(next_value_size);
  internal::WriteU16(static_cast<uint16_t>(length), out->data() + 2);
}

absl::Status CheckEncodable(const Message& m, const EncodeOptions& options,
                            const std::vector<Entry>& entries) {
  if (m.method > 0xFFF) {
    return absl::InvalidArgumentError(
        absl::StrFormat("method 0x%x does not fit in 12 bits", m.method));
  }
  if ((options.add_message_integrity || options.add_message_integrity_sha256) &&
      !options.integrity_key.has_value()) {
    return absl::InvalidArgumentError(
        "MESSAGE-INTEGRITY requested without EncodeOptions::integrity_key");
  }
  size_t body = (options.add_message_integrity ? 24 : 0) +
                (options.add_message_integrity_sha256 ? 36 : 0) +
                (options.add_fingerprint ? 8 : 0);
  for (const Entry& e : entries) {
    if (e.value.size() > 0xFFFF) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "attribute 0x%04x value is %d bytes; the limit is 65535", e.type,
          e.value.size()));
    }
    body += 4 + internal::Padded(e.value.size());
  }
  if (body > kMaxBody) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "message body would be %d bytes; STUN allows at most %d", body,
        kMaxBody));
  }
  return absl::OkStatus();
}

absl::Status AppendTrailer(const EncodeOptions& options,
                           std::vector<uint8_t>* out) {
  if (options.add_message_integrity) {
    SetLengthIncluding(20, out);
    ASSIGN_OR_RETURN(const auto mac,
                     internal::HmacSha1(*options.integrity_key, *out));
    AppendAttribute(kAttrMessageIntegrity, mac, 0, out);
  }
  if (options.add_message_integrity_sha256) {
    SetLengthIncluding(32, out);
    ASSIGN_OR_RETURN(const auto mac,
                     internal::HmacSha256(*options.integrity_key, *out));
    AppendAttribute(kAttrMessageIntegritySha256, mac, 0, out);
  }
  if (options.add_fingerprint) {
    SetLengthIncluding(4, out);
    std::vector<uint8_t> crc;
    AppendU32(Crc32(*out) ^ kFingerprintXor, &crc);
    AppendAttribute(kAttrFingerprint, crc, 0, out);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<uint8_t>> Encode(const Message& message,
                                            const EncodeOptions& options) {
  ASSIGN_OR_RETURN(const std::vector<Entry> entries, AllEntries(message));
  RETURN_IF_ERROR(CheckEncodable(message, options, entries));
  std::vector<uint8_t> out;
  AppendU16(ComposeMessageType(message.method, message.message_class), &out);
  AppendU16(0, &out);  // Length, set below.
  AppendU32(kMagicCookie, &out);
  out.insert(out.end(), message.transaction_id.begin(),
             message.transaction_id.end());
  for (const Entry& e : entries) {
    AppendAttribute(e.type, e.value, options.padding_byte, &out);
  }
  RETURN_IF_ERROR(AppendTrailer(options, &out));
  internal::WriteU16(static_cast<uint16_t>(out.size() - kHeaderSize),
                     out.data() + 2);
  return out;
}

}  // namespace natscope::stun
