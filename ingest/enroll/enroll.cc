#include "ingest/enroll/enroll.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/secret_file.h"
#include "grpcpp/client_context.h"
#include "ingest/enroll/credential.h"
#include "ingest/state/atomic_file.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::ingest {
namespace {

absl::Status Explain(const grpc::Status& grpc_status,
                     const std::string& server) {
  const absl::Status status = FromGrpcStatus(grpc_status);
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return absl::Status(
          status.code(),
          absl::StrCat("cannot reach natscope-server at ", server, ": ",
                       status.message(),
                       " (check the server address, that it runs, and that "
                       "tls.ca_file is the CA of its certificate)"));
    case absl::StatusCode::kAlreadyExists:
      // The server's message says what to do (reset by an admin, or keep
      // the state directory); retrying soon cannot help.
      return absl::Status(status.code(),
                          absl::StrCat("enrollment at ", server,
                                       " refused: ", status.message()));
    case absl::StatusCode::kUnimplemented:
      return absl::Status(status.code(),
                          absl::StrCat(server, " is not a natscope-server: ",
                                       status.message()));
    default:
      return absl::Status(status.code(),
                          absl::StrCat("enrollment at ", server,
                                       " refused: ", status.message()));
  }
}

}  // namespace

absl::StatusOr<v1::AgentCredential> RunEnroll(const EnrollOptions& options,
                                              absl::Time now) {
  auto stub = v1::AgentService::NewStub(options.channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(now + options.deadline));
  v1::EnrollRequest request;
  request.set_enrollment_token(options.token);
  *request.mutable_identity() = options.identity;
  // Enrolling again on the same host proves itself with the credential it
  // has, so that the server rotates it instead of refusing the agent id.
  auto current = LoadCredentialFile(options.state_dir);
  if (current.ok() && current->agent_id() == options.identity.agent_id() &&
      current->site() == options.identity.site()) {
    request.set_current_credential(current->secret());
  }
  v1::EnrollResponse response;
  grpc::Status status = stub->Enroll(&context, request, &response);
  if (!status.ok()) return Explain(status, options.server);
  if (response.credential().empty()) {
    return absl::InternalError(
        absl::StrCat(options.server, " answered Enroll without a credential"));
  }
  v1::AgentCredential credential;
  credential.set_agent_id(response.agent_id().empty()
                              ? options.identity.agent_id()
                              : response.agent_id());
  credential.set_site(options.identity.site());
  credential.set_server(options.server);
  credential.set_secret(response.credential());
  credential.mutable_enrolled_at()->set_seconds(absl::ToUnixSeconds(now));
  absl::Status saved = SaveCredential(options.state_dir, credential);
  if (!saved.ok()) {
    return absl::Status(
        saved.code(),
        absl::StrCat("enrolled, but cannot store the credential: ",
                     saved.message()));
  }
  return credential;
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  // The token enrolls any host as an agent of its site: a secret, kept as
  // the credential is (0600, the agent's own user).
  return ReadSecretLine(path, "the site's enrollment token");
}

absl::StatusOr<v1::AgentCredential> EnsureCredential(
    const EnrollOptions& options, const std::string& token_file,
    absl::Time now) {
  auto stored = LoadCredentialFile(options.state_dir);
  if (stored.ok()) {
    if (stored->agent_id() != options.identity.agent_id() ||
        stored->site() != options.identity.site()) {
      return absl::FailedPreconditionError(absl::StrCat(
          options.state_dir, "/", kCredentialFileName,
          " was issued to agent \"", stored->agent_id(), "\" of site \"",
          stored->site(), "\" but the config says agent \"",
          options.identity.agent_id(), "\" of site \"", options.identity.site(),
          "\": fix identity in the config, or enroll again "
          "(natscope-agent enroll --config FILE --token=TOKEN)"));
    }
    return stored;
  }
  if (!absl::IsNotFound(stored.status())) return stored.status();
  EnrollOptions enroll = options;
  enroll.token.clear();
  if (!token_file.empty()) {
    auto token = ReadTokenFile(token_file);
    if (!token.ok()) return token.status();
    enroll.token = *std::move(token);
  }
  return RunEnroll(enroll, now);
}

}  // namespace natscope::ingest
