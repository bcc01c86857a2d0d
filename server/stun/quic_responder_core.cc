#include "server/stun/quic_responder_core.h"

#include <vector>

#include "absl/types/span.h"
#include "common/quic/version_negotiation.h"

namespace natscope::server {

std::optional<std::string> QuicResponderCore::Handle(
    absl::string_view datagram, const net::SocketAddress& source,
    absl::Time now) {
  static constexpr uint32_t kSupported[] = {quic::kVersion1};
  const absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(datagram.data()), datagram.size());
  std::optional<std::vector<uint8_t>> vn =
      quic::VersionNegotiationFor(bytes, kSupported, gen_);
  if (!vn) {
    ++counters_.ignored;
    return std::nullopt;
  }
  ++counters_.requests;
  if (!limiter_->Allow(source, now)) {
    ++counters_.rate_limited;
    return std::nullopt;
  }
  ++counters_.responses;
  return std::string(vn->begin(), vn->end());
}

}  // namespace natscope::server
