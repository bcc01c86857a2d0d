#include "ingest/probe/binding.h"

#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"

namespace natscope::ingest {
namespace {

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The decoded response when `payload` answers `request`, else nullopt.
std::optional<stun::Message> MatchResponse(const std::string& payload,
                                           const stun::Message& request) {
  if (!stun::IsStunMessage(Bytes(payload))) return std::nullopt;
  auto decoded = stun::Decode(Bytes(payload));
  if (!decoded.ok()) return std::nullopt;
  if (decoded->transaction_id != request.transaction_id) return std::nullopt;
  if (decoded->message_class != stun::MessageClass::kSuccessResponse &&
      decoded->message_class != stun::MessageClass::kErrorResponse) {
    return std::nullopt;
  }
  return std::move(decoded).value();
}

void Describe(const stun::Message& response, v1::StunObservation* out) {
  if (response.message_class == stun::MessageClass::kErrorResponse) {
    const auto& error = response.error_code;
    out->set_error(error ? absl::StrCat("error ", error->code, " ", error->reason)
                         : "error response without ERROR-CODE");
    return;
  }
  if (response.xor_mapped_address) {
    out->set_mapped_address(response.xor_mapped_address->ToString());
  } else if (response.mapped_address) {
    out->set_mapped_address(response.mapped_address->ToString());
  } else {
    out->set_error("response carries no mapped address");
  }
  if (response.response_origin) {
    out->set_response_origin(response.response_origin->ToString());
  } else if (response.source_address) {
    out->set_response_origin(response.source_address->ToString());
  }
  if (response.other_address) {
    out->set_other_address(response.other_address->ToString());
  } else if (response.changed_address) {
    out->set_other_address(response.changed_address->ToString());
  }
}

}  // namespace

stun::Message NewBindingRequest() {
  static absl::Mutex* const mu = new absl::Mutex;
  static absl::BitGen* const gen = new absl::BitGen;
  absl::MutexLock lock(mu);
  return stun::MakeBindingRequest(stun::NewTransactionId(*gen));
}

BindingResult RunBinding(io::UdpSocket& socket, const net::SocketAddress& server,
                         const stun::Message& request,
                         const net::SocketAddress& local_address,
                         const RetransmitPolicy& policy, const Clock& clock,
                         const std::string& test) {
  BindingResult result;
  v1::StunObservation& obs = result.observation;
  obs.set_server(server.ToString());
  obs.set_test(test);
  obs.set_local_address(local_address.ToString());
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto encoded = stun::Encode(request, options);
  if (!encoded.ok()) {
    obs.set_error(std::string(encoded.status().message()));
    return result;
  }
  const std::string wire(encoded->begin(), encoded->end());
  const std::vector<absl::Duration> offsets = TransmissionOffsets(policy);
  const absl::Time start = clock.Now();
  absl::Time last_sent = start;
  size_t next = 0;
  while (true) {
    const absl::Time now = clock.Now();
    if (next < offsets.size() && now >= start + offsets[next]) {
      absl::Status sent = socket.SendTo(wire, server);
      if (!sent.ok()) obs.set_error(std::string(sent.message()));
      last_sent = now;
      obs.set_transmissions(static_cast<int>(++next));
      continue;
    }
    const absl::Time wake =
        next < offsets.size() ? start + offsets[next] : start + policy.timeout;
    if (now >= start + policy.timeout) break;
    auto datagram = socket.Receive(wake - now);
    if (!datagram.ok()) {
      obs.set_error(std::string(datagram.status().message()));
      break;
    }
    if (!datagram->has_value()) continue;
    auto response = MatchResponse((*datagram)->payload, request);
    if (!response) continue;
    obs.set_answered(true);
    obs.set_rtt_micros(absl::ToInt64Microseconds(clock.Now() - last_sent));
    Describe(*response, &obs);
    result.response = std::move(response);
    return result;
  }
  if (obs.error().empty()) {
    obs.set_error(absl::StrCat("timeout after ", absl::FormatDuration(policy.timeout)));
  }
  return result;
}

}  // namespace natscope::ingest
