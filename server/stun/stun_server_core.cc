#include "server/stun/stun_server_core.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "common/stun/binding.h"
#include "common/stun/classic.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"
#include "common/stun/natscope_ports.h"

namespace natscope::server {
namespace {

bool IsWildcard(const net::SocketAddress& address) {
  for (uint8_t b : address.address_bytes()) {
    if (b != 0) return false;
  }
  return true;
}

bool SameIp(const net::SocketAddress& a, const net::SocketAddress& b) {
  return a.WithPort(0) == b.WithPort(0);
}

std::optional<std::string> Serialize(const stun::Message& message) {
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto bytes = stun::Encode(message, options);
  if (!bytes.ok()) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

std::optional<StunReply> Error(const stun::Message& request, uint16_t code,
                               absl::string_view reason,
                               std::vector<uint16_t> unknown, StunSocket on,
                               const net::SocketAddress& source) {
  auto response = stun::MakeErrorResponse(request, code, reason, kStunSoftware);
  if (!response.ok()) return std::nullopt;
  if (code == 420) response->unknown_attributes = std::move(unknown);
  auto bytes = Serialize(*response);
  if (!bytes) return std::nullopt;
  return StunReply{std::move(*bytes), on, source};
}

// RFC 8489 §11 (RFC 5389 §12.2): a classic request gets a classic error,
// with its 16-byte id and no attribute a classic client cannot read.
std::optional<StunReply> ClassicError(const stun::ClassicMessage& request,
                                      uint16_t code, absl::string_view reason,
                                      std::vector<uint16_t> unknown,
                                      StunSocket on,
                                      const net::SocketAddress& source) {
  stun::ClassicErrorResponse response;
  response.method = request.method;
  response.transaction_id = request.transaction_id;
  response.error = {code, std::string(reason)};
  response.unknown_attributes = std::move(unknown);
  response.software = kStunSoftware;
  auto bytes = stun::EncodeClassicError(response);
  if (!bytes.ok()) return std::nullopt;
  return StunReply{std::string(bytes->begin(), bytes->end()), on, source};
}

// The socket differing from `s` in both IP and port: OTHER-ADDRESS and
// CHANGED-ADDRESS.
StunSocket Opposite(StunSocket s) {
  return MakeStunSocket(!HasAltIp(s), !HasAltPort(s));
}

// Neither dialect answers anything but requests, nor on sockets a
// single-address server does not have.
bool Unanswered(stun::MessageClass message_class, StunSocket on,
                bool has_alternate) {
  return message_class != stun::MessageClass::kRequest ||
         (!has_alternate && on != StunSocket::kPrimary);
}

// RFC 5780 §6: attributes this server cannot honour count as unknown.
std::vector<uint16_t> UnknownAttributes(const stun::Message& request,
                                        bool has_alternate) {
  std::vector<uint16_t> unknown = request.unknown_comprehension_required;
  if (request.change_request && !has_alternate &&
      std::find(unknown.begin(), unknown.end(), stun::kAttrChangeRequest) ==
          unknown.end()) {
    unknown.push_back(stun::kAttrChangeRequest);
  }
  return unknown;
}

// The PADDING length that keeps a response of `base_size` bytes (PADDING
// excluded) within `request_size`: the largest multiple of 4 that fits.
uint16_t NonAmplifyingPadding(size_t base_size, size_t request_size) {
  const size_t with_header = base_size + 4;
  if (request_size <= with_header) return 0;
  size_t length = std::min(request_size - with_header, kMaxResponsePadding);
  return static_cast<uint16_t>(length & ~size_t{3});
}

// How many of `wanted` ports a NATSCOPE-PORTS attribute may list without
// making a message of `size` bytes exceed `limit`: each takes 2 bytes, the
// attribute 4 more plus padding to a multiple of 4.
size_t PortsThatFit(size_t size, size_t limit, size_t wanted) {
  if (size + 4 > limit) return 0;
  const size_t room = (limit - size - 4) & ~size_t{3};
  return std::min({wanted, stun::kMaxAdvertisedPorts, room / 2});
}

}  // namespace

absl::StatusOr<StunServerCore> StunServerCore::Create(StunServerConfig config,
                                                      RateLimiter* limiter) {
  if (limiter == nullptr) {
    return absl::InvalidArgumentError("StunServerCore needs a RateLimiter");
  }
  if (config.alternate) {
    const net::SocketAddress& a = config.primary;
    const net::SocketAddress& b = *config.alternate;
    if (IsWildcard(a) || IsWildcard(b)) {
      return absl::InvalidArgumentError(
          "an alternate STUN address needs specific IPs on both sides: give "
          "--stun_listen and --stun_alt_ip an address of this host, not "
          "0.0.0.0 or ::");
    }
    if (a.family() != b.family()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--stun_alt_ip ", b.IpString(), " and --stun_listen ",
                       a.IpString(), " must both be IPv4 or both IPv6"));
    }
    if (SameIp(a, b)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--stun_alt_ip must differ from --stun_listen's IP ",
                       a.IpString(), ": give a second address of this host"));
    }
    if (a.port() == b.port()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--stun_alt_port must differ from the primary port ", a.port()));
    }
  }
  return StunServerCore(std::move(config), limiter);
}

