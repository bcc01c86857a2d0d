#include "server/stun/stun_stream_framer.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"

namespace natscope::server {
namespace {

constexpr uint8_t kMagicCookie[4] = {0x21, 0x12, 0xA4, 0x42};

uint8_t Byte(const std::string& s, size_t i) {
  return static_cast<uint8_t>(s[i]);
}

}  // namespace

size_t StunStreamFramer::MessageSize() const {
  if (pending_.size() < 4) return 0;
  return kStunHeaderBytes +
         ((static_cast<size_t>(Byte(pending_, 2)) << 8) | Byte(pending_, 3));
}

absl::Status StunStreamFramer::CheckHeader() const {
  // Checked byte by byte, so that e.g. an HTTP or TLS client is refused on
  // its first byte instead of after 20.
  if (!pending_.empty() && (Byte(pending_, 0) & 0xC0) != 0) {
    return absl::InvalidArgumentError(
        "not STUN: the first two bits of a STUN message are zero");
  }
  if (pending_.size() >= 4) {
    const size_t body = MessageSize() - kStunHeaderBytes;
    if (body % 4 != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "not STUN: message length ", body, " is not a multiple of 4"));
    }
    if (body > max_body_bytes_) {
      return absl::InvalidArgumentError(
          absl::StrCat("STUN message length ", body, " is above the ",
                       max_body_bytes_, " bytes this server accepts"));
    }
  }
  for (size_t i = 4; i < std::min<size_t>(pending_.size(), 8); ++i) {
    if (Byte(pending_, i) != kMagicCookie[i - 4]) {
      return absl::InvalidArgumentError("not STUN: no magic cookie");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> StunStreamFramer::Feed(
    absl::string_view bytes) {
  if (!error_.ok()) return error_;
  std::vector<std::string> messages;
  while (!bytes.empty()) {
    // Take only what the current message still needs, so that pending_
    // never holds more than one message.
    const size_t want =
        pending_.size() < kStunHeaderBytes ? kStunHeaderBytes : MessageSize();
    const size_t take = std::min(want - pending_.size(), bytes.size());
    pending_.append(bytes.data(), take);
    bytes.remove_prefix(take);
    if (pending_.size() <= kStunHeaderBytes) {
      if (absl::Status header = CheckHeader(); !header.ok()) {
        error_ = std::move(header);
        pending_.clear();
        return error_;
      }
    }
    if (pending_.size() >= kStunHeaderBytes &&
        pending_.size() == MessageSize()) {
      messages.push_back(std::move(pending_));
      pending_.clear();
    }
  }
  return messages;
}

}  // namespace natscope::server
