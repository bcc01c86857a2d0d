#include "ingest/probe/port_check.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "common/stun/codec.h"
#include "ingest/probe/binding.h"

namespace natscope::ingest {
namespace {

struct Probe {
  int fd = -1;
  std::string wire;
  stun::TransactionId id;
  absl::Time sent;
  bool done = false;
};

// Opens a socket connected to `to` and encodes a fresh request for it.
Probe Open(const net::SocketAddress& to) {
  Probe p;
  socklen_t len = 0;
  sockaddr_storage addr = to.ToSockaddr(&len);
  p.fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (p.fd >= 0 && connect(p.fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    close(p.fd);
    p.fd = -1;
  }
  stun::Message request = NewBindingRequest();
  p.id = request.transaction_id;
  stun::EncodeOptions options;
  options.add_fingerprint = true;
  auto encoded = stun::Encode(request, options);
  if (encoded.ok()) p.wire.assign(encoded->begin(), encoded->end());
  return p;
}

// Reads what is waiting on `p`; fills `*check` when it concludes.
void Read(Probe& p, absl::Time now, v1::PortCheck* check) {
  char buffer[2048];
  while (!p.done) {
    const ssize_t n = recv(p.fd, buffer, sizeof(buffer), 0);
    if (n < 0) {
      if (errno == ECONNREFUSED) {
        p.done = true;
        check->set_not_served(true);
      }
      return;
    }
    auto decoded = stun::Decode(absl::Span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(buffer), static_cast<size_t>(n)));
    if (decoded.ok() && decoded->transaction_id == p.id &&
        decoded->message_class == stun::MessageClass::kSuccessResponse) {
      p.done = true;
      check->set_passed(true);
      check->set_rtt_micros(absl::ToInt64Microseconds(now - p.sent));
    }
  }
}

}  // namespace

std::vector<v1::PortCheck> CheckPorts(const net::SocketAddress& server_ip,
                                      const std::vector<int>& ports,
                                      const std::vector<uint16_t>& served,
                                      absl::Duration interval,
                                      absl::Duration wait, const Clock& clock) {
  std::vector<v1::PortCheck> checks(ports.size());
  std::vector<Probe> probes;
  for (size_t i = 0; i < ports.size(); ++i) {
    const net::SocketAddress to = server_ip.WithPort(static_cast<uint16_t>(ports[i]));
    checks[i].set_port(ports[i]);
    checks[i].set_server(to.ToString());
    probes.push_back(Open(to));
    if (probes.back().fd < 0) probes.back().done = true;
  }
  const absl::Time start = clock.Now();
  absl::Time next_send = start;
  while (clock.Now() < start + wait) {
    const absl::Time now = clock.Now();
    std::vector<pollfd> fds;
    std::vector<size_t> index;
    for (size_t i = 0; i < probes.size(); ++i) {
      if (probes[i].done) continue;
      if (now >= next_send) {
        (void)send(probes[i].fd, probes[i].wire.data(), probes[i].wire.size(), 0);
        probes[i].sent = now;
      }
      fds.push_back({probes[i].fd, POLLIN | POLLERR, 0});
      index.push_back(i);
    }
    if (fds.empty()) break;
    if (now >= next_send) next_send = now + interval;
    const absl::Time wake = std::min(next_send, start + wait);
    const int ms = static_cast<int>(std::max<int64_t>(
        1, absl::ToInt64Milliseconds(wake - clock.Now())));
    if (poll(fds.data(), fds.size(), ms) <= 0) continue;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents != 0) Read(probes[index[k]], clock.Now(), &checks[index[k]]);
    }
  }
  for (size_t i = 0; i < probes.size(); ++i) {
    if (probes[i].fd >= 0) close(probes[i].fd);
    v1::PortCheck& c = checks[i];
    const bool listed = std::find(served.begin(), served.end(), c.port()) != served.end();
    if (!c.passed() && !c.not_served() && !listed) c.set_inconclusive(true);
  }
  return checks;
}

}  // namespace natscope::ingest
