// STUN message authentication and fingerprinting (RFC 8489 §9, §14.5-14.7).
//
// Keys are raw bytes in a std::string. The Verify* functions take the raw
// bytes of a whole received message, find the attribute themselves and
// recompute it with the header length adjusted as the RFC prescribes. All
// functions are pure and thread-safe; HMAC and MD5 come from libcrypto.
#ifndef NATSCOPE_COMMON_STUN_INTEGRITY_H_
#define NATSCOPE_COMMON_STUN_INTEGRITY_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace natscope::stun {

// FINGERPRINT is CRC-32 of the message up to the attribute, XOR this.
inline constexpr uint32_t kFingerprintXor = 0x5354554e;

// Short-term credential key (RFC 8489 §9.1.1): the password bytes. The
// caller applies OpaqueString/SASLprep if it needs to; this does not.
std::string ShortTermKey(absl::string_view password);

// Long-term credential key (RFC 8489 §9.2.2, MD5 algorithm):
// MD5(username ":" realm ":" password), 16 bytes. Inputs are taken as
// already-prepared UTF-8. Returns Internal if libcrypto refuses MD5 (for
// example in FIPS mode).
absl::StatusOr<std::string> LongTermKey(absl::string_view username,
                                        absl::string_view realm,
                                        absl::string_view password);

// Checks the FINGERPRINT attribute, which must be the last one.
// Returns NotFound when the message has none, InvalidArgument when the
// message is malformed, FINGERPRINT is not last or has the wrong length, or
// the CRC does not match ("FINGERPRINT mismatch: computed 0x..., message
// has 0x...").
absl::Status VerifyFingerprint(absl::Span<const uint8_t> message);

// Checks the first MESSAGE-INTEGRITY (HMAC-SHA1, 20 bytes) against `key`.
// Returns NotFound when absent, InvalidArgument when the message is
// malformed or the attribute has the wrong length, and Unauthenticated when
// the HMAC does not match (wrong key or altered message; RFC 8489 answers
// that with 401).
absl::Status VerifyMessageIntegrity(absl::Span<const uint8_t> message,
                                    absl::string_view key);

// Same for MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256). A value truncated to
// 16-28 bytes (a multiple of 4) is compared on its length, as RFC 8489
// §14.6 allows; other lengths are InvalidArgument.
absl::Status VerifyMessageIntegritySha256(absl::Span<const uint8_t> message,
                                          absl::string_view key);

namespace internal {

// Building blocks for the encoder. Return Internal if libcrypto fails.
absl::StatusOr<std::array<uint8_t, 20>> HmacSha1(
    absl::string_view key, absl::Span<const uint8_t> data);
absl::StatusOr<std::array<uint8_t, 32>> HmacSha256(
    absl::string_view key, absl::Span<const uint8_t> data);

}  // namespace internal
}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_INTEGRITY_H_
