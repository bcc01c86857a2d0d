#include "server/stun/tcp_responder.h"

#include <sys/resource.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace natscope::server {
namespace {

// See BindUdpAndTcp.
constexpr int kTcpPortAttempts = 8;
// Per poll round: bytes read from one connection, connections accepted
// from one listener (fairness between them, and a bounded round).
constexpr size_t kReadChunk = 4096;
constexpr int kAcceptsPerRound = 64;
// poll() wakes at least this often to see stop_ and idle connections.
constexpr int kTickMs = 100;

void Log(LogLevel level, absl::string_view message) {
  LogEvent(level, message);
}

using Getter = int64_t (*)(const StunTcpCounters&);

metrics::CallbackHandle Export(
    const StunTcpResponder& responder, absl::string_view name,
    absl::string_view help, Getter get,
    metrics::MetricType type = metrics::MetricType::kCounter) {
  return metrics::DefaultRegistry().AddCallback(
      name, help, type, {}, [&responder, get] {
        return std::vector<metrics::Sample>{
            {{}, static_cast<double>(get(responder.counters()))}};
      });
}

std::vector<metrics::CallbackHandle> ExportMetrics(const StunTcpResponder& r) {
  std::vector<metrics::CallbackHandle> h;
  h.push_back(metrics::DefaultRegistry().AddCallback(
      "natscope_stun_tcp_connections_refused_total",
      "STUN over TCP connections reset at once, by the limit they hit: "
      "total (--stun_tcp_max_connections) or per_source.",
      metrics::MetricType::kCounter, {"limit"}, [&r] {
        const StunTcpCounters c = r.counters();
        return std::vector<metrics::Sample>{
            {{"total"}, static_cast<double>(c.refused_total)},
            {{"per_source"}, static_cast<double>(c.refused_per_source)}};
      }));
  h.push_back(Export(r, "natscope_stun_tcp_connections_accepted_total",
                     "STUN over TCP connections accepted and served.",
                     [](const StunTcpCounters& c) { return c.accepted; }));
  h.push_back(Export(
      r, "natscope_stun_tcp_connections_open",
      "STUN over TCP connections open now.",
      [](const StunTcpCounters& c) { return c.open; },
      metrics::MetricType::kGauge));
  h.push_back(
      Export(r, "natscope_stun_tcp_idle_closed_total",
             "STUN over TCP connections closed after --stun_tcp_idle_timeout "
             "without a request.",
             [](const StunTcpCounters& c) { return c.idle_closed; }));
  h.push_back(Export(
      r, "natscope_stun_tcp_framing_errors_total",
      "STUN over TCP connections closed for sending what is not STUN: a "
      "bad header, a message over the size bound (2048 bytes), or one that "
      "does not decode.",
      [](const StunTcpCounters& c) { return c.framing_errors; }));
  h.push_back(Export(
      r, "natscope_stun_tcp_slow_readers_total",
      "STUN over TCP connections closed because the peer left its replies "
      "unread.",
      [](const StunTcpCounters& c) { return c.slow_readers; }));
  h.push_back(Export(
      r, "natscope_stun_tcp_rate_limited_total",
      "STUN over TCP connections closed because their source was over the "
      "per-source rate limit.",
      [](const StunTcpCounters& c) { return c.rate_limited; }));
  h.push_back(Export(r, "natscope_stun_tcp_requests_total",
                     "Well-formed STUN requests received over TCP.",
                     [](const StunTcpCounters& c) { return c.stun.requests; }));
  h.push_back(
      Export(r, "natscope_stun_tcp_responses_total",
             "STUN replies (successes and errors) sent over TCP.",
             [](const StunTcpCounters& c) { return c.stun.responses; }));
  return h;
}

// Each connection holds a file descriptor: say so at startup rather than
// fail accepts later.
void WarnAboutFileLimit(size_t max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur != RLIM_INFINITY &&
      max_connections + 256 > limit.rlim_cur) {
    Log(LogLevel::kWarning,
        absl::StrCat("--stun_tcp_max_connections=", max_connections,
                     " is close to the open-file limit ", limit.rlim_cur,
                     ": raise ulimit -n (LimitNOFILE=) or lower it"));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<StunTcpResponder>> StunTcpResponder::Start(
    std::vector<StunTcpListener> listeners, const StunTcpOptions& options,
    const RateLimiterOptions& rate_limit, const Clock& clock) {
  std::unique_ptr<StunTcpResponder> r(
      new StunTcpResponder(options, rate_limit, clock));
  for (const StunTcpListener& l : listeners) {
    auto core = StunTcpCore::Create(l.config, &r->limiter_);
    if (!core.ok()) return core.status();
    r->cores_.push_back(*std::move(core));
  }
  r->listeners_ = std::move(listeners);
  WarnAboutFileLimit(options.max_connections);
  r->thread_ = std::thread([p = r.get()] { p->Loop(); });
  r->metrics_ = ExportMetrics(*r);
  return r;
}

StunTcpResponder::~StunTcpResponder() {
  metrics_.clear();
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  const StunTcpCounters c = counters();
  Log(LogLevel::kInfo,
      absl::StrCat("STUN over TCP: ", c.accepted, " connections, ",
                   c.refused_total + c.refused_per_source, " refused, ",
                   c.idle_closed, " idle, ", c.framing_errors,
                   " framing errors, ", c.slow_readers, " slow readers, ",
                   c.rate_limited, " rate-limited; ", c.stun.requests,
                   " requests, ", c.stun.responses, " responses"));
}

std::string StunTcpResponder::Describe() const {
  return absl::StrCat("STUN over TCP on the same ports (at most ",
                      options_.max_connections, " connections, ",
                      options_.max_connections_per_source, " per source, idle ",
                      absl::FormatDuration(options_.idle_timeout), ")");
}

std::vector<net::SocketAddress> StunTcpResponder::addresses() const {
  std::vector<net::SocketAddress> out;
  for (const StunTcpListener& l : listeners_) {
    out.push_back(l.socket.local_address());
  }
  return out;
}

StunTcpCounters StunTcpResponder::counters() const {
  absl::MutexLock lock(&mu_);
  StunTcpCounters out = counters_;
  out.open = static_cast<int64_t>(connections_.size());
  for (const StunTcpCore& core : cores_) {
    const StunServerCounters c = core.counters();
    out.stun.requests += c.requests;
    out.stun.responses += c.responses;
    out.stun.rate_limited += c.rate_limited;
    out.stun.malformed += c.malformed;
    out.stun.ignored += c.ignored;
  }
  return out;
}

void StunTcpResponder::Loop() {
  std::vector<pollfd> fds;
  bool pause_accept = false;
  while (!stop_.load()) {
    fds.clear();
    for (const StunTcpListener& l : listeners_) {
      const short events = static_cast<short>(pause_accept ? 0 : POLLIN);
      fds.push_back({l.socket.fd(), events, 0});
    }
    pause_accept = false;
    for (const auto& c : connections_) {
      // No POLLIN after end of stream: it would fire again and again.
      const short events = static_cast<short>((c->eof ? 0 : POLLIN) |
                                              (c->out.empty() ? 0 : POLLOUT));
      fds.push_back({c->socket.fd(), events, 0});
    }
    if (poll(fds.data(), fds.size(), kTickMs) < 0) fds.clear();
    Round(fds, &pause_accept);
  }
}

void StunTcpResponder::Round(const std::vector<pollfd>& fds,
                             bool* pause_accept) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  const size_t n = listeners_.size();
  // Connections first: accepting appends to connections_.
  for (size_t i = n; i < fds.size(); ++i) {
    if (fds[i].revents != 0) Serve(*connections_[i - n], fds[i].revents, now);
  }
  for (size_t i = 0; i < std::min(n, fds.size()); ++i) {
    if ((fds[i].revents & POLLIN) != 0 && !AcceptAll(i, now)) {
      *pause_accept = true;
    }
  }
  CloseIdle(now);
  RemoveDone();
}

bool StunTcpResponder::AcceptAll(size_t listener, absl::Time now) {
  for (int i = 0; i < kAcceptsPerRound; ++i) {
    auto accepted = listeners_[listener].socket.Accept();
    if (!accepted.ok()) {
      // Logged now and then: the listener stays readable, so this repeats
      // every round while the process is out of descriptors.
      if (accept_errors_++ % 100 == 0) {
        Log(LogLevel::kWarning, accepted.status().message());
      }
      return false;
    }
    if (!accepted->has_value()) return true;
    io::TcpConnection socket = std::move(**accepted);
    const net::SocketAddress source = RateLimitKey(socket.peer());
    if (connections_.size() >= options_.max_connections) {
      ++counters_.refused_total;
      socket.Abort();
      continue;
    }
    auto it = per_source_.find(source);
    if (it != per_source_.end() &&
        it->second >= options_.max_connections_per_source) {
      ++counters_.refused_per_source;
      socket.Abort();
      continue;
    }
    ++per_source_[source];
    ++counters_.accepted;
    connections_.push_back(std::make_unique<Connection>(Connection{
        std::move(socket), listener, source,
        StunStreamFramer(options_.max_body_bytes), std::string(), now}));
  }
  return true;
}

void StunTcpResponder::Serve(Connection& c, short revents, absl::Time now) {
  if ((revents & (POLLIN | POLLERR | POLLHUP)) != 0 && !c.eof) {
    ReadFrom(c, now);
  }
  if (!c.done && !c.out.empty()) Flush(c);
  if (!c.done && c.out.size() > options_.max_output_bytes) {
    ++counters_.slow_readers;
    c.done = true;
  }
  // The peer has closed its side and has every reply: nothing is left.
  if (c.eof && c.out.empty()) c.done = true;
  // Its side closed with replies unread: nothing will read them.
  if ((revents & POLLERR) != 0 && !c.out.empty()) c.done = true;
}

void StunTcpResponder::ReadFrom(Connection& c, absl::Time now) {
  absl::StatusOr<std::string> bytes = c.socket.Read(kReadChunk);
  if (!bytes.ok()) {
    if (absl::IsOutOfRange(bytes.status())) {
      c.eof = true;
    } else {
      c.done = true;  // Reset, or another failure: nothing to answer.
    }
    return;
  }
  auto messages = c.framer.Feed(*bytes);
  if (!messages.ok()) {
    ++counters_.framing_errors;
    c.done = true;
    return;
  }
  for (const std::string& message : *messages) {
    Answer(c, message, now);
    if (c.done) return;
  }
}

void StunTcpResponder::Answer(Connection& c, const std::string& message,
                              absl::Time now) {
  c.last_request = now;
  StunTcpAnswer answer = cores_[c.listener].Handle(
      message, listeners_[c.listener].on, c.socket.peer(), now);
  switch (answer.action) {
    case StunTcpAction::kReply:
      c.out += answer.reply;
      return;
    case StunTcpAction::kNothing:
      return;
    case StunTcpAction::kCloseMalformed:
      ++counters_.framing_errors;
      c.done = true;
      return;
    case StunTcpAction::kCloseRateLimited:
      ++counters_.rate_limited;
      c.done = true;
      return;
  }
}

void StunTcpResponder::Flush(Connection& c) {
  absl::StatusOr<size_t> written = c.socket.Write(c.out);
  if (!written.ok()) {
    c.done = true;
    return;
  }
  c.out.erase(0, *written);
}

void StunTcpResponder::CloseIdle(absl::Time now) {
  for (const auto& c : connections_) {
    if (!c->done && now - c->last_request >= options_.idle_timeout) {
      ++counters_.idle_closed;
      c->done = true;
    }
  }
}

void StunTcpResponder::RemoveDone() {
  auto first_done = std::stable_partition(
      connections_.begin(), connections_.end(),
      [](const std::unique_ptr<Connection>& c) { return !c->done; });
  for (auto it = first_done; it != connections_.end(); ++it) {
    auto count = per_source_.find((*it)->source);
    if (count != per_source_.end() && --count->second == 0) {
      per_source_.erase(count);
    }
  }
  connections_.erase(first_done, connections_.end());  // Closes them.
}

absl::StatusOr<UdpAndTcpSockets> BindUdpAndTcp(
    const std::function<absl::StatusOr<std::vector<io::UdpSocket>>()>& bind_udp,
    bool tcp, bool kernel_chosen, int backlog) {
  // With port 0 the kernel picks a UDP port free for UDP only: TCP has a
  // port space of its own, where that number may be taken (by a listener,
  // or by any connection whose local port it is). Then the UDP sockets are
  // closed and bound again for another number: each draw hits a taken TCP
  // port with small odds, so a few attempts suffice. A port given by the
  // operator is tried once: its TCP twin being taken is the operator's to
  // fix.
  const int attempts = tcp && kernel_chosen ? kTcpPortAttempts : 1;
  absl::Status last;
  for (int i = 0; i < attempts; ++i) {
    auto udp = bind_udp();
    if (!udp.ok()) return udp.status();
    UdpAndTcpSockets out;
    out.udp = *std::move(udp);
    if (!tcp) return out;
    for (const io::UdpSocket& socket : out.udp) {
      auto listener = io::TcpListener::Listen(socket.local_address(), backlog);
      if (!listener.ok()) {
        last = listener.status();
        break;
      }
      out.tcp.push_back(*std::move(listener));
    }
    if (out.tcp.size() == out.udp.size()) return out;
    // Only a taken port is worth another draw.
    if (last.code() != absl::StatusCode::kFailedPrecondition) break;
  }
  return absl::Status(
      last.code(), absl::StrCat(last.message(),
                                "; or serve STUN over UDP only: --nostun_tcp"));
}

}  // namespace natscope::server
