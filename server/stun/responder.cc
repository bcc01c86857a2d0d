#include "server/stun/responder.h"

#include <iostream>
#include <utility>
#include <vector>

#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"

namespace natscope::server {
namespace {

constexpr char kSoftware[] = "natscope-server 0.1.0";

bool IsWildcard(const net::SocketAddress& address) {
  for (uint8_t b : address.address_bytes()) {
    if (b != 0) return false;
  }
  return true;
}

std::optional<std::string> Serialize(const stun::Message& message) {
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto bytes = stun::Encode(message, options);
  if (!bytes.ok()) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

std::optional<std::string> StunResponse(absl::string_view request,
                                        const net::SocketAddress& source,
                                        const net::SocketAddress& local) {
  const absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(request.data()), request.size());
  if (!stun::IsStunMessage(bytes)) return std::nullopt;
  auto decoded = stun::Decode(bytes);
  if (!decoded.ok() || decoded->message_class != stun::MessageClass::kRequest) {
    return std::nullopt;
  }
  if (decoded->has_fingerprint && !stun::VerifyFingerprint(bytes).ok()) {
    return std::nullopt;
  }
  absl::StatusOr<stun::Message> response;
  if (decoded->method != stun::kMethodBinding) {
    response = stun::MakeErrorResponse(*decoded, 400,
                                       "Bad Request: only Binding is served",
                                       kSoftware);
  } else if (!decoded->unknown_comprehension_required.empty()) {
    response = stun::MakeErrorResponse(*decoded, 420, "Unknown Attribute", kSoftware);
  } else {
    stun::BindingResponseOptions options;
    options.software = kSoftware;
    if (!IsWildcard(local)) options.response_origin = local;
    response = stun::MakeBindingSuccessResponse(*decoded, source, options);
  }
  if (!response.ok()) return std::nullopt;
  return Serialize(*response);
}

absl::StatusOr<std::unique_ptr<StunResponder>> StunResponder::Start(
    const net::SocketAddress& listen) {
  auto socket = io::UdpSocket::Bind(listen);
  if (!socket.ok()) return socket.status();
  return std::unique_ptr<StunResponder>(new StunResponder(std::move(socket).value()));
}

StunResponder::StunResponder(io::UdpSocket socket)
    : socket_(std::move(socket)), thread_([this] { Loop(); }) {}

StunResponder::~StunResponder() {
  stop_.store(true);
  thread_.join();
}

void StunResponder::Loop() {
  while (!stop_.load()) {
    auto datagram = socket_.Receive(absl::Milliseconds(200));
    if (!datagram.ok()) {
      std::cerr << "natscope-server: STUN responder: " << datagram.status().message()
                << std::endl;
      continue;
    }
    if (!datagram->has_value()) continue;
    auto reply = StunResponse((*datagram)->payload, (*datagram)->source,
                              socket_.local_address());
    if (reply) (void)socket_.SendTo(*reply, (*datagram)->source);
  }
}

}  // namespace natscope::server
