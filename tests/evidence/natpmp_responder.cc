#include "tests/evidence/natpmp_responder.h"

#include <cstring>

#include "absl/time/clock.h"

namespace natscope::tests {
namespace {

void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void Put32(std::string* out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xffff));
}

}  // namespace

std::string NatPmpAnswer(absl::string_view request,
                         const NatPmpResponder::Options& options,
                         uint32_t epoch_seconds) {
  if (request.size() < 2) return "";
  const uint8_t version = static_cast<uint8_t>(request[0]);
  const uint8_t opcode = static_cast<uint8_t>(request[1]) & 0x7f;
  if ((static_cast<uint8_t>(request[1]) & 0x80) != 0) return "";  // response
  std::string out;
  out.push_back(0);
  out.push_back(static_cast<char>(128 + opcode));
  if (version != 0) {  // RFC 6886 section 3.5; also how PCP learns of us
    Put16(&out, 1);
    Put32(&out, epoch_seconds);
    return out;
  }
  if (opcode != 0) {
    Put16(&out, 5);
    Put32(&out, epoch_seconds);
    return out;
  }
  Put16(&out, options.result_code);
  Put32(&out, epoch_seconds);
  absl::Span<const uint8_t> ip = options.external.address_bytes();
  out.append(reinterpret_cast<const char*>(ip.data()), 4);
  return out;
}

absl::StatusOr<std::unique_ptr<NatPmpResponder>> NatPmpResponder::Start(
    const Options& options) {
  auto socket = io::UdpSocket::Bind(options.listen);
  if (!socket.ok()) return socket.status();
  std::unique_ptr<NatPmpResponder> r(
      new NatPmpResponder(options, std::move(*socket)));
  r->thread_ = std::thread([p = r.get()] { p->Serve(); });
  return r;
}

NatPmpResponder::NatPmpResponder(const Options& options, io::UdpSocket socket)
    : options_(options), socket_(std::move(socket)) {}

NatPmpResponder::~NatPmpResponder() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void NatPmpResponder::Serve() {
  const absl::Time start = absl::Now();
  while (!stop_) {
    auto datagram = socket_.Receive(absl::Milliseconds(50));
    if (!datagram.ok() || !datagram->has_value()) continue;
    const uint32_t epoch =
        static_cast<uint32_t>(absl::ToInt64Seconds(absl::Now() - start));
    const std::string answer =
        NatPmpAnswer((*datagram)->payload, options_, epoch);
    if (answer.empty()) continue;
    ++requests_;
    socket_.SendTo(answer, (*datagram)->source).IgnoreError();
  }
}

}  // namespace natscope::tests
