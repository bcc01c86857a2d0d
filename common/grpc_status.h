// The one place where absl::Status and grpc::Status meet. Both use the same
// canonical codes, so conversion is a copy.
#ifndef NATSCOPE_COMMON_GRPC_STATUS_H_
#define NATSCOPE_COMMON_GRPC_STATUS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace natscope {

// Longest message ToGrpcStatus passes on; longer ones (which can only come
// from quoting someone's input) are cut.
inline constexpr size_t kMaxStatusMessageBytes = 1024;

// The same code and message, the message cut to kMaxStatusMessageBytes.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace natscope

#endif  // NATSCOPE_COMMON_GRPC_STATUS_H_
