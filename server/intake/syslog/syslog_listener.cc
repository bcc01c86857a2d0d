#include "server/intake/syslog/syslog_listener.h"

#include <poll.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"

namespace natscope::server::intake {
namespace {

// poll() on the listening socket wakes at least this often to see Stop().
constexpr int kAcceptTickMs = 100;
// Connections accepted per wake-up, so that a flood cannot starve Reap().
constexpr int kAcceptsPerRound = 64;

constexpr char kTlsFlags[] = "--tls_cert=FILE --tls_key=FILE";

// HOST:PORT with an IP or "localhost" as the host.
absl::StatusOr<net::SocketAddress> ParseListen(absl::string_view listen) {
  absl::string_view rest = listen;
  if (absl::ConsumePrefix(&rest, "localhost:")) {
    auto parsed = net::SocketAddress::Parse(absl::StrCat("127.0.0.1:", rest));
    if (parsed.ok()) return parsed;
  }
  auto parsed = net::SocketAddress::Parse(listen);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--syslog_listen=", listen,
                     " is not HOST:PORT with an IP address (e.g. 0.0.0.0:6514, "
                     "[::1]:6514 or localhost:514)"));
  }
  return parsed;
}

LogFields Fields(const net::SocketAddress& peer) {
  return {{"peer", peer.ToString()}};
}

}  // namespace

absl::Status CheckSyslogListenerOptions(const SyslogListenerOptions& options) {
  auto address = ParseListen(options.listen);
  if (!address.ok()) return address.status();
  const tls::ServerTlsOptions& tls = options.tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "syslog over TLS needs both ", kTlsFlags, "; only ",
        tls.cert_file.empty() ? "--tls_key" : "--tls_cert", " is set"));
  }
  if (!tls.cert_file.empty() && tls.plaintext) {
    return absl::InvalidArgumentError(
        "--syslog_plaintext conflicts with --tls_cert/--tls_key: drop one");
  }
  if (tls.cert_file.empty() && !tls.plaintext &&
      !tls::IsLoopbackAddress(options.listen)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing plaintext syslog on --syslog_listen=", options.listen,
        " (logs and intake tokens would cross the network in the clear): "
        "give ",
        kTlsFlags,
        ", listen on a loopback address, or pass "
        "--syslog_plaintext to accept the risk"));
  }
  if (options.clock == nullptr || options.max_connections < 1 ||
      options.max_batch < 1 || options.max_message_bytes < 1) {
    return absl::InvalidArgumentError(
        "syslog listener options need a clock and positive limits "
        "(max_connections, max_batch, max_message_bytes)");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SyslogListener>> SyslogListener::Start(
    SyslogListenerOptions options, IntakeSink* sink) {
  if (absl::Status s = CheckSyslogListenerOptions(options); !s.ok()) return s;
  std::shared_ptr<SyslogTlsContext> tls;
  if (!options.tls.cert_file.empty()) {
    auto loaded =
        SyslogTlsContext::Load(options.tls.cert_file, options.tls.key_file);
    if (!loaded.ok()) return loaded.status();
    tls = *std::move(loaded);
  }
  auto address = ParseListen(options.listen);
  auto listener = io::TcpListener::Listen(*address);
  if (!listener.ok()) return listener.status();
  std::unique_ptr<SyslogListener> started(new SyslogListener(
      std::move(options), sink, *std::move(listener), std::move(tls)));
  started->accept_thread_ =
      std::thread([l = started.get()] { l->AcceptLoop(); });
  return started;
}

SyslogListener::SyslogListener(SyslogListenerOptions options, IntakeSink* sink,
                               io::TcpListener listener,
                               std::shared_ptr<SyslogTlsContext> tls)
    : options_(std::move(options)),
      listener_(std::move(listener)),
      tls_(std::move(tls)),
      port_(listener_.local_address().port()),
      state_(options_.clock, sink,
             ConnectionLimits{options_.max_message_bytes, options_.max_batch,
                              options_.idle_timeout, options_.bsd_time_zone}) {}

SyslogListener::~SyslogListener() { Stop(); }

void SyslogListener::AcceptLoop() {
  while (!state_.stopping.load()) {
    pollfd p{listener_.fd(), POLLIN, 0};
    (void)poll(&p, 1, kAcceptTickMs);
    Reap();
    for (int i = 0; i < kAcceptsPerRound && !state_.stopping.load(); ++i) {
      auto accepted = listener_.Accept();
      if (!accepted.ok()) {
        // Out of descriptors: the backlog waits for a connection to end.
        state_.log.Warn("syslog accept failed",
                        {{"error", std::string(accepted.status().message())}});
        // The waiting connection keeps the socket readable: pause instead
        // of spinning until a descriptor is free.
        (void)poll(nullptr, 0, kAcceptTickMs);
        break;
      }
      if (!accepted->has_value()) break;
      Admit(std::move(**accepted));
    }
  }
}

void SyslogListener::Admit(io::TcpConnection connection) {
  if (state_.counters.connections_open.load() >= options_.max_connections) {
    // Accepted and reset at once: the shipper sees an error and retries
    // later, instead of waiting in the backlog without knowing why.
    ++state_.counters.connections_refused;
    state_.log.Warn("syslog connection refused: over --syslog_max_connections",
                    Fields(connection.peer()));
    connection.Abort();
    return;
  }
  auto stream = SyslogStream::Wrap(std::move(connection), tls_);
  if (!stream.ok()) {
    state_.log.Warn("syslog connection dropped",
                    {{"error", std::string(stream.status().message())}});
    return;
  }
  // Read before connections_open counts it, so that whoever sees the
  // count also sees the connection's idle time start no later.
  const absl::Time accepted = options_.clock->Now();
  ++state_.counters.connections_total;
  ++state_.counters.connections_open;
  Worker& worker = workers_.emplace_back();
  worker.thread =
      std::thread([this, &worker, accepted, s = *std::move(stream)]() mutable {
        ServeSyslogConnection(std::move(s), &state_, accepted);
        worker.done = true;
      });
}

void SyslogListener::Reap() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!it->done.load()) {
      ++it;
      continue;
    }
    it->thread.join();
    it = workers_.erase(it);
  }
}

void SyslogListener::Stop() {
  if (stopped_.exchange(true)) return;
  state_.stopping = true;
  if (accept_thread_.joinable()) accept_thread_.join();
  // No more connections come: close the port so that shippers fail over.
  { io::TcpListener closing(std::move(listener_)); }
  if (state_.counters.connections_open.load() > 0) {
    const Clock& clock = *options_.clock;
    clock.SleepUntil(clock.Now() + options_.drain_timeout, &state_.all_closed);
  }
  state_.abandon = true;
  for (Worker& worker : workers_) worker.thread.join();
  workers_.clear();
}

}  // namespace natscope::server::intake
