// libFuzzer target for the STUN codec.
//
// Feeds arbitrary bytes to Decode, IsStunMessage, the Verify functions and
// the RFC 3489 DecodeClassic (which must never crash or read out of
// bounds; no input decodes in both dialects), and for every input that
// decodes checks that encoding is total and stable:
//   * Encode accepts whatever Decode produced;
//   * decoding the encoding gives the same message, modulo the fields
//     Decode alone sets;
//   * encoding that again gives the same bytes;
//   * with a key, the integrity attributes and FINGERPRINT Encode adds
//     verify.
// A broken invariant aborts, which libFuzzer reports as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"
#include "common/stun/classic.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"
#include "common/stun/message.h"

namespace natscope::stun {
namespace {

void Check(bool condition, const char* what, const absl::Status& status) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s (%s)\n", what,
               status.ToString().c_str());
  std::abort();
}

void Check(bool condition, const char* what) {
  Check(condition, what, absl::OkStatus());
}

// What Decode(Encode(m)) can reproduce of a decoded `m`: Encode skips the
// legacy fields and adds no integrity unless asked to.
Message Reproducible(Message m) {
  m.source_address.reset();
  m.changed_address.reset();
  std::vector<uint16_t> order;
  for (uint16_t type : m.attribute_order) {
    if (type != kAttrSourceAddress && type != kAttrChangedAddress) {
      order.push_back(type);
    }
  }
  m.attribute_order = order;
  m.has_message_integrity = false;
  m.has_message_integrity_sha256 = false;
  m.has_fingerprint = false;
  return m;
}

// Any status is fine for hostile input; only the code's range is checked.
void CheckVerifyStatus(const absl::Status& status) {
  Check(status.ok() || status.code() == absl::StatusCode::kNotFound ||
            status.code() == absl::StatusCode::kInvalidArgument ||
            status.code() == absl::StatusCode::kUnauthenticated,
        "Verify* returned an unexpected status code", status);
}

void CheckSignedEncoding(const Message& m) {
  EncodeOptions options;
  options.integrity_key = "fuzz-key";
  options.add_message_integrity = true;
  options.add_message_integrity_sha256 = true;
  options.add_fingerprint = true;
  options.padding_byte = 0x20;
  auto signed_bytes = Encode(m, options);
  // The trailer adds 68 bytes, so a decodable message may be too long now.
  if (!signed_bytes.ok()) {
    Check(signed_bytes.status().code() == absl::StatusCode::kInvalidArgument,
          "signed Encode failed with a non-size error", signed_bytes.status());
    return;
  }
  Check(VerifyMessageIntegrity(*signed_bytes, "fuzz-key").ok(),
        "own MESSAGE-INTEGRITY does not verify");
  Check(VerifyMessageIntegritySha256(*signed_bytes, "fuzz-key").ok(),
        "own MESSAGE-INTEGRITY-SHA256 does not verify");
  Check(VerifyFingerprint(*signed_bytes).ok(), "own FINGERPRINT mismatch");
  auto decoded = Decode(*signed_bytes);
  Check(decoded.ok(), "signed encoding does not decode", decoded.status());
  Check(decoded->has_message_integrity && decoded->has_fingerprint &&
            decoded->has_message_integrity_sha256,
        "signed encoding lost its trailer flags");
  Check(Reproducible(*decoded) == Reproducible(m),
        "signed encoding decodes to another message");
}

// DecodeClassic takes exactly the well-framed messages without the cookie.
void CheckClassicDecode(absl::Span<const uint8_t> bytes, bool is_stun) {
  auto classic = DecodeClassic(bytes);
  if (!classic.ok()) {
    Check(classic.status().code() == absl::StatusCode::kInvalidArgument &&
              !classic.status().message().empty(),
          "DecodeClassic failed without an InvalidArgument saying why",
          classic.status());
    return;
  }
  Check(IsClassicStun(bytes), "DecodeClassic accepted the magic cookie");
  Check(!is_stun, "a message decodes as both modern and classic STUN");
}

void CheckRoundTrip(const Message& decoded) {
  auto bytes = Encode(decoded);
  Check(bytes.ok(), "Encode rejected a decoded message", bytes.status());
  Check(IsStunMessage(*bytes), "Encode produced a non-STUN message");
  auto again = Decode(*bytes);
  Check(again.ok(), "Encode produced undecodable bytes", again.status());
  Check(*again == Reproducible(decoded), "decode(encode(m)) != m");
  auto bytes_again = Encode(*again);
  Check(bytes_again.ok() && *bytes_again == *bytes, "encoding is unstable");
  CheckSignedEncoding(decoded);
}

}  // namespace
}  // namespace natscope::stun

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace natscope::stun;  // NOLINT: local to the entry point.
  const absl::Span<const uint8_t> bytes(data, size);
  const bool is_stun = IsStunMessage(bytes);
  CheckClassicDecode(bytes, is_stun);
  CheckVerifyStatus(VerifyFingerprint(bytes));
  CheckVerifyStatus(VerifyMessageIntegrity(bytes, "fuzz-key"));
  CheckVerifyStatus(VerifyMessageIntegritySha256(bytes, ""));
  auto decoded = Decode(bytes);
  if (!decoded.ok()) {
    Check(decoded.status().code() == absl::StatusCode::kInvalidArgument,
          "Decode failed with a code other than InvalidArgument",
          decoded.status());
    Check(!decoded.status().message().empty(), "empty Decode error");
    return 0;
  }
  Check(is_stun, "Decode accepted what IsStunMessage rejected");
  CheckRoundTrip(*decoded);
  return 0;
}
