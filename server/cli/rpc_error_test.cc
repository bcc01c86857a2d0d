#include "server/cli/rpc_error.h"

#include "gtest/gtest.h"

namespace natscope::server {
namespace {

// gRPC 1.51's words for each case, as seen against a real natscope-server.
const grpc::Status kTlsServerClosed(
    grpc::StatusCode::UNAVAILABLE,
    "failed to connect to all addresses; last error: UNAVAILABLE: "
    "ipv4:127.0.0.1:42545: Socket closed");
const grpc::Status kNothingListening(
    grpc::StatusCode::UNAVAILABLE,
    "failed to connect to all addresses; last error: UNKNOWN: "
    "ipv4:127.0.0.1:1: Failed to connect to remote host: Connection refused");

TEST(RpcErrorTest, APlaintextCallerClosedOnIsToldAboutTls) {
  const std::string line = DescribeRpcError(kTlsServerClosed, "127.0.0.1:42545", true);
  EXPECT_NE(line.find("cannot reach natscope-server at 127.0.0.1:42545"),
            std::string::npos) << line;
  EXPECT_NE(line.find("speak TLS: pass --ca_file"), std::string::npos) << line;
  EXPECT_EQ(line.find("is it running"), std::string::npos) << line;
}

TEST(RpcErrorTest, ARefusedConnectionAsksWhetherTheServerRuns) {
  for (bool plaintext : {true, false}) {
    const std::string line = DescribeRpcError(kNothingListening, "127.0.0.1:1", plaintext);
    EXPECT_NE(line.find("is it running? pass its address with --server"),
              std::string::npos) << line;
  }
}

TEST(RpcErrorTest, AFailedHandshakeOverTlsNamesTheCaFile) {
  const grpc::Status handshake(grpc::StatusCode::UNAVAILABLE,
                               "failed to connect to all addresses; last error: "
                               "UNKNOWN: Ssl handshake failed: SSL_ERROR_SSL");
  EXPECT_NE(DescribeRpcError(handshake, "h:1", false).find("check --ca_file"),
            std::string::npos);
}

TEST(RpcErrorTest, NoTokenNamesTheTokenFlag) {
  const grpc::Status none(grpc::StatusCode::UNAUTHENTICATED, "needs a token");
  EXPECT_NE(DescribeRpcError(none, "h:1", true).find("--token_file"), std::string::npos);
}

TEST(RpcErrorTest, OtherErrorsAreTheServersMessage) {
  const grpc::Status missing(grpc::StatusCode::NOT_FOUND, "no site \"x\"");
  EXPECT_EQ(DescribeRpcError(missing, "h:1", true), "no site \"x\"");
  EXPECT_EQ(RpcErrorLine({}, missing), "no site \"x\"");
  EXPECT_EQ(RpcErrorLine([](const grpc::Status&) { return std::string("mine"); }, missing),
            "mine");
}

}  // namespace
}  // namespace natscope::server
