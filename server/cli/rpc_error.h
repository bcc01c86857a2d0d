// The one line the natscope CLI prints for a failed call, the same in
// every command: the server's message, and what to do when the cause is
// on the caller's side (no token, the server unreachable, plaintext
// against TLS or the other way round).
#ifndef NATSCOPE_SERVER_CLI_RPC_ERROR_H_
#define NATSCOPE_SERVER_CLI_RPC_ERROR_H_

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace natscope::server {

// What a command prints for a failed call; empty: the status's message.
using RpcErrorText = std::function<std::string(const grpc::Status&)>;

// `describe`'s line for `status`, or its message when `describe` is empty.
std::string RpcErrorLine(const RpcErrorText& describe, const grpc::Status& status);

// What to do about a server at `server` that did not answer. A connection
// the server accepted and then closed while we spoke plaintext is a TLS
// server (gRPC says "Socket closed"); a failed handshake while we spoke
// TLS is a plaintext server; a refused connection is nothing listening.
std::string UnreachableHint(absl::string_view error, bool plaintext);

// The line for `status` from a call to `server` (plaintext or TLS).
std::string DescribeRpcError(const grpc::Status& status, const std::string& server,
                             bool plaintext);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_CLI_RPC_ERROR_H_
