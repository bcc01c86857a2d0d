#include "server/stun/stun_tcp_core.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/types/span.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"

namespace natscope::server {
namespace {

std::optional<std::string> Serialize(const stun::Message& message) {
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto bytes = stun::Encode(message, options);
  if (!bytes.ok()) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

// A well-formed request in `message` (decodes, FINGERPRINT right), else
// nullopt; StunServerCore then counts and drops it.
std::optional<stun::Message> DecodeRequest(absl::string_view message) {
  const absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(message.data()), message.size());
  if (!stun::IsStunMessage(bytes)) return std::nullopt;
  auto decoded = stun::Decode(bytes);
  if (!decoded.ok() || decoded->message_class != stun::MessageClass::kRequest ||
      (decoded->has_fingerprint && !stun::VerifyFingerprint(bytes).ok())) {
    return std::nullopt;
  }
  return *std::move(decoded);
}

std::optional<std::string> Error(const stun::Message& request, uint16_t code,
                                 absl::string_view reason) {
  auto response = stun::MakeErrorResponse(request, code, reason, kStunSoftware);
  if (!response.ok()) return std::nullopt;
  if (code == 420) {
    std::vector<uint16_t>& unknown = *response->unknown_attributes;
    if (std::find(unknown.begin(), unknown.end(), stun::kAttrChangeRequest) ==
        unknown.end()) {
      unknown.push_back(stun::kAttrChangeRequest);
    }
  }
  return Serialize(*response);
}

// The error for a Binding request whose answer cannot go back on the
// connection it came in on; nullopt when it can.
std::optional<std::string> TcpRefusal(const stun::Message& request) {
  if (request.method != stun::kMethodBinding) return std::nullopt;
  if (request.change_request && (request.change_request->change_ip ||
                                 request.change_request->change_port)) {
    return Error(request, 420,
                 "Unknown Attribute: CHANGE-REQUEST needs UDP, a TCP reply "
                 "goes back on its connection");
  }
  if (request.response_port) {
    return Error(request, 400,
                 "Bad Request: RESPONSE-PORT needs UDP, a TCP reply goes "
                 "back on its connection");
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<StunTcpCore> StunTcpCore::Create(StunServerConfig config,
                                                RateLimiter* limiter) {
  auto core = StunServerCore::Create(std::move(config), limiter);
  if (!core.ok()) return core.status();
  return StunTcpCore(*std::move(core), limiter);
}

StunTcpAnswer StunTcpCore::Handle(absl::string_view message, StunSocket on,
                                  const net::SocketAddress& peer,
                                  absl::Time now) {
  const std::optional<stun::Message> request = DecodeRequest(message);
  if (request) {
    if (std::optional<std::string> refusal = TcpRefusal(*request)) {
      ++refusals_.requests;
      if (!limiter_->Allow(peer, now)) {
        ++refusals_.rate_limited;
        return {StunTcpAction::kCloseRateLimited, {}};
      }
      ++refusals_.responses;
      return {StunTcpAction::kReply, *std::move(refusal)};
    }
  }
  const StunServerCounters before = core_.counters();
  std::optional<StunReply> reply = core_.Handle(message, on, peer, now);
  if (reply) {
    // Not reached with today's StunServerCore once the refusals above are
    // out of the way; should it learn another way to answer elsewhere, the
    // client still hears why instead of waiting for nothing.
    if (reply->from != on || reply->to != peer) {
      std::optional<std::string> error =
          request ? Error(*request, 400,
                          "Bad Request: this request needs UDP, a TCP reply "
                          "goes back on its connection")
                  : std::nullopt;
      if (!error) return {StunTcpAction::kNothing, {}};
      return {StunTcpAction::kReply, *std::move(error)};
    }
    return {StunTcpAction::kReply, std::move(reply->bytes)};
  }
  const StunServerCounters& after = core_.counters();
  if (after.malformed > before.malformed) {
    return {StunTcpAction::kCloseMalformed, {}};
  }
  if (after.rate_limited > before.rate_limited) {
    return {StunTcpAction::kCloseRateLimited, {}};
  }
  return {StunTcpAction::kNothing, {}};
}

StunServerCounters StunTcpCore::counters() const {
  StunServerCounters out = core_.counters();
  out.requests += refusals_.requests;
  out.responses += refusals_.responses;
  out.rate_limited += refusals_.rate_limited;
  return out;
}

}  // namespace natscope::server
