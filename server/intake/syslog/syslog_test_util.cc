#include "server/intake/syslog/syslog_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/retry_after.h"
#include "gtest/gtest.h"

namespace natscope::server::intake::syslog_testing {

absl::StatusOr<SubmitResult> FakeSink::Submit(
    std::vector<IntakeMessage> messages, absl::Time) {
  absl::MutexLock lock(&mu_);
  ++calls_;
  largest_batch_ = std::max(largest_batch_, messages.size());
  if (failures_ > 0) {
    --failures_;
    absl::Status status = absl::UnavailableError("database down");
    if (retry_after_ms_ >= 0) {
      status.SetPayload(kRetryAfterMetadataKey,
                        absl::Cord(absl::StrCat(retry_after_ms_)));
    }
    return status;
  }
  SubmitResult result;
  result.stored = static_cast<int64_t>(messages.size());
  for (IntakeMessage& m : messages) received_.push_back(std::move(m));
  return result;
}

std::vector<IntakeMessage> FakeSink::WaitFor(size_t n) {
  absl::MutexLock lock(&mu_);
  const auto enough = [&] {
    mu_.AssertHeld();
    return received_.size() >= n;
  };
  mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
  return received_;
}

int FakeSink::calls() {
  absl::MutexLock lock(&mu_);
  return calls_;
}

size_t FakeSink::largest_batch() {
  absl::MutexLock lock(&mu_);
  return largest_batch_;
}

size_t FakeSink::size() {
  absl::MutexLock lock(&mu_);
  return received_.size();
}

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
      << std::strerror(errno);
  const timeval timeout{absl::ToInt64Seconds(kWait), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return fd;
}

void SendAll(int fd, absl::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ASSERT_GT(n, 0) << std::strerror(errno);
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

int RecvEnd(int fd, int* error) {
  char byte;
  const ssize_t n = recv(fd, &byte, 1, 0);
  *error = n < 0 ? errno : 0;
  return static_cast<int>(n);
}

SyslogListenerOptions Loopback(const Clock* clock) {
  SyslogListenerOptions options;
  options.listen = "127.0.0.1:0";
  options.clock = clock;
  return options;
}

std::unique_ptr<SyslogListener> StartOrDie(SyslogListenerOptions options,
                                           IntakeSink* sink) {
  auto listener = SyslogListener::Start(std::move(options), sink);
  EXPECT_TRUE(listener.ok()) << listener.status();
  return listener.ok() ? *std::move(listener) : nullptr;
}

std::string OctetCounted(absl::string_view message) {
  return absl::StrCat(message.size(), " ", message);
}

}  // namespace natscope::server::intake::syslog_testing
