#include "server/cli/rpc_error.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace natscope::server {

std::string RpcErrorLine(const RpcErrorText& describe, const grpc::Status& status) {
  return describe ? describe(status) : status.error_message();
}

std::string UnreachableHint(absl::string_view error, bool plaintext) {
  const bool refused = absl::StrContains(error, "Connection refused");
  if (plaintext && !refused &&
      (absl::StrContains(error, "Socket closed") ||
       absl::StrContains(error, "Connection reset"))) {
    return "the server seems to speak TLS: pass --ca_file=FILE with the CA "
           "that signed its --tls_cert";
  }
  if (!plaintext && (absl::StrContains(error, "handshake") ||
                     absl::StrContains(error, "SSL") ||
                     absl::StrContains(error, "WRONG_VERSION_NUMBER"))) {
    return "TLS failed: check --ca_file (the CA that signed the server's "
           "--tls_cert) and that the server serves TLS";
  }
  return "is it running? pass its address with --server";
}

std::string DescribeRpcError(const grpc::Status& status, const std::string& server,
                             bool plaintext) {
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return absl::StrCat(status.error_message(),
                        ": pass --token_file=FILE with an admin or viewer token "
                        "(natscope-server writes one to <data_dir>/admin_token), "
                        "or set NATSCOPE_TOKEN");
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::StrCat("cannot reach natscope-server at ", server, " (",
                        status.error_message(), "): ",
                        UnreachableHint(status.error_message(), plaintext));
  }
  return status.error_message();
}

}  // namespace natscope::server
