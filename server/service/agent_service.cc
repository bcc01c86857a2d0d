#include "server/service/agent_service.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "re2/re2.h"
#include "server/service/credentials.h"

namespace natscope::server {

absl::Status ValidateIdentity(const v1::AgentIdentity& identity) {
  static const RE2* const kIdPattern = new RE2(R"([A-Za-z0-9._-]{1,128})");
  if (!RE2::FullMatch(identity.agent_id(), *kIdPattern)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "identity.agent_id \"", identity.agent_id(),
        "\" must be 1 to 128 characters from A-Z a-z 0-9 . _ -"));
  }
  if (!RE2::FullMatch(identity.site(), *kIdPattern)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "identity.site \"", identity.site(),
        "\" must be 1 to 128 characters from A-Z a-z 0-9 . _ -"));
  }
  if (identity.role() != v1::ROLE_CLIENT && identity.role() != v1::ROLE_CONNECTOR) {
    return absl::InvalidArgumentError(
        "identity.role must be ROLE_CLIENT or ROLE_CONNECTOR");
  }
  return absl::OkStatus();
}

std::optional<absl::Duration> RetryDelayFor(
    const absl::Status& status, const AgentServiceOptions& options) {
  if (absl::IsUnavailable(status)) return options.unavailable_retry_delay;
  if (absl::IsResourceExhausted(status)) {
    return options.rate_limited_retry_delay;
  }
  return std::nullopt;
}

AgentServiceCore::AgentServiceCore(Store* store, AgentServiceOptions options)
    : store_(store), options_(std::move(options)) {}

absl::StatusOr<v1::EnrollResponse> AgentServiceCore::Enroll(
    const v1::EnrollRequest& request) {
  if (!options_.enrollment_token.empty() &&
      !ConstantTimeEquals(request.enrollment_token(), options_.enrollment_token)) {
    return absl::PermissionDeniedError(
        "enrollment token rejected: ask the natscope admin for the site's token");
  }
  RETURN_IF_ERROR(ValidateIdentity(request.identity()));
  ASSIGN_OR_RETURN(std::string credential, NewCredential());
  RETURN_IF_ERROR(store_->UpsertAgent(request.identity(), HashCredential(credential)));
  v1::EnrollResponse response;
  response.set_agent_id(request.identity().agent_id());
  response.set_credential(std::move(credential));
  return response;
}

absl::StatusOr<v1::IngestResponse> AgentServiceCore::Ingest(
    absl::string_view credential, const v1::IngestRequest& request) {
  auto agent = store_->AgentByCredentialHash(HashCredential(credential));
  if (absl::IsNotFound(agent.status())) {
    return absl::UnauthenticatedError(
        "unknown agent credential: enroll the agent again "
        "(natscope-agent enroll)");
  }
  if (!agent.ok()) return agent.status();
  // The payload's identity describes; only the credential proves.
  const v1::AgentIdentity& claimed = request.agent();
  if ((!claimed.agent_id().empty() && claimed.agent_id() != agent->agent_id()) ||
      (!claimed.site().empty() && claimed.site() != agent->site())) {
    return absl::PermissionDeniedError(absl::StrCat(
        "batch claims agent \"", claimed.agent_id(), "\" of site \"",
        claimed.site(), "\" but the credential belongs to agent \"",
        agent->agent_id(), "\" of site \"", agent->site(), "\""));
  }
  if (request.epoch() == 0 || request.sequence() == 0) {
    return absl::InvalidArgumentError("epoch and sequence must be at least 1");
  }
  if (request.records_size() > options_.max_records_per_batch) {
    return absl::InvalidArgumentError(
        absl::StrCat("batch has ", request.records_size(),
                     " records; the limit is ", options_.max_records_per_batch,
                     ": send smaller batches"));
  }
  ASSIGN_OR_RETURN(IngestResult result,
                   store_->Ingest(*agent, request, absl::Now()));
  v1::IngestResponse response;
  response.set_epoch(request.epoch());
  response.set_sequence(request.sequence());
  response.set_records_committed(result.records_committed);
  response.set_duplicate(result.duplicate);
  return response;
}

grpc::Status AgentServiceImpl::Enroll(grpc::ServerContext* context,
                                      const v1::EnrollRequest* request,
                                      v1::EnrollResponse* response) {
  auto result = core_->Enroll(*request);
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = std::move(result).value();
  return grpc::Status::OK;
}

grpc::Status AgentServiceImpl::Ingest(grpc::ServerContext* context,
                                      const v1::IngestRequest* request,
                                      v1::IngestResponse* response) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view header;
  if (it != metadata.end()) header = {it->second.data(), it->second.size()};
  auto token = BearerToken(header);
  if (!token.ok()) return ToGrpcStatus(token.status());
  auto result = core_->Ingest(*token, *request);
  if (!result.ok()) {
    // Tell the agent when to come back rather than letting it guess.
    if (auto delay = RetryDelayFor(result.status(), core_->options())) {
      context->AddTrailingMetadata(
          kRetryAfterMetadataKey,
          std::to_string(absl::ToInt64Milliseconds(*delay)));
    }
    return ToGrpcStatus(result.status());
  }
  *response = std::move(result).value();
  return grpc::Status::OK;
}

}  // namespace natscope::server
