#include "server/stun/responder.h"

#include <algorithm>

#include <poll.h>

#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace natscope::server {
namespace {

constexpr int kPairAttempts = 20;

// Through common/log, so that --log_format=json covers the responder too.
void Log(absl::string_view message) { LogEvent(LogLevel::kInfo, message); }

absl::Status AltBindError(const absl::Status& status) {
  return absl::Status(
      status.code(),
      absl::StrCat(status.message(),
                   "; --stun_alt_ip must be an address of this host and "
                   "--stun_alt_port a free port"));
}

// One natscope_stun_<what>_total callback, labelled by protocol (stun,
// quic), read from the responder's own counters at scrape time.
metrics::CallbackHandle ExportCounter(
    const StunResponder& responder, absl::string_view name,
    absl::string_view help, int64_t StunServerCounters::*stun,
    int64_t QuicResponderCounters::*quic) {
  return metrics::DefaultRegistry().AddCallback(
      name, help, metrics::MetricType::kCounter, {"protocol"},
      [&responder, stun, quic] {
        const StunResponderCounters c = responder.counters();
        std::vector<metrics::Sample> samples;
        if (stun != nullptr) {
          samples.push_back({{"stun"}, static_cast<double>(c.stun.*stun)});
        }
        if (quic != nullptr) {
          samples.push_back({{"quic"}, static_cast<double>(c.quic.*quic)});
        }
        return samples;
      });
}

std::vector<metrics::CallbackHandle> ExportCounters(
    const StunResponder& responder) {
  std::vector<metrics::CallbackHandle> handles;
  handles.push_back(ExportCounter(
      responder, "natscope_stun_requests_total",
      "Well-formed STUN requests and QUIC packets deserving a version "
      "negotiation, by protocol.",
      &StunServerCounters::requests, &QuicResponderCounters::requests));
  handles.push_back(ExportCounter(
      responder, "natscope_stun_responses_total",
      "STUN replies and QUIC version negotiations sent, by protocol.",
      &StunServerCounters::responses, &QuicResponderCounters::responses));
  handles.push_back(ExportCounter(
      responder, "natscope_stun_rate_limited_total",
      "Replies withheld by the per-source rate limiter, by protocol.",
      &StunServerCounters::rate_limited,
      &QuicResponderCounters::rate_limited));
  handles.push_back(ExportCounter(
      responder, "natscope_stun_ignored_total",
      "Well-formed packets that are never answered, by protocol.",
      &StunServerCounters::ignored, &QuicResponderCounters::ignored));
  handles.push_back(ExportCounter(
      responder, "natscope_stun_malformed_total",
      "Datagrams on STUN ports that are not STUN, undecodable, or fail "
      "FINGERPRINT.",
      &StunServerCounters::malformed, nullptr));
  handles.push_back(ExportCounter(
      responder, "natscope_stun_classic_requests_total",
      "Of the STUN requests, RFC 3489 (classic) ones, answered in kind.",
      &StunServerCounters::classic, nullptr));
  return handles;
}

// Binds A1:P1, A1:P2, A2:P1, A2:P2 (StunSocket order) once.
absl::StatusOr<std::vector<io::UdpSocket>> TryBindQuad(
    const net::SocketAddress& primary, const net::SocketAddress& alt_ip,
    uint16_t alt_port) {
  ASSIGN_OR_RETURN(io::UdpSocket first, io::UdpSocket::Bind(primary));
  const uint16_t p1 = first.local_address().port();
  if (alt_port == 0 && p1 == 65535) {
    return absl::UnavailableError(
        "the primary STUN port is 65535, so P1+1 does not exist: set "
        "--stun_alt_port");
  }
  const uint16_t p2 = alt_port != 0 ? alt_port : p1 + 1;
  std::vector<io::UdpSocket> sockets;
  sockets.push_back(std::move(first));
  for (const net::SocketAddress& address :
       {primary.WithPort(p2), alt_ip.WithPort(p1), alt_ip.WithPort(p2)}) {
    auto socket = io::UdpSocket::Bind(address);
    if (!socket.ok()) return AltBindError(socket.status());
    sockets.push_back(std::move(socket).value());
  }
  return sockets;
}

// The RFC 5780 set: one socket without an alternate IP, else four. With
// primary port 0 a taken P1+1 makes it try another P1.
absl::StatusOr<std::vector<io::UdpSocket>> BindRfc5780Set(
    const StunResponderOptions& options) {
  const net::SocketAddress& primary = *options.stun_listen;
  if (!options.stun_alt_ip) {
    ASSIGN_OR_RETURN(io::UdpSocket socket, io::UdpSocket::Bind(primary));
    std::vector<io::UdpSocket> sockets;
    sockets.push_back(std::move(socket));
    return sockets;
  }
  const int attempts = primary.port() == 0 ? kPairAttempts : 1;
  absl::Status last;
  for (int i = 0; i < attempts; ++i) {
    auto sockets =
        TryBindQuad(primary, *options.stun_alt_ip, options.stun_alt_port);
    if (sockets.ok()) return sockets;
    last = sockets.status();
  }
  return last;
}

}  // namespace

