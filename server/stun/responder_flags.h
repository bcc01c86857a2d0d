// natscope-server's STUN/QUIC command-line flags, turned into
// StunResponderOptions. Pure: parses text, touches no socket.
#ifndef NATSCOPE_SERVER_STUN_RESPONDER_FLAGS_H_
#define NATSCOPE_SERVER_STUN_RESPONDER_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/stun/responder.h"

namespace natscope::server {

// The raw flag values; the initial values are the defaults.
struct StunFlagValues {
  std::string stun_listen = "127.0.0.1:3478";  // IP:PORT; empty = STUN off.
  std::string stun_alt_ip;                     // IP; empty = single address.
  int64_t stun_alt_port = 0;                   // 0 = primary port + 1.
  std::string stun_ports;                      // "53,80,443"; empty = none.
  std::string quic_listen;                     // IP:PORT; empty = QUIC off.
  int64_t stun_rate_limit = 50;                // Replies/s per source.
  int64_t stun_rate_burst = 200;               // Bucket size per source.
  int64_t stun_max_sources = 100000;           // Sources the limiter tracks.
  bool stun_tcp = true;                        // STUN over TCP too.
  int64_t stun_tcp_max_connections = 256;      // Open at once, in all.
  int64_t stun_tcp_max_connections_per_source = 16;  // IPv4 or IPv6 /64.
  absl::Duration stun_tcp_idle_timeout = absl::Seconds(10);
};

// Validates and converts. Returns InvalidArgument with a one-line message
// that names the flag and says what to write instead.
absl::StatusOr<StunResponderOptions> ParseStunFlags(const StunFlagValues& f);

// True when `options` turn on at least one socket.
bool AnyResponderOn(const StunResponderOptions& options);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STUN_RESPONDER_FLAGS_H_
