#include "ingest/netpath/stun_tcp.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"

namespace natscope::ingest {
namespace {

// Closes the socket on every return.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  const int fd_;
};

v1::TcpStunObservation& Ended(v1::TcpStunObservation& o,
                              v1::TcpStunOutcome outcome, std::string error) {
  o.set_outcome(outcome);
  o.set_error(std::move(error));
  return o;
}

// Waits until `fd` has one of `events` (or an error); returns its revents,
// or 0 once the deadline has passed.
int WaitFor(int fd, int16_t events, const Deadline& deadline,
            const Clock& clock) {
  for (;;) {
    const absl::Time now = clock.Now();
    if (now >= deadline.at()) return 0;
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, deadline.PollMillis(now));
    if (n > 0) return p.revents;
    if (n < 0 && errno != EINTR) return POLLERR;
  }
}

void SetLocal(int fd, v1::TcpStunObservation* o) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
  auto local = net::SocketAddress::FromSockaddr(
      reinterpret_cast<const sockaddr*>(&addr), len);
  if (local.ok() && local->port() != 0) o->set_local_address(local->ToString());
}

// Connects `fd` to the server; false (with the outcome set) when that
// failed.
bool Connect(int fd, const StunTcpOptions& options, const Clock& clock,
             v1::TcpStunObservation* o) {
  socklen_t len = 0;
  const sockaddr_storage addr = options.server.ToSockaddr(&len);
  const absl::Time start = clock.Now();
  int error = 0;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    error = errno;
  }
  SetLocal(fd, o);
  if (error == EINPROGRESS) {
    if (WaitFor(fd, POLLOUT, *options.deadline, clock) == 0) {
      Ended(*o, v1::TCP_STUN_UNREACHABLE,
            absl::StrCat("no answer to the connection ",
                         options.deadline->Within(start)));
      return false;
    }
    socklen_t size = sizeof(error);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
  }
  if (error == 0) return true;
  if (error == ECONNREFUSED) {
    o->set_rtt_micros(absl::ToInt64Microseconds(clock.Now() - start));
    Ended(*o, v1::TCP_STUN_REFUSED, "connection refused");
  } else {
    Ended(*o, v1::TCP_STUN_UNREACHABLE,
          absl::StrCat("cannot connect: ", strerror(error)));
  }
  return false;
}

// How long the STUN message whose header is `header` is in all, or 0 when
// the header is not STUN or the message is too long (with `*why`).
size_t FrameLength(const uint8_t* header, std::string* why) {
  const uint32_t cookie = (uint32_t{header[4]} << 24) |
                          (uint32_t{header[5]} << 16) |
                          (uint32_t{header[6]} << 8) | header[7];
  const size_t length = (size_t{header[2]} << 8) | header[3];
  if ((header[0] & 0xC0) != 0 || cookie != stun::kMagicCookie ||
      length % 4 != 0) {
    *why = absl::StrFormat("the answer is not STUN (it starts %02x%02x%02x%02x)",
                           header[0], header[1], header[2], header[3]);
    return 0;
  }
  if (stun::kHeaderSize + length > kMaxStunTcpResponse) {
    *why = absl::StrCat("a ", stun::kHeaderSize + length,
                        "-byte answer, longer than any Binding response");
    return 0;
  }
  return stun::kHeaderSize + length;
}

// Reads exactly one framed STUN message into `buffer`; its size, or 0
// with `*why`.
size_t ReadMessage(int fd, const Deadline& deadline, const Clock& clock,
                   absl::Time sent,
                   std::array<uint8_t, kMaxStunTcpResponse>& buffer,
                   std::string* why) {
  size_t want = stun::kHeaderSize, have = 0;
  while (have < want) {
    if (WaitFor(fd, POLLIN, deadline, clock) == 0) {
      *why = absl::StrCat("connected, but ",
                          have == 0 ? "no answer" : "an incomplete answer",
                          " to the Binding request ", deadline.Within(sent));
      return 0;
    }
    const ssize_t n = recv(fd, buffer.data() + have, want - have, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      *why = n == 0 ? absl::StrCat("the server closed the connection after ",
                                   have, " byte(s) of answer")
                    : absl::StrCat("connected, then ", strerror(errno));
      return 0;
    }
    have += static_cast<size_t>(n);
    if (have == stun::kHeaderSize && want == stun::kHeaderSize) {
      want = FrameLength(buffer.data(), why);
      if (want == 0) return 0;
    }
  }
  return have;
}

