// Scripted NAT-PMP server for NAT lab tests.
//
// Usage: natpmp_responder LISTEN_IP:PORT EXTERNAL_IP [RESULT_CODE]
// Prints "ready IP:PORT" once listening and serves until SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "tests/evidence/natpmp_responder.h"

int main(int argc, char** argv) {
  using natscope::net::SocketAddress;
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr,
                 "usage: natpmp_responder LISTEN_IP:PORT EXTERNAL_IP "
                 "[RESULT_CODE]\n");
    return 2;
  }
  natscope::tests::NatPmpResponder::Options options;
  auto listen = SocketAddress::Parse(argv[1]);
  auto external = SocketAddress::FromIp(argv[2], 0);
  uint32_t code = 0;
  if (!listen.ok() || !external.ok() || !external->is_ipv4() ||
      (argc == 4 && (!absl::SimpleAtoi(argv[3], &code) || code > 65535))) {
    std::fprintf(stderr, "natpmp_responder: bad arguments\n");
    return 2;
  }
  options.listen = *listen;
  options.external = *external;
  options.result_code = static_cast<uint16_t>(code);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
  auto responder = natscope::tests::NatPmpResponder::Start(options);
  if (!responder.ok()) {
    std::fprintf(stderr, "natpmp_responder: %s\n",
                 responder.status().ToString().c_str());
    return 1;
  }
  std::printf("ready %s\n", (*responder)->address().ToString().c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  return 0;
}