StunResponder::StunResponder(const Clock& clock, RateLimiterOptions rate_limit)
    : clock_(clock), limiter_(rate_limit) {}

absl::StatusOr<std::unique_ptr<StunResponder>> StunResponder::Start(
    const StunResponderOptions& options, const Clock& clock) {
  std::unique_ptr<StunResponder> responder(
      new StunResponder(clock, options.rate_limit));
  RETURN_IF_ERROR(responder->BindAll(options));
  responder->Advertise();
  if (!responder->tcp_listeners_.empty()) {
    ASSIGN_OR_RETURN(responder->tcp_,
                     StunTcpResponder::Start(
                         std::move(responder->tcp_listeners_), options.tcp,
                         options.rate_limit, clock));
  }
  responder->thread_ = std::thread([r = responder.get()] { r->Loop(); });
  responder->metrics_ = ExportCounters(*responder);
  return responder;
}

absl::Status StunResponder::BindAll(const StunResponderOptions& options) {
  if (options.stun_listen) {
    ASSIGN_OR_RETURN(
        UdpAndTcpSockets bound,
        BindUdpAndTcp([&options] { return BindRfc5780Set(options); },
                      options.tcp.enabled, options.stun_listen->port() == 0,
                      options.tcp.backlog));
    std::vector<io::UdpSocket>& set = bound.udp;
    StunServerConfig config{set[0].local_address(), std::nullopt};
    if (set.size() == 4) config.alternate = set[3].local_address();
    for (size_t i = 0; i < bound.tcp.size(); ++i) {
      tcp_listeners_.push_back(
          {std::move(bound.tcp[i]), config, static_cast<StunSocket>(i)});
    }
    ASSIGN_OR_RETURN(StunServerCore core,
                     StunServerCore::Create(config, &limiter_));
    rfc5780_.emplace(std::move(core));
    for (size_t i = 0; i < set.size(); ++i) {
      endpoints_.push_back({std::move(set[i]), Endpoint::Kind::kRfc5780,
                            static_cast<StunSocket>(i), 0});
    }
    for (uint16_t port : options.stun_ports) {
      RETURN_IF_ERROR(
          BindPlain(options.stun_listen->WithPort(port), options.tcp));
    }
  }
  if (options.quic_listen) {
    auto socket = io::UdpSocket::Bind(*options.quic_listen);
    if (!socket.ok()) {
      return absl::Status(
          socket.status().code(),
          absl::StrCat(socket.status().message(), "; or change --quic_listen"));
    }
    quic_.emplace(&limiter_,
                  static_cast<uint64_t>(absl::ToUnixNanos(clock_.Now())));
    // The QUIC port answers STUN too, so an agent's outbound-port check of
    // that port (often 443) sees it open rather than silent.
    StunServerConfig plain{socket->local_address(), std::nullopt};
    ASSIGN_OR_RETURN(StunServerCore core,
                     StunServerCore::Create(plain, &limiter_));
    plain_.push_back(std::move(core));
    endpoints_.push_back({std::move(socket).value(), Endpoint::Kind::kQuic,
                          StunSocket::kPrimary, plain_.size() - 1});
  }
  return absl::OkStatus();
}

