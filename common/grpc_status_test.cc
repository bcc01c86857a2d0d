#include "common/grpc_status.h"

#include <string>

#include "gtest/gtest.h"

namespace natscope {
namespace {

TEST(GrpcStatusTest, CodeAndMessageCarryOver) {
  const grpc::Status status = ToGrpcStatus(absl::NotFoundError("no such site"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no such site");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(GrpcStatusTest, LongMessagesAreCutSoClientsAcceptThem) {
  const grpc::Status status = ToGrpcStatus(absl::InvalidArgumentError(
      "time zone \"" + std::string(10000, 'z') + "\" is unknown"));
  EXPECT_LE(status.error_message().size(), kMaxStatusMessageBytes + 20);
  EXPECT_NE(status.error_message().find("(message cut)"), std::string::npos);
}

}  // namespace
}  // namespace natscope
