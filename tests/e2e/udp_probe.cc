// Test-only UDP client for tests/e2e/stun_server_test.sh: sends one STUN
// Binding request (with optional RFC 5780 attributes) or one QUIC version
// probe and prints what came back as key=value lines.
//
//   udp_probe stun 127.0.0.1:3478 [--change_ip] [--change_port]
//       [--response_port] [--padding=N] [--local=IP:PORT]
//   udp_probe quic 127.0.0.1:4433
//
// --response_port binds a second socket and asks the server to answer on
// its port. Exits 0 with a reply, 1 with "FAIL: ..." on timeout or error.
#include <poll.h>

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/flags.h"
#include "common/io/udp_socket.h"
#include "common/quic/version_negotiation.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"

namespace natscope {
namespace {

struct Options {
  bool change_ip = false;
  bool change_port = false;
  bool response_port = false;
  int64_t padding = -1;
  std::string local = "127.0.0.1:0";
  absl::Duration timeout = absl::Seconds(3);
};

int Fail(const std::string& message) {
  std::cout << "FAIL: " << message << std::endl;
  return 1;
}

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()),
                                   s.size());
}

// Waits on every socket; returns the index that got a datagram.
std::optional<std::pair<size_t, io::Datagram>> ReceiveAny(
    std::vector<io::UdpSocket>& sockets, absl::Duration timeout) {
  std::vector<pollfd> fds;
  for (auto& s : sockets) fds.push_back({s.fd(), POLLIN, 0});
  if (poll(fds.data(), fds.size(), absl::ToInt64Milliseconds(timeout)) <= 0) {
    return std::nullopt;
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    if (!(fds[i].revents & POLLIN)) continue;
    auto d = sockets[i].Receive(absl::ZeroDuration());
    if (d.ok() && d->has_value()) return std::make_pair(i, **d);
  }
  return std::nullopt;
}

void PrintStun(const stun::Message& m) {
  auto print = [](const char* key, const std::optional<net::SocketAddress>& a) {
    if (a) std::cout << key << "=" << a->ToString() << "\n";
  };
  print("mapped", m.xor_mapped_address);
  print("origin", m.response_origin);
  print("other", m.other_address);
  if (m.error_code) std::cout << "error=" << m.error_code->code << "\n";
  if (m.unknown_attributes) {
    for (uint16_t t : *m.unknown_attributes) {
      std::cout << absl::StrFormat("unknown=0x%04x\n", t);
    }
  }
  if (m.padding_length) std::cout << "padding=" << *m.padding_length << "\n";
}

int Stun(const net::SocketAddress& server, const Options& o) {
  std::vector<io::UdpSocket> sockets;
  for (int i = 0; i < (o.response_port ? 2 : 1); ++i) {
    auto local = net::SocketAddress::Parse(i == 0 ? o.local : "127.0.0.1:0");
    if (!local.ok()) return Fail(std::string(local.status().message()));
    auto s = io::UdpSocket::Bind(*local);
    if (!s.ok()) return Fail(std::string(s.status().message()));
    sockets.push_back(std::move(*s));
  }
  absl::BitGen gen;
  std::optional<stun::ChangeRequest> change;
  if (o.change_ip || o.change_port) change = {o.change_ip, o.change_port};
  stun::Message request =
      stun::MakeBindingRequest(stun::NewTransactionId(gen), change);
  if (o.response_port)
    request.response_port = sockets[1].local_address().port();
  if (o.padding >= 0) request.padding_length = static_cast<uint16_t>(o.padding);
  stun::EncodeOptions encode;
  encode.add_fingerprint = true;
  auto bytes = stun::Encode(request, encode);
  if (!bytes.ok()) return Fail(std::string(bytes.status().message()));
  const std::string wire(bytes->begin(), bytes->end());
  absl::Status sent = sockets[0].SendTo(wire, server);
  if (!sent.ok()) return Fail(std::string(sent.message()));
  auto reply = ReceiveAny(sockets, o.timeout);
  if (!reply)
    return Fail(absl::StrCat("no STUN reply from ", server.ToString()));
  auto m = stun::Decode(Bytes(reply->second.payload));
  if (!m.ok()) return Fail(std::string(m.status().message()));
  if (m->transaction_id != request.transaction_id)
    return Fail("wrong transaction id");
  std::cout << "received_on="
            << (reply->first == 0 ? "sender" : "response_port")
            << "\nfrom=" << reply->second.source.ToString()
            << "\nsender=" << sockets[0].local_address().ToString()
            << "\nrequest_size=" << wire.size()
            << "\nsize=" << reply->second.payload.size() << "\n";
  PrintStun(*m);
  return 0;
}

int Quic(const net::SocketAddress& server, const Options& o) {
  auto local = net::SocketAddress::Parse(o.local);
  if (!local.ok()) return Fail(std::string(local.status().message()));
  auto socket = io::UdpSocket::Bind(*local);
  if (!socket.ok()) return Fail(std::string(socket.status().message()));
  absl::BitGen gen;
  quic::VersionProbe probe = quic::BuildVersionProbe(gen);
  absl::Status sent = socket->SendTo(
      std::string(probe.bytes.begin(), probe.bytes.end()), server);
  if (!sent.ok()) return Fail(std::string(sent.message()));
  const absl::Time deadline = absl::Now() + o.timeout;
  while (absl::Now() < deadline) {
    auto d = socket->Receive(deadline - absl::Now());
    if (!d.ok()) return Fail(std::string(d.status().message()));
    if (!d->has_value()) break;
    auto vn = quic::ParseProbeAnswer(Bytes((*d)->payload), probe);
    if (!vn.ok()) {
      std::cout << "ignored: " << vn.status().message() << "\n";
      continue;
    }
    std::cout << absl::StrFormat("probe_version=0x%08x\n", probe.version)
              << "from=" << (*d)->source.ToString() << "\nversions=";
    for (uint32_t v : vn->supported_versions) {
      std::cout << absl::StrFormat("0x%08x,", v);
    }
    std::cout << "\nsize=" << (*d)->payload.size() << std::endl;
    return 0;
  }
  return Fail(absl::StrCat("no Version Negotiation from ", server.ToString()));
}

int Main(int argc, char** argv) {
  Options o;
  FlagSet flags("udp_probe", "usage: udp_probe stun|quic HOST:PORT [flags]");
  flags.Bool("change_ip", &o.change_ip, "CHANGE-REQUEST change-ip.");
  flags.Bool("change_port", &o.change_port, "CHANGE-REQUEST change-port.");
  flags.Bool("response_port", &o.response_port,
             "Ask for the reply on a second socket (RESPONSE-PORT).");
  flags.Int("padding", &o.padding, "Add PADDING of this many bytes.");
  flags.String("local", &o.local, "Local IP:PORT of the sending socket.");
  flags.Duration("timeout", &o.timeout, "How long to wait for the reply.");
  std::vector<std::string> positional;
  absl::Status parsed =
      flags.Parse(std::vector<std::string>(argv + 1, argv + argc), &positional);
  if (!parsed.ok()) return Fail(std::string(parsed.message()));
  if (positional.size() != 2)
    return Fail("usage: udp_probe stun|quic HOST:PORT");
  auto server = net::SocketAddress::Parse(positional[1]);
  if (!server.ok()) return Fail(std::string(server.status().message()));
  if (positional[0] == "stun") return Stun(*server, o);
  if (positional[0] == "quic") return Quic(*server, o);
  return Fail("the first argument must be stun or quic");
}

}  // namespace
}  // namespace natscope

int main(int argc, char** argv) { return natscope::Main(argc, argv); }