// Judges `message`, the answer to `request`.
void Judge(absl::Span<const uint8_t> message, const stun::Message& request,
           v1::TcpStunObservation* o) {
  auto decoded = stun::Decode(message);
  if (!decoded.ok()) {
    Ended(*o, v1::TCP_STUN_BAD_ANSWER,
          absl::StrCat("undecodable answer: ", decoded.status().message()));
  } else if (decoded->has_fingerprint &&
             !stun::VerifyFingerprint(message).ok()) {
    Ended(*o, v1::TCP_STUN_BAD_ANSWER, "the answer's FINGERPRINT is wrong");
  } else if (decoded->transaction_id != request.transaction_id ||
             decoded->method != stun::kMethodBinding) {
    Ended(*o, v1::TCP_STUN_BAD_ANSWER,
          "the answer is for another transaction");
  } else if (decoded->message_class == stun::MessageClass::kErrorResponse) {
    const auto& e = decoded->error_code;
    Ended(*o, v1::TCP_STUN_BAD_ANSWER,
          e ? absl::StrCat("error ", e->code, " ", e->reason)
            : "an error response without ERROR-CODE");
  } else if (decoded->message_class != stun::MessageClass::kSuccessResponse) {
    Ended(*o, v1::TCP_STUN_BAD_ANSWER, "the answer is not a response");
  } else if (!decoded->xor_mapped_address && !decoded->mapped_address) {
    Ended(*o, v1::TCP_STUN_BAD_ANSWER, "the answer has no mapped address");
  } else {
    o->set_mapped_address((decoded->xor_mapped_address
                               ? *decoded->xor_mapped_address
                               : *decoded->mapped_address)
                              .ToString());
    Ended(*o, v1::TCP_STUN_ANSWERED, "");
  }
}

// The Binding exchange on the connected `fd`.
void Exchange(int fd, const Deadline& deadline, const Clock& clock,
              v1::TcpStunObservation* o) {
  absl::BitGen gen;
  const stun::Message request =
      stun::MakeBindingRequest(stun::NewTransactionId(gen));
  stun::EncodeOptions encode;
  encode.add_fingerprint = true;
  auto wire = stun::Encode(request, encode);
  if (!wire.ok()) {
    Ended(*o, v1::TCP_STUN_LOCAL_ERROR, std::string(wire.status().message()));
    return;
  }
  const absl::Time sent = clock.Now();
  // A fresh connection's send buffer takes the 28 bytes at once; no
  // SIGPIPE when the server already reset it.
  if (send(fd, wire->data(), wire->size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(wire->size())) {
    Ended(*o, v1::TCP_STUN_BAD_ANSWER,
          absl::StrCat("connected, then could not send the request: ",
                       strerror(errno)));
    return;
  }
  std::array<uint8_t, kMaxStunTcpResponse> buffer;
  std::string why;
  const size_t size = ReadMessage(fd, deadline, clock, sent, buffer, &why);
  if (size == 0) {
    Ended(*o, v1::TCP_STUN_BAD_ANSWER, why);
    return;
  }
  o->set_rtt_micros(absl::ToInt64Microseconds(clock.Now() - sent));
  Judge(absl::MakeConstSpan(buffer.data(), size), request, o);
}

}  // namespace

v1::TcpStunObservation StunBindingOverTcp(const StunTcpOptions& options,
                                          const Clock& clock) {
  v1::TcpStunObservation o;
  o.set_server(options.server.ToString());
  if (options.deadline == nullptr) {
    return Ended(o, v1::TCP_STUN_LOCAL_ERROR, "no deadline given");
  }
  const Fd fd(socket(options.server.is_ipv4() ? AF_INET : AF_INET6,
                     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return Ended(o, v1::TCP_STUN_LOCAL_ERROR,
                 absl::StrCat("cannot open a TCP socket: ", strerror(errno)));
  }
  if (Connect(fd.get(), options, clock, &o)) {
    Exchange(fd.get(), *options.deadline, clock, &o);
  }
  return o;
}

}  // namespace natscope::ingest
