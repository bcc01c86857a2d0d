#include "common/grpc_status.h"

#include <string>

namespace natscope {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  absl::string_view message = status.message();
  std::string bounded;
  if (message.size() > kMaxStatusMessageBytes) {
    // Cut at a UTF-8 boundary: the message travels as grpc-message metadata,
    // and a default client refuses metadata past 8 KiB.
    size_t cut = kMaxStatusMessageBytes;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) {
      --cut;
    }
    bounded = std::string(message.substr(0, cut)) + "...(message cut)";
    message = bounded;
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(message));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace natscope
