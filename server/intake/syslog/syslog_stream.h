// The byte stream under one syslog connection: a non-blocking TCP socket,
// plain or wrapped in TLS (RFC 5425) with OpenSSL. The socket edge of
// syslog_listener; nothing here parses syslog.
//
// A SyslogTlsContext is immutable once loaded and shared by every
// connection (thread-safe). A SyslogStream belongs to one thread.
#ifndef NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_STREAM_H_
#define NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_STREAM_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/io/tcp_socket.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace natscope::server::intake {

// The server side of TLS 1.2 and later with one certificate chain.
class SyslogTlsContext {
 public:
  // Loads the PEM chain and key (--tls_cert, --tls_key). NotFound or
  // PermissionDenied for unreadable files; InvalidArgument, naming the
  // flag, when they do not parse or the key is not the certificate's.
  static absl::StatusOr<std::shared_ptr<SyslogTlsContext>> Load(
      const std::string& cert_file, const std::string& key_file);
  ~SyslogTlsContext();
  SyslogTlsContext(const SyslogTlsContext&) = delete;
  SyslogTlsContext& operator=(const SyslogTlsContext&) = delete;

 private:
  friend class SyslogStream;
  explicit SyslogTlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

class SyslogStream {
 public:
  enum class ReadState {
    kData,       // *n bytes were read.
    kWantRead,   // Nothing now: poll for POLLIN.
    kWantWrite,  // A TLS handshake must send first: poll for POLLOUT.
    kEnd,        // The peer closed cleanly.
    kError,      // Reset, or a TLS failure; *error says which.
  };

  // Takes the accepted connection; TLS when `tls` is not null (the
  // handshake runs inside the first Reads). Unavailable when OpenSSL
  // cannot make a session.
  static absl::StatusOr<std::unique_ptr<SyslogStream>> Wrap(
      io::TcpConnection connection, std::shared_ptr<SyslogTlsContext> tls);
  ~SyslogStream();  // Closes as Close() does.

  int fd() const { return connection_.fd(); }
  const net::SocketAddress& peer() const { return connection_.peer(); }

  ReadState Read(char* buffer, size_t size, size_t* n, std::string* error);
  // True when bytes are readable without waiting: decrypted TLS bytes
  // already held, or data in the socket's receive queue.
  bool Readable() const;
  // True for plaintext, and for TLS once the handshake is done.
  bool Handshaken() const;
  // Ends cleanly: TLS close_notify (best effort), then FIN; no
  // close_notify after ShutdownWrite.
  void Close();
  // Sends FIN now and keeps reading: what a stopping server tells a
  // shipper ("send no more here") while it reads what is in flight. No
  // TLS close_notify goes first, though RFC 5425 section 4.4 asks a
  // closing receiver to attempt the exchange: rsyslog decides whether a
  // connection still stands by peeking at its socket, and a close_notify
  // waiting there reads as "open", so it writes its next message into a
  // connection about to be reset and loses it (seen in
  // tests/e2e:intake_shippers_test). A bare FIN it sees (the context sends
  // no session tickets either, for the same reason). The server sends no
  // application data, so there is nothing a truncation could cut.
  void ShutdownWrite();
  // Ends with a reset (SO_LINGER 0), so that the peer sees an error.
  void Reset();

 private:
  SyslogStream(io::TcpConnection connection,
               std::shared_ptr<SyslogTlsContext> tls, SSL* ssl)
      : connection_(std::move(connection)), tls_(std::move(tls)), ssl_(ssl) {}
  void FreeSsl();

  io::TcpConnection connection_;
  std::shared_ptr<SyslogTlsContext> tls_;
  SSL* ssl_;
  bool closed_ = false;
  bool write_shut_ = false;
};

}  // namespace natscope::server::intake

#endif  // NATSCOPE_SERVER_INTAKE_SYSLOG_SYSLOG_STREAM_H_
