#include "common/stun/integrity.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "common/stun/crc32.h"
#include "common/stun/message.h"
#include "common/stun/wire.h"

namespace natscope::stun {
namespace {

using internal::AttributeView;

template <size_t N>
absl::StatusOr<std::array<uint8_t, N>> Hmac(const EVP_MD* md,
                                            absl::string_view key,
                                            absl::Span<const uint8_t> data) {
  // An empty string_view may have a null data(), which HMAC() would read as
  // "reuse the previous key"; point at a real (unused) byte instead.
  static const uint8_t kEmpty = 0;
  const void* key_bytes =
      key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  std::array<uint8_t, N> out;
  unsigned int out_len = 0;
  if (HMAC(md, key_bytes, static_cast<int>(key.size()),
           data.empty() ? &kEmpty : data.data(), data.size(), out.data(),
           &out_len) == nullptr ||
      out_len != N) {
    return absl::InternalError("libcrypto HMAC failed");
  }
  return out;
}

const AttributeView* FindFirst(const std::vector<AttributeView>& attributes,
                               uint16_t type) {
  auto it =
      std::find_if(attributes.begin(), attributes.end(),
                   [type](const AttributeView& a) { return a.type == type; });
  return it == attributes.end() ? nullptr : &*it;
}

// The bytes an integrity attribute at `attribute` covers: everything before
// it, with the header length rewritten to end just after it (RFC 8489
// §14.5).
std::vector<uint8_t> CoveredPrefix(absl::Span<const uint8_t> message,
                                   const AttributeView& attribute) {
  std::vector<uint8_t> prefix(message.begin(),
                              message.begin() + attribute.offset);
  const size_t length = attribute.offset - kHeaderSize + 4 +
                        internal::Padded(attribute.value.size());
  internal::WriteU16(static_cast<uint16_t>(length), prefix.data() + 2);
  return prefix;
}

template <size_t N>
absl::Status CompareMac(const std::array<uint8_t, N>& computed,
                        absl::Span<const uint8_t> received,
                        absl::string_view name) {
  if (CRYPTO_memcmp(computed.data(), received.data(), received.size()) != 0) {
    // Never echo the computed MAC: it would be a valid tag for this message.
    return absl::UnauthenticatedError(
        absl::StrCat(name,
                     " mismatch: the message was altered or the key (password) "
                     "is wrong"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ShortTermKey(absl::string_view password) {
  return std::string(password);
}

absl::StatusOr<std::string> LongTermKey(absl::string_view username,
                                        absl::string_view realm,
                                        absl::string_view password) {
  const std::string input = absl::StrCat(username, ":", realm, ":", password);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_md5(),
                 nullptr) != 1 ||
      digest_len != 16) {
    return absl::InternalError(
        "libcrypto refused MD5, which long-term STUN credentials need; is "
        "OpenSSL in FIPS mode?");
  }
  return std::string(reinterpret_cast<const char*>(digest), digest_len);
}

absl::Status VerifyFingerprint(absl::Span<const uint8_t> message) {
  ASSIGN_OR_RETURN(const std::vector<AttributeView> attributes,
                   internal::SplitAttributes(message));
  const AttributeView* fingerprint = FindFirst(attributes, kAttrFingerprint);
  if (fingerprint == nullptr) {
    return absl::NotFoundError("message has no FINGERPRINT attribute");
  }
  if (fingerprint != &attributes.back()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("FINGERPRINT at offset %d is not the last attribute",
                        fingerprint->offset));
  }
  if (fingerprint->value.size() != 4) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "FINGERPRINT length is %d, expected 4", fingerprint->value.size()));
  }
  const uint32_t computed =
      Crc32(message.subspan(0, fingerprint->offset)) ^ kFingerprintXor;
  const uint32_t received = internal::ReadU32(fingerprint->value.data());
  if (computed != received) {
    return absl::InvalidArgumentError(
        absl::StrFormat("FINGERPRINT mismatch: computed 0x%08x, message has "
                        "0x%08x",
                        computed, received));
  }
  return absl::OkStatus();
}

absl::Status VerifyMessageIntegrity(absl::Span<const uint8_t> message,
                                    absl::string_view key) {
  ASSIGN_OR_RETURN(const std::vector<AttributeView> attributes,
                   internal::SplitAttributes(message));
  const AttributeView* mi = FindFirst(attributes, kAttrMessageIntegrity);
  if (mi == nullptr) {
    return absl::NotFoundError("message has no MESSAGE-INTEGRITY attribute");
  }
  if (mi->value.size() != 20) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "MESSAGE-INTEGRITY length is %d, expected 20", mi->value.size()));
  }
  ASSIGN_OR_RETURN(const auto computed,
                   internal::HmacSha1(key, CoveredPrefix(message, *mi)));
  return CompareMac(computed, mi->value, "MESSAGE-INTEGRITY");
}

absl::Status VerifyMessageIntegritySha256(absl::Span<const uint8_t> message,
                                          absl::string_view key) {
  ASSIGN_OR_RETURN(const std::vector<AttributeView> attributes,
                   internal::SplitAttributes(message));
  const AttributeView* mi = FindFirst(attributes, kAttrMessageIntegritySha256);
  if (mi == nullptr) {
    return absl::NotFoundError(
        "message has no MESSAGE-INTEGRITY-SHA256 attribute");
  }
  const size_t size = mi->value.size();
  if (size < 16 || size > 32 || size % 4 != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "MESSAGE-INTEGRITY-SHA256 length is %d, expected 16 to 32 in steps "
        "of 4",
        size));
  }
  ASSIGN_OR_RETURN(const auto computed,
                   internal::HmacSha256(key, CoveredPrefix(message, *mi)));
  return CompareMac(computed, mi->value, "MESSAGE-INTEGRITY-SHA256");
}

namespace internal {

absl::StatusOr<std::array<uint8_t, 20>> HmacSha1(
    absl::string_view key, absl::Span<const uint8_t> data) {
  return Hmac<20>(EVP_sha1(), key, data);
}

absl::StatusOr<std::array<uint8_t, 32>> HmacSha256(
    absl::string_view key, absl::Span<const uint8_t> data) {
  return Hmac<32>(EVP_sha256(), key, data);
}

}  // namespace internal
}  // namespace natscope::stun
