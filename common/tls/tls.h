// Transport security for natscope's gRPC connections.
//
// Agents reach natscope-server over TLS, verified against a CA file the
// operator configures; plaintext only when asked for explicitly. The
// server serves TLS with --tls_cert/--tls_key, and plaintext only on a
// loopback address or with an explicit --plaintext. Every error message
// names the file or flag to fix. Stateless functions; thread-safe.
#ifndef NATSCOPE_COMMON_TLS_TLS_H_
#define NATSCOPE_COMMON_TLS_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace natscope::tls {

struct ClientTlsOptions {
  // PEM file of the CA(s) that signed the server's certificate.
  std::string ca_file;
  // Send in the clear. Exclusive with ca_file; one of the two is required.
  bool plaintext = false;
  // Name to verify the server's certificate against, when it is not the
  // host part of the target (e.g. the target is an IP address).
  std::string server_name;
  // Largest reply the channel accepts, in bytes; 0: gRPC's default (4 MiB).
  int max_receive_bytes = 0;
};

// TLS credentials trusting only `ca_file`, or insecure ones when
// `plaintext`. InvalidArgument when neither or both are set (or the file
// holds no PEM certificate); NotFound/PermissionDenied when the CA file
// cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsOptions& options);

// A channel to `target` (HOST:PORT) with MakeChannelCredentials(options),
// overriding the TLS target name when options.server_name is set.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewClientChannel(
    const std::string& target, const ClientTlsOptions& options);

struct ServerTlsOptions {
  // PEM certificate chain and private key (--tls_cert, --tls_key).
  std::string cert_file;
  std::string key_file;
  // --plaintext: serve without TLS even on a non-loopback address.
  bool plaintext = false;
};

// Server credentials for listening on `listen` (HOST:PORT):
// - cert_file and key_file: TLS; both files must parse and the key must
//   match the certificate;
// - neither: plaintext, allowed only when `listen` is a loopback address
//   (127.0.0.0/8, ::1, localhost) or options.plaintext is set.
// InvalidArgument (one flag without the other, --plaintext together with
// a certificate, plaintext on a public address, unparsable PEM, key not
// matching); NotFound/PermissionDenied for unreadable files. Messages are
// one line and say which flag to give.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options, const std::string& listen);

// True when `listen`'s host part is a loopback address or "localhost", or
// it is a "unix:" address. "0.0.0.0", "[::]" and an empty host are not.
bool IsLoopbackAddress(absl::string_view listen);

// Reads a whole file. NotFound/PermissionDenied/Unavailable name `what`
// (e.g. "--tls_cert") and the path.
absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        absl::string_view what);

}  // namespace natscope::tls

#endif  // NATSCOPE_COMMON_TLS_TLS_H_
