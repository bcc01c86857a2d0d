#include "server/intake/syslog/syslog_connection.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/retry_after.h"
#include "server/intake/syslog/syslog_framer.h"
#include "server/intake/syslog/syslog_message.h"

namespace natscope::server::intake {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
// A batch is also submitted once its messages hold this many bytes, so
// that a connection holds about this much plus one read and one message,
// not max_batch * max_message_bytes (32 MiB by default).
constexpr size_t kMaxBatchBytes = 1 << 20;
// poll() wakes at least this often to see Stop() and the idle timeout.
constexpr int kTickMs = 100;
// Once stopping, a connection this long quiet with no partial frame has
// sent everything its shipper had queued for it.
constexpr int kDrainQuietMs = 200;
// A TLS client gets this long to finish its handshake, so that
// connections that never start cannot hold threads for idle_timeout.
constexpr absl::Duration kHandshakeTimeout = absl::Seconds(30);
constexpr absl::Duration kFirstBackoff = absl::Seconds(1);
constexpr absl::Duration kMaxBackoff = absl::Seconds(30);

// Submit errors after which the same batch may succeed later.
bool IsRetryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsResourceExhausted(status) ||
         absl::IsAborted(status) || absl::IsDeadlineExceeded(status);
}

// The sink's retry-after hint, else the backoff; both capped.
absl::Duration RetryDelay(const absl::Status& status, absl::Duration backoff) {
  int64_t ms = 0;
  if (auto payload = status.GetPayload(kRetryAfterMetadataKey);
      payload.has_value() && absl::SimpleAtoi(std::string(*payload), &ms) &&
      ms >= 0) {
    return std::min(absl::Milliseconds(ms), kMaxBackoff);
  }
  return backoff;
}

IntakeMessage ToIntake(SyslogMessage m) {
  IntakeMessage out;
  if (const std::string* token =
          FindSdParam(m.structured_data, kSyslogSdId, "token")) {
    out.token = *token;
  }
  if (const std::string* role =
          FindSdParam(m.structured_data, kSyslogSdId, "role")) {
    out.role = *role;
  }
  out.hostname = std::move(m.hostname);
  out.text = std::move(m.msg);
  out.time = m.time;
  out.source = m.app_name.empty() ? "syslog" : "syslog:" + m.app_name;
  return out;
}

class Connection {
 public:
  Connection(std::unique_ptr<SyslogStream> stream, ConnectionState* state,
             absl::Time accepted)
      : stream_(std::move(stream)),
        state_(*state),
        framer_(state->limits.max_message_bytes),
        peer_(stream_->peer().ToString()),
        last_activity_(accepted) {}

  void Run();

 private:
  enum class Outcome { kGoOn, kClose, kReset };

  // Waits for bytes (or room, for a TLS handshake); *ready when they
  // came. kClose when idle or drained.
  Outcome Wait(bool* ready);
  // Reads once and frames what it brought.
  Outcome ReadOnce(char* buffer);
  // Frames, parses and batches everything buffered; commits full batches.
  Outcome FrameAll();
  void Add(absl::string_view frame);
  // Submits the pending batch until it is committed; false when
  // abandoned at drain_timeout.
  bool Commit();
  // Commits what is pending, then ends as `outcome` says (a batch that
  // cannot be committed turns a close into a reset).
  void Finish(Outcome outcome);

  std::unique_ptr<SyslogStream> stream_;
  ConnectionState& state_;
  SyslogFramer framer_;
  const std::string peer_;
  absl::Time last_activity_;
  bool want_write_ = false;  // A TLS handshake waits to send.
  bool told_to_stop_ = false;  // FIN sent: the server is stopping.
  uint64_t truncated_seen_ = 0;
  std::vector<IntakeMessage> batch_;
  size_t batch_bytes_ = 0;  // Of the frames in batch_.
};

void Connection::Run() {
  std::vector<char> buffer(kReadChunk);
  for (;;) {
    if (state_.stopping.load() && !told_to_stop_) {
      // Tell the shipper to send no more here, then read what is on its
      // way until it closes (or is quiet): it resends the rest to the next
      // server. A connection still in its handshake has sent nothing.
      told_to_stop_ = true;
      if (!stream_->Handshaken()) return Finish(Outcome::kClose);
      stream_->ShutdownWrite();
    }
    if (state_.abandon.load()) {
      // A partial frame the shipper thinks it delivered: make it see an
      // error instead.
      return Finish(framer_.HasPartial() ? Outcome::kReset : Outcome::kClose);
    }
    if (want_write_ || !stream_->Readable()) {
      bool ready = false;
      const Outcome waited = Wait(&ready);
      if (waited != Outcome::kGoOn) return Finish(waited);
      if (!ready) continue;
    }
    const Outcome read = ReadOnce(buffer.data());
    if (read != Outcome::kGoOn) return Finish(read);
    // Everything immediately available is in the batch: commit it before
    // reading more (backpressure, syslog_listener.h).
    if (!stream_->Readable() && !Commit()) return Finish(Outcome::kReset);
  }
}

Connection::Outcome Connection::Wait(bool* ready) {
  const bool draining = state_.stopping.load();
  pollfd p{stream_->fd(), static_cast<short>(want_write_ ? POLLOUT : POLLIN),
           0};
  *ready = poll(&p, 1, draining ? kDrainQuietMs : kTickMs) != 0;
  if (*ready) return Outcome::kGoOn;
  // The batch is always committed before waiting, so quiet with no
  // partial frame means nothing of this shipper's is left here.
  if (draining && !framer_.HasPartial()) return Outcome::kClose;
  const absl::Duration quiet = state_.clock->Now() - last_activity_;
  if (!stream_->Handshaken() && quiet >= kHandshakeTimeout) {
    return Outcome::kReset;
  }
  if (quiet >= state_.limits.idle_timeout) return Outcome::kClose;
  return Outcome::kGoOn;
}