void StunResponder::Advertise() {
  std::vector<uint16_t> ports;
  if (endpoints_.empty()) return;
  // Only ports on the primary IP: the agent checks outbound rules there.
  const std::string primary_ip = endpoints_[0].socket.local_address().IpString();
  for (const Endpoint& e : endpoints_) {
    const bool on_primary_ip =
        e.socket.local_address().IpString() == primary_ip;
    const uint16_t port = e.socket.local_address().port();
    if (on_primary_ip &&
        std::find(ports.begin(), ports.end(), port) == ports.end()) {
      ports.push_back(port);
    }
  }
  if (rfc5780_) rfc5780_->set_advertised_ports(ports);
  for (StunServerCore& core : plain_) core.set_advertised_ports(ports);
}

absl::Status StunResponder::BindPlain(const net::SocketAddress& address,
                                      const StunTcpOptions& tcp) {
  auto bind_udp = [&address]() -> absl::StatusOr<std::vector<io::UdpSocket>> {
    auto socket = io::UdpSocket::Bind(address);
    if (!socket.ok()) {
      return absl::Status(socket.status().code(),
                          absl::StrCat(socket.status().message(),
                                       "; or remove it from --stun_ports"));
    }
    std::vector<io::UdpSocket> one;
    one.push_back(std::move(socket).value());
    return one;
  };
  ASSIGN_OR_RETURN(UdpAndTcpSockets bound,
                   BindUdpAndTcp(bind_udp, tcp.enabled, address.port() == 0,
                                 tcp.backlog));
  io::UdpSocket& socket = bound.udp[0];
  StunServerConfig plain{socket.local_address(), std::nullopt};
  if (!bound.tcp.empty()) {
    tcp_listeners_.push_back({std::move(bound.tcp[0]), plain,
                              StunSocket::kPrimary});
  }
  ASSIGN_OR_RETURN(StunServerCore core,
                   StunServerCore::Create(plain, &limiter_));
  plain_.push_back(std::move(core));
  endpoints_.push_back({std::move(socket), Endpoint::Kind::kPlain,
                        StunSocket::kPrimary, plain_.size() - 1});
  return absl::OkStatus();
}

StunResponder::~StunResponder() {
  stop_.store(true);
  if (!thread_.joinable()) return;  // Start() failed: nothing was served.
  thread_.join();
  const StunResponderCounters c = counters();
  Log(absl::StrCat("STUN: ", c.stun.requests, " requests, ", c.stun.responses,
                   " responses, ", c.stun.rate_limited, " rate-limited, ",
                   c.stun.malformed, " malformed; QUIC: ", c.quic.requests,
                   " probes, ", c.quic.responses, " version negotiations, ",
                   c.quic.rate_limited, " rate-limited"));
}

void StunResponder::Loop() {
  std::vector<pollfd> fds;
  for (const Endpoint& e : endpoints_)
    fds.push_back({e.socket.fd(), POLLIN, 0});
  while (!stop_.load()) {
    for (pollfd& f : fds) f.revents = 0;
    if (poll(fds.data(), fds.size(), 200) <= 0) continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLERR)) == 0) continue;
      auto datagram = endpoints_[i].socket.Receive(absl::ZeroDuration());
      if (!datagram.ok()) {
        Log(absl::StrCat("UDP responder: ", datagram.status().message()));
        continue;
      }
      if (datagram->has_value()) Serve(endpoints_[i], **datagram);
    }
  }
}

