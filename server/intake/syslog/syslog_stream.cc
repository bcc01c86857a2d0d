#include "server/intake/syslog/syslog_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/tls/tls.h"

namespace natscope::server::intake {
namespace {

// The oldest queued OpenSSL error as one line, and the queue emptied so
// that it cannot be blamed on the next call on this thread.
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();  // NOLINT(runtime/int)
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

absl::Status BadPem(absl::string_view what, const std::string& files) {
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot serve syslog over TLS: ", what, " (", files, ": ", OpenSslError(),
      "); give a PEM certificate chain in --tls_cert and "
      "its private key in --tls_key"));
}

}  // namespace

absl::StatusOr<std::shared_ptr<SyslogTlsContext>> SyslogTlsContext::Load(
    const std::string& cert_file, const std::string& key_file) {
  // Read first for the NotFound/PermissionDenied messages naming the flag.
  auto cert = tls::ReadPemFile(cert_file, "--tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = tls::ReadPemFile(key_file, "--tls_key");
  if (!key.ok()) return key.status();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot create a TLS context: ", OpenSslError()));
  }
  std::shared_ptr<SyslogTlsContext> context(new SyslogTlsContext(ctx));
  // RFC 5425 as updated by RFC 9662: TLS 1.2 or later.
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  // No TLS 1.3 session tickets: they arrive after the handshake, and a
  // shipper that never reads (rsyslog) keeps them in its socket, where its
  // check for a closed connection (a peek) reads them as "still open"
  // (see ShutdownWrite). Shippers reconnect rarely; resumption saves
  // little.
  SSL_CTX_set_num_tickets(ctx, 0);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  // Shippers often close without close_notify; a truncated frame is
  // dropped by the framer anyway, so such an end is an ordinary one.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return BadPem("the certificate chain does not load",
                  "--tls_cert=" + cert_file);
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) !=
      1) {
    return BadPem("the private key does not load", "--tls_key=" + key_file);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return BadPem("the key is not the certificate's",
                  "--tls_cert=" + cert_file + " --tls_key=" + key_file);
  }
  return context;
}

SyslogTlsContext::~SyslogTlsContext() { SSL_CTX_free(ctx_); }

absl::StatusOr<std::unique_ptr<SyslogStream>> SyslogStream::Wrap(
    io::TcpConnection connection, std::shared_ptr<SyslogTlsContext> tls) {
  SSL* ssl = nullptr;
  if (tls != nullptr) {
    ssl = SSL_new(tls->ctx_);
    if (ssl == nullptr || SSL_set_fd(ssl, connection.fd()) != 1) {
      if (ssl != nullptr) SSL_free(ssl);
      return absl::UnavailableError(
          absl::StrCat("cannot start TLS: ", OpenSslError()));
    }
    SSL_set_accept_state(ssl);
  }
  return std::unique_ptr<SyslogStream>(
      new SyslogStream(std::move(connection), std::move(tls), ssl));
}

SyslogStream::~SyslogStream() { Close(); }

void SyslogStream::FreeSsl() {
  if (ssl_ != nullptr) SSL_free(std::exchange(ssl_, nullptr));
}

SyslogStream::ReadState SyslogStream::Read(char* buffer, size_t size, size_t* n,
                                           std::string* error) {
  *n = 0;
  if (ssl_ == nullptr) {
    const ssize_t got = recv(fd(), buffer, size, MSG_DONTWAIT);
    if (got > 0) {
      *n = static_cast<size_t>(got);
      return ReadState::kData;
    }
    if (got == 0) return ReadState::kEnd;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      return ReadState::kWantRead;
    }
    *error = std::strerror(errno);
    return ReadState::kError;
  }
  ERR_clear_error();
  const int got = SSL_read(ssl_, buffer, static_cast<int>(size));
  if (got > 0) {
    *n = static_cast<size_t>(got);
    return ReadState::kData;
  }
  switch (SSL_get_error(ssl_, got)) {
    case SSL_ERROR_WANT_READ:
      return ReadState::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return ReadState::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return ReadState::kEnd;
    case SSL_ERROR_SYSCALL:
      *error = errno != 0 ? std::strerror(errno)
                          : "connection closed "
                            "without TLS close_notify";
      return ReadState::kError;
    default:
      *error = absl::StrCat("TLS: ", OpenSslError());
      return ReadState::kError;
  }
}

bool SyslogStream::Handshaken() const {
  return ssl_ == nullptr || SSL_is_init_finished(ssl_) == 1;
}

bool SyslogStream::Readable() const {
  if (closed_) return false;
  if (ssl_ != nullptr && SSL_has_pending(ssl_) == 1) return true;
  pollfd p{fd(), POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP)) != 0;
}

void SyslogStream::Close() {
  if (closed_) return;
  closed_ = true;
  if (ssl_ != nullptr && !write_shut_) {
    // One non-blocking attempt: a peer that does not read cannot hold the
    // connection open. The caller blocks SIGPIPE (syslog_listener.cc).
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
  }
  FreeSsl();
  // The FIN now, and the descriptor back at once: moving the connection
  // out closes it when the temporary goes.
  (void)shutdown(fd(), SHUT_WR);
  io::TcpConnection closing(std::move(connection_));
}

void SyslogStream::ShutdownWrite() {
  if (closed_ || write_shut_) return;
  write_shut_ = true;
  (void)shutdown(fd(), SHUT_WR);
}

void SyslogStream::Reset() {
  if (closed_) return;
  closed_ = true;
  FreeSsl();
  connection_.Abort();
}

}  // namespace natscope::server::intake
