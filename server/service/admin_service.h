// AdminService: admins create, list and revoke API tokens and per-site
// enrollment tokens (proto/natscope/v1/admin.proto). Secrets are returned
// once by the Create calls; the TokenStore keeps their SHA-256 only.
// Thread-safe (the stores are).
#ifndef NATSCOPE_SERVER_SERVICE_ADMIN_SERVICE_H_
#define NATSCOPE_SERVER_SERVICE_ADMIN_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "natscope/v1/admin.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/store/agent_registry.h"
#include "server/store/token_store.h"

namespace natscope::server {

// The transport-free core; callers have been authorised as admins.
// InvalidArgument for a bad site, name, role or expiry; NotFound for an
// unknown token_id; the stores' errors otherwise.
class AdminServiceCore {
 public:
  // Not owned; all must outlive this object. A site's probe request skips
  // its agents silent for longer than `forget_after` (--forget_after).
  AdminServiceCore(AgentRegistry* agents, TokenStore* tokens,
                   const Clock* clock,
                   absl::Duration forget_after = absl::InfiniteDuration())
      : agents_(agents),
        tokens_(tokens),
        clock_(clock),
        forget_after_(forget_after) {}

  // A site token of the request's purpose: an enrollment token expires
  // in kDefaultEnrollmentExpiry unless told otherwise, an intake token
  // never; an intake token's unset default_role is stored as ROLE_CLIENT.
  // InvalidArgument for an intake token with max_uses, a default_role
  // other than client or connector, or one on an enrollment token.
  absl::StatusOr<v1::CreateEnrollmentTokenResponse> CreateEnrollmentToken(
      const v1::CreateEnrollmentTokenRequest& request);
  absl::StatusOr<v1::RevokeEnrollmentTokenResponse> RevokeEnrollmentToken(
      const v1::RevokeEnrollmentTokenRequest& request);
  absl::StatusOr<v1::ListEnrollmentTokensResponse> ListEnrollmentTokens(
      const v1::ListEnrollmentTokensRequest& request);
  absl::StatusOr<v1::CreateApiTokenResponse> CreateApiToken(
      const v1::CreateApiTokenRequest& request);
  absl::StatusOr<v1::RevokeApiTokenResponse> RevokeApiToken(
      const v1::RevokeApiTokenRequest& request);
  absl::StatusOr<v1::ListApiTokensResponse> ListApiTokens(
      const v1::ListApiTokensRequest& request);
  // NotFound for an unknown agent_id (AgentRegistry::ReleaseAgent,
  // RemoveAgent).
  absl::StatusOr<v1::ResetAgentResponse> ResetAgent(
      const v1::ResetAgentRequest& request);
  absl::StatusOr<v1::RemoveAgentResponse> RemoveAgent(
      const v1::RemoveAgentRequest& request);
  // Asks one agent, or a site's agents that are not forgotten, to probe at
  // their next contact (AgentRegistry::RequestProbe), as of the clock
  // (to the microsecond). InvalidArgument unless exactly one of site and
  // agent_id is given; NotFound when no agent is asked.
  absl::StatusOr<v1::RequestProbeResponse> RequestProbe(
      const v1::RequestProbeRequest& request);

  // Expiry of an enrollment token created without one, and the latest
  // expiry a site token may have.
  static constexpr absl::Duration kDefaultEnrollmentExpiry =
      absl::Hours(24 * 7);
  static constexpr absl::Duration kMaxEnrollmentExpiry = absl::Hours(24 * 366);

 private:
  AgentRegistry* agents_;
  TokenStore* tokens_;
  const Clock* clock_;
  absl::Duration forget_after_;
};

// The gRPC face: authorises every call (admin tokens only), then the core.
class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  // Both must outlive this object.
  AdminServiceImpl(AdminServiceCore* core, auth::Authenticator* authenticator)
      : core_(core), authenticator_(authenticator) {}

  grpc::Status CreateEnrollmentToken(
      grpc::ServerContext* context,
      const v1::CreateEnrollmentTokenRequest* request,
      v1::CreateEnrollmentTokenResponse* response) override;
  grpc::Status RevokeEnrollmentToken(
      grpc::ServerContext* context,
      const v1::RevokeEnrollmentTokenRequest* request,
      v1::RevokeEnrollmentTokenResponse* response) override;
  grpc::Status ListEnrollmentTokens(
      grpc::ServerContext* context,
      const v1::ListEnrollmentTokensRequest* request,
      v1::ListEnrollmentTokensResponse* response) override;
  grpc::Status CreateApiToken(grpc::ServerContext* context,
                              const v1::CreateApiTokenRequest* request,
                              v1::CreateApiTokenResponse* response) override;
  grpc::Status RevokeApiToken(grpc::ServerContext* context,
                              const v1::RevokeApiTokenRequest* request,
                              v1::RevokeApiTokenResponse* response) override;
  grpc::Status ListApiTokens(grpc::ServerContext* context,
                             const v1::ListApiTokensRequest* request,
                             v1::ListApiTokensResponse* response) override;
  grpc::Status ResetAgent(grpc::ServerContext* context,
                          const v1::ResetAgentRequest* request,
                          v1::ResetAgentResponse* response) override;
  grpc::Status RemoveAgent(grpc::ServerContext* context,
                           const v1::RemoveAgentRequest* request,
                           v1::RemoveAgentResponse* response) override;
  grpc::Status RequestProbe(grpc::ServerContext* context,
                            const v1::RequestProbeRequest* request,
                            v1::RequestProbeResponse* response) override;

 private:
  AdminServiceCore* core_;
  auth::Authenticator* authenticator_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_SERVICE_ADMIN_SERVICE_H_