void StunResponder::Serve(Endpoint& endpoint, const io::Datagram& datagram) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  switch (endpoint.kind) {
    case Endpoint::Kind::kQuic: {
      // QUIC packets start with a set high bit; STUN messages with two
      // zero bits (RFC 7983 demultiplexing).
      const bool stun = !datagram.payload.empty() &&
                        (static_cast<uint8_t>(datagram.payload[0]) & 0xC0) == 0;
      if (stun) {
        auto reply = plain_[endpoint.plain_index].Handle(
            datagram.payload, StunSocket::kPrimary, datagram.source, now);
        if (reply) (void)endpoint.socket.SendTo(reply->bytes, reply->to);
        return;
      }
      auto vn = quic_->Handle(datagram.payload, datagram.source, now);
      if (vn) (void)endpoint.socket.SendTo(*vn, datagram.source);
      return;
    }
    case Endpoint::Kind::kPlain: {
      auto reply = plain_[endpoint.plain_index].Handle(
          datagram.payload, StunSocket::kPrimary, datagram.source, now);
      if (reply) (void)endpoint.socket.SendTo(reply->bytes, reply->to);
      return;
    }
    case Endpoint::Kind::kRfc5780: {
      auto reply = rfc5780_->Handle(datagram.payload, endpoint.which,
                                    datagram.source, now);
      Endpoint* from = reply ? Rfc5780Endpoint(reply->from) : nullptr;
      if (from != nullptr) (void)from->socket.SendTo(reply->bytes, reply->to);
      return;
    }
  }
}

StunResponder::Endpoint* StunResponder::Rfc5780Endpoint(StunSocket which) {
  const size_t index = static_cast<size_t>(which);
  if (index >= endpoints_.size()) return nullptr;
  Endpoint& e = endpoints_[index];
  if (e.kind != Endpoint::Kind::kRfc5780 || e.which != which) return nullptr;
  return &e;
}

std::optional<net::SocketAddress> StunResponder::stun_address() const {
  if (!rfc5780_) return std::nullopt;
  return rfc5780_->AddressOf(StunSocket::kPrimary);
}

std::optional<net::SocketAddress> StunResponder::stun_alt_address() const {
  if (!rfc5780_ || !rfc5780_->has_alternate()) return std::nullopt;
  return rfc5780_->AddressOf(StunSocket::kAltIpAltPort);
}

std::vector<net::SocketAddress> StunResponder::extra_stun_addresses() const {
  std::vector<net::SocketAddress> out;
  for (const Endpoint& e : endpoints_) {
    if (e.kind == Endpoint::Kind::kPlain) out.push_back(e.socket.local_address());
  }
  return out;
}

std::optional<net::SocketAddress> StunResponder::quic_address() const {
  for (const Endpoint& e : endpoints_) {
    if (e.kind == Endpoint::Kind::kQuic) return e.socket.local_address();
  }
  return std::nullopt;
}

std::string StunResponder::PortFileLines() const {
  std::string out =
      absl::StrCat("stun=", stun_address() ? stun_address()->port() : 0, "\n");
  if (auto alt = stun_alt_address())
    absl::StrAppend(&out, "stun_alt=", alt->port(), "\n");
  if (!plain_.empty()) {
    std::vector<uint16_t> ports;
    for (const auto& a : extra_stun_addresses()) ports.push_back(a.port());
    absl::StrAppend(&out, "stun_ports=", absl::StrJoin(ports, ","), "\n");
  }
  if (auto quic = quic_address())
    absl::StrAppend(&out, "quic=", quic->port(), "\n");
  return out;
}

std::string StunResponder::Describe() const {
  std::string out = "STUN off";
  if (auto stun = stun_address()) {
    out = absl::StrCat("STUN on ", stun->ToString());
    if (auto alt = stun_alt_address()) {
      absl::StrAppend(&out, " (RFC 5780, alternate ", alt->ToString(), ")");
    } else {
      absl::StrAppend(&out, " (single address: no RFC 5780 CHANGE-REQUEST)");
    }
    std::vector<std::string> extra;
    for (const auto& a : extra_stun_addresses()) extra.push_back(a.ToString());
    if (!extra.empty())
      absl::StrAppend(&out, ", plain STUN on ", absl::StrJoin(extra, ", "));
    if (tcp_) absl::StrAppend(&out, "; ", tcp_->Describe());
  }
  if (auto quic = quic_address()) {
    absl::StrAppend(&out, ", QUIC version negotiation on ", quic->ToString());
  }
  return out;
}

StunResponderCounters StunResponder::counters() const {
  absl::MutexLock lock(&mu_);
  StunResponderCounters out;
  if (rfc5780_) out.stun += rfc5780_->counters();
  for (const StunServerCore& core : plain_) out.stun += core.counters();
  if (quic_) out.quic = quic_->counters();
  if (tcp_) out.tcp = tcp_->counters();
  return out;
}

}  // namespace natscope::server
