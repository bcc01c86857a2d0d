// Writes a synthetic product log for tools/bench.sh: client and connector
// lines behind the prefixes real hosts add, with about 1% relevant lines
// (stun_nat_type, sdwan_state, relay errors, ANALYTICS).
//
// usage: log_gen BYTES > FILE
// Prints the number of relevant lines on stderr. Deterministic (fixed seed).
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

uint64_t state = 0x9E3779B97F4A7C15ull;

uint64_t Next() {  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }

const char* const kNoise[] = {
    "[DEBUG] [libsdwan] tunnel::on_packet: rx %u bytes from 10.%u.%u.7:51820",
    "[INFO] [libsdwan] [controller] run_state_machine: state Online, peers %u",
    "[DEBUG] [libsdwan] listen::channel_event: channel %u keepalive ok",
    "[INFO] [connector] State: Online",
    "[WARN] [libsdwan] [controller] operator(): failed to get SD: Gone, code "
    "410",
    "[DEBUG] [libsdwan] dns::resolve: resource-%u.corp.example.com -> "
    "10.%u.4.%u",
    "[INFO] [libsdwan] relay::heartbeat: relay 203.0.113.%u:443 rtt %ums",
    "[DEBUG] [libsdwan] [controller] refresh_tokens: next refresh in %us",
    "[INFO] [client] connection %u to resource 10.%u.0.%u:443 established",
    "[DEBUG] [libsdwan] peer::update: endpoint 198.51.100.%u:%u via stun",
};

int Prefix(char* out, uint32_t n) {
  const unsigned h = 10 + n % 13, m = n % 60, s = (n / 7) % 60, ms = n % 1000;
  switch (n % 4) {
    case 0:
      return sprintf(out,
                     "[2026-11-25T%02u:%02u:%02u.%03u%03uZ][Connector]: ", h, m,
                     s, ms, n % 997);
    case 1:
      return sprintf(
          out, "Nov 25 %02u:%02u:%02u host twingate-connector[812]: ", h, m, s);
    case 2:
      return sprintf(out, "2026-11-25 %02u:%02u:%02u.%03u ", h, m, s, ms);
    default:
      return 0;
  }
}

int Relevant(char* out, uint32_t n) {
  switch (n % 6) {
    case 0:
      return sprintf(
          out, "[INFO] [libsdwan] stun_nat_type: %s",
          n % 12 == 0 ? "endpoint-dependent" : "endpoint-independent");
    case 1:
      return sprintf(out, "[INFO] [libsdwan] sdwan_state: %s",
                     n % 5 == 0 ? "Offline User" : "Online");
    case 2:
      return sprintf(
          out,
          "[ERROR] [libsdwan] listen::maintain_relay_connectivity: relay "
          "203.0.113.%u:443 is not available, disconnect",
          n % 250);
    default:
      return sprintf(
          out,
          "ANALYTICS {\"connection\": {\"cbct_freshness\": -97,\"client_ip\": "
          "\"\",\"duration\": %u,\"id\": \"e755ba99988db558-%u\",\"protocol\": "
          "\"tcp\",\"resource_ip\": \"\",\"resource_port\": 443,\"rx\": "
          "%u,\"tx\": "
          "%u,\"tunnel_path\": \"%s\",\"tunnel_proto\": \"%s\"},\"connector\": "
          "{\"id\": \"%u\",\"name\": \"conn-%u\"},\"resource\": {\"address\": "
          "\"10.0.0.%u\",\"id\": \"%u\"}}",
          n * 7, n % 100, n * 3, n * 2, n % 3 == 0 ? "relayed" : "direct",
          n % 2 ? "quic" : "udp", n % 9, n % 9, n % 250, n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: log_gen BYTES > FILE\n");
    return 2;
  }
  const uint64_t target = strtoull(argv[1], nullptr, 10);
  static char buffer[1 << 20];
  size_t used = 0;
  uint64_t written = 0, relevant = 0;
  while (written < target) {
    char* line = buffer + used;
    const uint32_t r = static_cast<uint32_t>(Next());
    int n = Prefix(line, r >> 8);
    if (Below(100) == 0) {
      n += Relevant(line + n, r);
      ++relevant;
    } else {
      n += sprintf(line + n, kNoise[r % 10], Below(250), Below(250), Below(250),
                   Below(250));
      if (Below(5000) == 0) n += sprintf(line + n, " bad utf8 \xff\xfe\xc3");
    }
    line[n++] = '\n';
    used += static_cast<size_t>(n);
    written += static_cast<uint64_t>(n);
    if (used > sizeof(buffer) - 4096) {
      fwrite(buffer, 1, used, stdout);
      used = 0;
    }
  }
  fwrite(buffer, 1, used, stdout);
  fprintf(stderr, "%" PRIu64 "\n", relevant);
  return 0;
}
