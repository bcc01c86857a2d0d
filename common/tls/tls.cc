#include "common/tls/tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace natscope::tls {
namespace {

// Owns an OpenSSL object.
template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

// Checks that `cert_pem` starts with a certificate and `key_pem` holds the
// private key of that certificate, so a mix-up fails at start rather than
// at every agent's handshake.
absl::Status CheckKeyPair(const std::string& cert_pem,
                          const std::string& key_pem,
                          const ServerTlsOptions& options) {
  Bio cert_bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_cert ", options.cert_file, " holds no PEM certificate"));
  }
  Bio key_bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_key ", options.key_file,
        " holds no unencrypted PEM private key (remove a passphrase with "
        "openssl pkey -in KEY -out KEY.plain)"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls_key ", options.key_file, " is not the key of --tls_cert ",
        options.cert_file, ": give the matching pair"));
  }
  return absl::OkStatus();
}

// The host part of HOST:PORT, [V6]:PORT or a bare host.
absl::string_view HostOf(absl::string_view address) {
  if (absl::StartsWith(address, "[")) {
    const size_t end = address.find(']');
    return end == absl::string_view::npos ? address.substr(1)
                                          : address.substr(1, end - 1);
  }
  const size_t colon = address.rfind(':');
  if (colon != absl::string_view::npos && address.find(':') == colon) {
    return address.substr(0, colon);
  }
  return address;  // bare IPv6 or bare host
}

}  // namespace

absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string message = absl::StrCat("cannot read ", what, " ", path,
                                             ": ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES) return absl::PermissionDeniedError(message);
    return absl::UnavailableError(message);
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(
        absl::StrCat("cannot read ", what, " ", path));
  }
  return contents.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsOptions& options) {
  if (options.plaintext && !options.ca_file.empty()) {
    return absl::InvalidArgumentError(
        "tls: ca_file and plaintext both set: keep ca_file to use TLS, or "
        "remove it to send in the clear");
  }
  if (options.plaintext) return grpc::InsecureChannelCredentials();
  if (options.ca_file.empty()) {
    return absl::InvalidArgumentError(
        "tls: set ca_file, or plaintext: true to send in the clear");
  }
  auto pem = ReadPemFile(options.ca_file, "tls.ca_file");
  if (!pem.ok()) return pem.status();
  if (!absl::StrContains(*pem, "-----BEGIN CERTIFICATE-----")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "tls.ca_file ", options.ca_file,
        " holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")"));
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = *std::move(pem);
  return grpc::SslCredentials(ssl);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewClientChannel(
    const std::string& target, const ClientTlsOptions& options) {
  auto credentials = MakeChannelCredentials(options);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  if (!options.server_name.empty() && !options.plaintext) {
    args.SetSslTargetNameOverride(options.server_name);
  }
  if (options.max_receive_bytes > 0) {
    args.SetMaxReceiveMessageSize(options.max_receive_bytes);
  }
  return grpc::CreateCustomChannel(target, *credentials, args);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options, const std::string& listen) {
  const bool has_cert = !options.cert_file.empty();
  const bool has_key = !options.key_file.empty();
  if (has_cert != has_key) {
    return absl::InvalidArgumentError(
        has_cert
            ? "--tls_cert needs --tls_key: give the certificate's private key "
              "too"
            : "--tls_key needs --tls_cert: give the certificate (chain) too");
  }
  if (has_cert && options.plaintext) {
    return absl::InvalidArgumentError(
        "--plaintext and --tls_cert/--tls_key contradict each other: drop one");
  }
  if (!has_cert) {
    if (options.plaintext || IsLoopbackAddress(listen)) {
      return grpc::InsecureServerCredentials();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "refusing to serve plaintext gRPC on ", listen,
        " (agent credentials would cross the network in the clear): give "
        "--tls_cert=FILE --tls_key=FILE, listen on 127.0.0.1, or pass "
        "--plaintext to accept the risk"));
  }
  auto cert = ReadPemFile(options.cert_file, "--tls_cert");
  if (!cert.ok()) return cert.status();
  auto key = ReadPemFile(options.key_file, "--tls_key");
  if (!key.ok()) return key.status();
  absl::Status pair = CheckKeyPair(*cert, *key, options);
  if (!pair.ok()) return pair;
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  return grpc::SslServerCredentials(ssl);
}

bool IsLoopbackAddress(absl::string_view listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  const absl::string_view host = HostOf(listen);
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, text.c_str(), &v6) == 1 &&
         IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace natscope::tls
