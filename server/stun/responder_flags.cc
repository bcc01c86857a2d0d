#include "server/stun/responder_flags.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace natscope::server {
namespace {

// Caps the rate limiter's table at about 1.2 GB.
constexpr int64_t kMaxStunSources = 10000000;
// Each STUN over TCP connection holds a file descriptor and up to about
// 20 KiB of buffers.
constexpr int64_t kMaxStunTcpConnections = 65536;

absl::Status Invalid(absl::string_view flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", what));
}

absl::StatusOr<std::vector<uint16_t>> ParsePorts(absl::string_view text) {
  std::vector<uint16_t> ports;
  for (absl::string_view item :
       absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    uint32_t port = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(item), &port) ||
        port > 65535) {
      return Invalid("stun_ports",
                     absl::StrCat("\"", item,
                                  "\" is not a port; write a comma-separated "
                                  "list such as 53,80,443,19302"));
    }
    ports.push_back(static_cast<uint16_t>(port));
  }
  return ports;
}

absl::Status ParseAlternate(const StunFlagValues& f,
                            StunResponderOptions* out) {
  if (f.stun_alt_port < 0 || f.stun_alt_port > 65535) {
    return Invalid("stun_alt_port", "must be 0 (primary port + 1) to 65535");
  }
  if (f.stun_alt_ip.empty()) {
    if (f.stun_alt_port != 0) {
      return Invalid("stun_alt_port",
                     "needs --stun_alt_ip (the alternate "
                     "address RFC 5780 tests use); set both or neither");
    }
    return absl::OkStatus();
  }
  if (!out->stun_listen) {
    return Invalid("stun_alt_ip", "needs --stun_listen; STUN is off");
  }
  auto alt = net::SocketAddress::FromIp(f.stun_alt_ip, 0);
  if (!alt.ok()) {
    return Invalid("stun_alt_ip",
                   absl::StrCat(alt.status().message(),
                                "; give a bare IP such as 192.0.2.2"));
  }
  out->stun_alt_ip = *alt;
  out->stun_alt_port = static_cast<uint16_t>(f.stun_alt_port);
  // The same rules as StunServerCore::Create, checked before any bind so
  // that the message names the real problem.
  StunServerConfig config{
      *out->stun_listen,
      alt->WithPort(out->stun_alt_port != 0 ? out->stun_alt_port
                                            : out->stun_listen->port() + 1)};
  if (out->stun_listen->port() == 65535 && out->stun_alt_port == 0) {
    return Invalid("stun_alt_port", "primary port 65535 has no +1; set it");
  }
  RateLimiter unused;
  return StunServerCore::Create(config, &unused).status();
}

absl::Status ParseTcp(const StunFlagValues& f, StunTcpOptions* out) {
  if (f.stun_tcp_max_connections < 1 ||
      f.stun_tcp_max_connections > kMaxStunTcpConnections) {
    return Invalid("stun_tcp_max_connections",
                   absl::StrCat("must be 1 to ", kMaxStunTcpConnections,
                                " (each takes a file descriptor); "
                                "--nostun_tcp turns STUN over TCP off"));
  }
  // Above --stun_tcp_max_connections it is simply never reached.
  if (f.stun_tcp_max_connections_per_source < 1 ||
      f.stun_tcp_max_connections_per_source > kMaxStunTcpConnections) {
    return Invalid("stun_tcp_max_connections_per_source",
                   absl::StrCat("must be 1 to ", kMaxStunTcpConnections));
  }
  // Below a second a client on a slow link could lose its connection
  // between two requests; above an hour a few sources could hold every
  // connection with nothing to say.
  if (f.stun_tcp_idle_timeout < absl::Seconds(1) ||
      f.stun_tcp_idle_timeout > absl::Hours(1)) {
    return Invalid("stun_tcp_idle_timeout",
                   absl::StrCat("must be 1s to 1h, not ",
                                absl::FormatDuration(f.stun_tcp_idle_timeout),
                                "; write e.g. 10s or 2m"));
  }
  out->enabled = f.stun_tcp;
  out->max_connections = static_cast<size_t>(f.stun_tcp_max_connections);
  out->max_connections_per_source =
      static_cast<size_t>(f.stun_tcp_max_connections_per_source);
  out->idle_timeout = f.stun_tcp_idle_timeout;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StunResponderOptions> ParseStunFlags(const StunFlagValues& f) {
  StunResponderOptions out;
  if (!f.stun_listen.empty()) {
    auto listen = net::SocketAddress::Parse(f.stun_listen);
    if (!listen.ok()) {
      return Invalid("stun_listen",
                     absl::StrCat(listen.status().message(),
                                  "; write IP:PORT such as 0.0.0.0:3478"));
    }
    out.stun_listen = *listen;
  }
  absl::Status alt = ParseAlternate(f, &out);
  if (!alt.ok()) return alt;
  auto ports = ParsePorts(f.stun_ports);
  if (!ports.ok()) return ports.status();
  if (!ports->empty() && !out.stun_listen) {
    return Invalid("stun_ports", "needs --stun_listen (the IP they listen on)");
  }
  out.stun_ports = *ports;
  if (!f.quic_listen.empty()) {
    auto quic = net::SocketAddress::Parse(f.quic_listen);
    if (!quic.ok()) {
      return Invalid("quic_listen",
                     absl::StrCat(quic.status().message(),
                                  "; write IP:PORT such as 0.0.0.0:443"));
    }
    out.quic_listen = *quic;
  }
  if (f.stun_rate_limit < 0) {
    return Invalid("stun_rate_limit", "must be >= 0 (0 turns the limit off)");
  }
  if (f.stun_rate_burst < 1) {
    return Invalid("stun_rate_burst", "must be at least 1");
  }
  if (f.stun_max_sources < 1 || f.stun_max_sources > kMaxStunSources) {
    return Invalid("stun_max_sources",
                   absl::StrCat("must be 1 to ", kMaxStunSources,
                                " (about 120 bytes of memory each)"));
  }
  out.rate_limit.rate_per_second = static_cast<double>(f.stun_rate_limit);
  out.rate_limit.burst = static_cast<double>(f.stun_rate_burst);
  out.rate_limit.max_sources = static_cast<size_t>(f.stun_max_sources);
  absl::Status tcp = ParseTcp(f, &out.tcp);
  if (!tcp.ok()) return tcp;
  return out;
}

bool AnyResponderOn(const StunResponderOptions& options) {
  return options.stun_listen.has_value() || options.quic_listen.has_value();
}

}  // namespace natscope::server