net::SocketAddress StunServerCore::AddressOf(StunSocket s) const {
  if (!config_.alternate) return config_.primary;
  const net::SocketAddress& ip =
      HasAltIp(s) ? *config_.alternate : config_.primary;
  const uint16_t port =
      HasAltPort(s) ? config_.alternate->port() : config_.primary.port();
  return ip.WithPort(port);
}

std::optional<StunReply> StunServerCore::Handle(
    absl::string_view datagram, StunSocket on, const net::SocketAddress& source,
    absl::Time now) {
  const absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(datagram.data()), datagram.size());
  if (stun::IsClassicStun(bytes)) return HandleClassic(bytes, on, source, now);
  absl::StatusOr<stun::Message> request =
      absl::InvalidArgumentError("not STUN");
  if (stun::IsStunMessage(bytes)) request = stun::Decode(bytes);
  if (!request.ok() ||
      (request->has_fingerprint && !stun::VerifyFingerprint(bytes).ok())) {
    ++counters_.malformed;
    return std::nullopt;
  }
  if (Unanswered(request->message_class, on, has_alternate())) {
    ++counters_.ignored;
    return std::nullopt;
  }
  ++counters_.requests;
  return Release(Answer(*request, bytes.size(), on, source), source, now);
}

std::optional<StunReply> StunServerCore::Release(
    std::optional<StunReply> reply, const net::SocketAddress& source,
    absl::Time now) {
  if (!reply) return std::nullopt;
  if (!limiter_->Allow(source, now)) {
    ++counters_.rate_limited;
    return std::nullopt;
  }
  ++counters_.responses;
  return reply;
}

StunSocket StunServerCore::SendingSocket(
    StunSocket on, const stun::ChangeRequest& change) const {
  if (!has_alternate()) return StunSocket::kPrimary;
  return MakeStunSocket(HasAltIp(on) != change.change_ip,
                        HasAltPort(on) != change.change_port);
}

std::optional<StunReply> StunServerCore::Answer(
    const stun::Message& request, size_t request_size, StunSocket on,
    const net::SocketAddress& source) const {
  if (request.method != stun::kMethodBinding) {
    return Error(request, 400, "Bad Request: only Binding is served", {}, on,
                 source);
  }
  std::vector<uint16_t> unknown = UnknownAttributes(request, has_alternate());
  if (!unknown.empty()) {
    return Error(request, 420, "Unknown Attribute", std::move(unknown), on,
                 source);
  }
  if (request.padding_length && request.response_port) {
    return Error(request, 400,
                 "Bad Request: PADDING and RESPONSE-PORT cannot be combined",
                 {}, on, source);
  }
  if (request.response_port && *request.response_port == 0) {
    return Error(request, 400, "Bad Request: RESPONSE-PORT 0 is not a port", {},
                 on, source);
  }
  return Success(request, request_size, on, source);
}