Connection::Outcome Connection::ReadOnce(char* buffer) {
  size_t n = 0;
  std::string error;
  switch (stream_->Read(buffer, kReadChunk, &n, &error)) {
    case SyslogStream::ReadState::kData:
      want_write_ = false;
      state_.counters.bytes_total += static_cast<int64_t>(n);
      last_activity_ = state_.clock->Now();
      framer_.Append(absl::string_view(buffer, n));
      return FrameAll();
    case SyslogStream::ReadState::kWantRead:
      want_write_ = false;
      return Outcome::kGoOn;
    case SyslogStream::ReadState::kWantWrite:
      want_write_ = true;
      return Outcome::kGoOn;
    case SyslogStream::ReadState::kEnd:
      return Outcome::kClose;
    case SyslogStream::ReadState::kError:
      state_.log.Warn("syslog connection failed",
                      {{"peer", peer_}, {"error", error}});
      return Outcome::kReset;
  }
  return Outcome::kReset;
}

Connection::Outcome Connection::FrameAll() {
  for (;;) {
    auto next = framer_.Next();
    if (!next.ok()) {
      state_.log.Warn(
          "syslog connection closed",
          {{"peer", peer_}, {"error", std::string(next.status().message())}});
      return Outcome::kReset;
    }
    if (!next->has_value()) break;
    Add(**next);
    if ((batch_.size() >= state_.limits.max_batch ||
         batch_bytes_ >= kMaxBatchBytes) &&
        !Commit()) {
      return Outcome::kReset;
    }
  }
  const uint64_t truncated = framer_.truncated();
  state_.counters.messages_truncated +=
      static_cast<int64_t>(truncated - truncated_seen_);
  truncated_seen_ = truncated;
  return Outcome::kGoOn;
}

void Connection::Add(absl::string_view frame) {
  ++state_.counters.messages_total;
  auto parsed =
      ParseSyslogMessage(frame, state_.clock->Now(), state_.limits.zone);
  if (!parsed.ok()) {
    ++state_.counters.messages_refused;
    state_.log.Warn(
        "syslog message refused",
        {{"peer", peer_}, {"error", std::string(parsed.status().message())}});
    return;
  }
  batch_.push_back(ToIntake(std::move(*parsed)));
  batch_bytes_ += frame.size();
}

bool Connection::Commit() {
  absl::Duration backoff = kFirstBackoff;
  // What was read is stored even at drain_timeout: one attempt then, no
  // retries (the shipper will not send it again: it left its queue).
  bool tried = false;
  while (!batch_.empty()) {
    if (state_.abandon.load() && tried) return false;
    tried = true;
    auto result = state_.sink->Submit(batch_, state_.clock->Now());
    if (result.ok() || !IsRetryable(result.status())) {
      const int64_t refused =
          result.ok() ? static_cast<int64_t>(result->rejected.size())
                      : static_cast<int64_t>(batch_.size());
      state_.counters.messages_refused += refused;
      if (refused > 0) {
        state_.log.Warn(
            "syslog messages refused by intake",
            {{"peer", peer_},
             {"count", absl::StrCat(refused)},
             {"error", result.ok() ? result->rejected.front().second
                                   : std::string(result.status().message())}});
      }
      batch_.clear();
      batch_bytes_ = 0;
      return true;
    }
    ++state_.counters.submit_retries_total;
    const absl::Duration delay = RetryDelay(result.status(), backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
    if (!state_.clock->SleepUntil(state_.clock->Now() + delay,
                                  &state_.abandon)) {
      return false;
    }
  }
  return true;
}

void Connection::Finish(Outcome outcome) {
  // What was framed before the end still counts, even after a reset.
  if (!Commit()) outcome = Outcome::kReset;
  if (outcome == Outcome::kReset) {
    stream_->Reset();
  } else {
    stream_->Close();
  }
}

}  // namespace

SyslogCounters AtomicSyslogCounters::Snapshot() const {
  SyslogCounters c;
  c.connections_total = connections_total.load();
  c.connections_open = connections_open.load();
  c.connections_refused = connections_refused.load();
  c.messages_total = messages_total.load();
  c.messages_refused = messages_refused.load();
  c.messages_truncated = messages_truncated.load();
  c.bytes_total = bytes_total.load();
  c.submit_retries_total = submit_retries_total.load();
  return c;
}

void RateLimitedLog::Warn(absl::string_view message, LogFields fields) {
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    if (now - last_ < interval_) {
      ++suppressed_;
      return;
    }
    last_ = now;
    if (suppressed_ > 0) {
      fields.emplace_back("suppressed", absl::StrCat(suppressed_));
      suppressed_ = 0;
    }
  }
  LogEvent(LogLevel::kWarning, message, fields);
}

void ServeSyslogConnection(std::unique_ptr<SyslogStream> stream,
                           ConnectionState* state, absl::Time accepted) {
  // OpenSSL writes (the handshake, close_notify) with write(), which
  // raises SIGPIPE on a reset connection; blocked on this thread, the
  // signal stays pending here and is discarded when the thread ends.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  Connection(std::move(stream), state, accepted).Run();
  if (--state->counters.connections_open == 0 && state->stopping.load()) {
    state->all_closed = true;
  }
}

}  // namespace natscope::server::intake