std::optional<StunReply> StunServerCore::Success(
    const stun::Message& request, size_t request_size, StunSocket on,
    const net::SocketAddress& source) const {
  const stun::ChangeRequest change =
      request.change_request.value_or(stun::ChangeRequest{});
  const StunSocket from = SendingSocket(on, change);
  stun::BindingResponseOptions options;
  options.software = kStunSoftware;
  if (!IsWildcard(AddressOf(from))) options.response_origin = AddressOf(from);
  if (has_alternate()) {
    options.other_address = AddressOf(Opposite(on));
  }
  auto response = stun::MakeBindingSuccessResponse(request, source, options);
  if (!response.ok()) return std::nullopt;
  if (!advertised_ports_.empty() &&
      !AddPorts(request, request_size, &*response)) {
    return std::nullopt;
  }
  if (request.padding_length) {
    auto base = Serialize(*response);
    if (!base) return std::nullopt;
    response->padding_length = NonAmplifyingPadding(base->size(), request_size);
  }
  auto bytes = Serialize(*response);
  if (!bytes) return std::nullopt;
  const net::SocketAddress to =
      request.response_port ? source.WithPort(*request.response_port) : source;
  return StunReply{std::move(*bytes), from, to};
}

std::optional<StunReply> StunServerCore::HandleClassic(
    absl::Span<const uint8_t> bytes, StunSocket on,
    const net::SocketAddress& source, absl::Time now) {
  absl::StatusOr<stun::ClassicMessage> request = stun::DecodeClassic(bytes);
  if (!request.ok()) {
    ++counters_.malformed;
    return std::nullopt;
  }
  if (Unanswered(request->message_class, on, has_alternate())) {
    ++counters_.ignored;
    return std::nullopt;
  }
  ++counters_.requests;
  ++counters_.classic;
  return Release(AnswerClassic(*request, on, source), source, now);
}

std::optional<StunReply> StunServerCore::AnswerClassic(
    const stun::ClassicMessage& request, StunSocket on,
    const net::SocketAddress& source) const {
  if (request.method != stun::kMethodBinding) {
    return ClassicError(request, 400, "Bad Request: only Binding is served", {},
                        on, source);
  }
  const stun::ChangeRequest change =
      request.change_request.value_or(stun::ChangeRequest{});
  std::vector<uint16_t> unknown = request.unknown_comprehension_required;
  // Classic clients send CHANGE-REQUEST with every request: without an
  // alternate only one asking for a change cannot be honoured (RFC 5780
  // §6). A 420 rather than silence: Vovida's `stun` reads silence as
  // filtering and reports a firewall on an open host.
  if (!has_alternate() && (change.change_ip || change.change_port)) {
    unknown.push_back(stun::kAttrChangeRequest);
  }
  if (!unknown.empty()) {
    return ClassicError(request, 420, "Unknown Attribute", std::move(unknown),
                        on, source);
  }
  const StunSocket from = SendingSocket(on, change);
  stun::ClassicBindingSuccess success;
  success.transaction_id = request.transaction_id;
  success.mapped_address = source;
  if (!IsWildcard(AddressOf(from))) success.source_address = AddressOf(from);
  if (has_alternate()) success.changed_address = AddressOf(Opposite(on));
  success.software = kStunSoftware;
  auto bytes = stun::EncodeClassicBindingSuccess(success);
  if (!bytes.ok()) return std::nullopt;
  return StunReply{std::string(bytes->begin(), bytes->end()), from, source};
}

bool StunServerCore::AddPorts(const stun::Message& request, size_t request_size,
                              stun::Message* response) const {
  auto base = Serialize(*response);
  if (!base) return false;
  // A PADDING answer adds at least its 4-byte header on top.
  const size_t limit =
      request_size + kMaxResponseGrowth - (request.padding_length ? 4 : 0);
  const size_t fit =
      PortsThatFit(base->size(), limit, advertised_ports_.size());
  if (fit == 0) return true;
  const std::vector<uint16_t> listed(advertised_ports_.begin(),
                                     advertised_ports_.begin() + fit);
  response->extra_attributes.push_back(stun::NatscopePortsAttribute(listed));
  return true;
}

}  // namespace natscope::server
