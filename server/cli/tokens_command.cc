#include "server/cli/tokens_command.h"

#include <cstdint>
#include <optional>

#include "absl/strings/str_cat.h"
#include "analyzer/verdict_names.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "natscope/v1/admin.grpc.pb.h"
#include "server/cli/format.h"

namespace natscope::server {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kUsage[] =
    "usage: natscope tokens enroll create SITE [--expires=168h] [--uses=N] | "
    "enroll create SITE --intake [--role=client|connector] | "
    "enroll list [SITE] | "
    "enroll revoke ID | api create admin|viewer NAME | api list | api revoke ID";

std::string When(const google::protobuf::Timestamp& t, bool has) {
  return has ? TimeUtil::ToString(t) : "-";
}

class Tokens {
 public:
  Tokens(const std::shared_ptr<grpc::Channel>& channel,
         const std::function<void(grpc::ClientContext*)>& authorize,
         absl::Duration timeout, bool json, std::ostream& out, std::ostream& err)
      : stub_(v1::AdminService::NewStub(channel)), authorize_(authorize),
        timeout_(timeout), json_(json), out_(out), err_(err) {}

  int Run(const std::vector<std::string>& a);
  int Agents(const std::vector<std::string>& a);
  EnrollTokenFlags enroll_flags;
  RpcErrorText describe;

 private:
  void Prepare(grpc::ClientContext* context) {
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    authorize_(context);
  }
  int Done(const grpc::Status& status, const google::protobuf::Message& reply,
           const std::string& text) {
    if (!status.ok()) {
      err_ << "natscope: " << RpcErrorLine(describe, status) << "\n";
      return 1;
    }
    if (json_) {
      out_ << ToJson(reply);
    } else {
      out_ << text;
    }
    return 0;
  }
  int Enroll(const std::vector<std::string>& a);
  int Api(const std::vector<std::string>& a);

  std::unique_ptr<v1::AdminService::Stub> stub_;
  std::function<void(grpc::ClientContext*)> authorize_;
  absl::Duration timeout_;
  bool json_;
  std::ostream& out_;
  std::ostream& err_;
};

int Tokens::Enroll(const std::vector<std::string>& a) {
  grpc::ClientContext context;
  Prepare(&context);
  if (a[1] == "create" && a.size() == 3) {
    absl::StatusOr<v1::CreateEnrollmentTokenRequest> request =
        SiteTokenRequest(a[2], enroll_flags, absl::Now());
    if (!request.ok()) {
      err_ << "natscope: " << request.status().message() << "\n";
      return 2;
    }
    v1::CreateEnrollmentTokenResponse reply;
    grpc::Status s = stub_->CreateEnrollmentToken(&context, *request, &reply);
    return Done(s, reply, FormatCreatedSiteToken(reply));
  }
  if (a[1] == "list" && a.size() <= 3) {
    v1::ListEnrollmentTokensRequest request;
    if (a.size() == 3) request.set_site(a[2]);
    v1::ListEnrollmentTokensResponse reply;
    grpc::Status s = stub_->ListEnrollmentTokens(&context, request, &reply);
    return Done(s, reply, FormatSiteTokens(reply));
  }
  if (a[1] == "revoke" && a.size() == 3) {
    v1::RevokeEnrollmentTokenRequest request;
    request.set_token_id(a[2]);
    v1::RevokeEnrollmentTokenResponse reply;
    grpc::Status s = stub_->RevokeEnrollmentToken(&context, request, &reply);
    return Done(s, reply, absl::StrCat("revoked enrollment token ", a[2], "\n"));
  }
  err_ << "natscope: " << kUsage << "\n";
  return 2;
}

int Tokens::Api(const std::vector<std::string>& a) {
  grpc::ClientContext context;
  Prepare(&context);
  if (a[1] == "create" && a.size() == 4 && (a[2] == "admin" || a[2] == "viewer")) {
    v1::CreateApiTokenRequest request;
    request.set_role(a[2] == "admin" ? v1::API_TOKEN_ROLE_ADMIN : v1::API_TOKEN_ROLE_VIEWER);
    request.set_name(a[3]);
    v1::CreateApiTokenResponse reply;
    grpc::Status s = stub_->CreateApiToken(&context, request, &reply);
    return Done(s, reply, absl::StrCat(a[2], " token \"", a[3], "\" (id ",
                                       reply.info().token_id(), "), shown only now:\n",
                                       reply.token(), "\n"));
  }
  if (a[1] == "list" && a.size() == 2) {
    v1::ListApiTokensResponse reply;
    grpc::Status s = stub_->ListApiTokens(&context, v1::ListApiTokensRequest(), &reply);
    std::vector<std::vector<std::string>> rows = {{"ID", "ROLE", "NAME", "CREATED"}};
    for (const auto& t : reply.tokens()) {
      rows.push_back({t.token_id(), t.role() == v1::API_TOKEN_ROLE_ADMIN ? "admin" : "viewer",
                      t.name(), When(t.created(), t.has_created())});
    }
    return Done(s, reply, RenderTable(rows));
  }
  if (a[1] == "revoke" && a.size() == 3) {
    v1::RevokeApiTokenRequest request;
    request.set_token_id(a[2]);
    v1::RevokeApiTokenResponse reply;
    grpc::Status s = stub_->RevokeApiToken(&context, request, &reply);
    return Done(s, reply, absl::StrCat("revoked API token ", a[2], "\n"));
  }
  err_ << "natscope: " << kUsage << "\n";
  return 2;
}

int Tokens::Agents(const std::vector<std::string>& a) {
  constexpr char kAgentsUsage[] = "usage: natscope agents reset ID | agents remove ID";
  grpc::ClientContext context;
  Prepare(&context);
  if (a.size() == 2 && a[0] == "reset") {
    v1::ResetAgentRequest request;
    request.set_agent_id(a[1]);
    v1::ResetAgentResponse reply;
    grpc::Status s = stub_->ResetAgent(&context, request, &reply);
    return Done(s, reply, absl::StrCat(
        "agent ", a[1], " of site ", reply.agent().site(),
        " released: its credential no longer works, and the next enrolment "
        "with an enrollment token of its site takes the id\n"));
  }
  if (a.size() == 2 && a[0] == "remove") {
    v1::RemoveAgentRequest request;
    request.set_agent_id(a[1]);
    v1::RemoveAgentResponse reply;
    grpc::Status s = stub_->RemoveAgent(&context, request, &reply);
    return Done(s, reply, absl::StrCat(
        "agent ", a[1], " of site ", reply.agent().site(),
        " removed (its stored facts age out with --retention)\n"));
  }
  err_ << "natscope: " << kAgentsUsage << "\n";
  return 2;
}

int Tokens::Run(const std::vector<std::string>& a) {
  if (a.size() >= 2 && a[0] == "enroll") return Enroll(a);
  if (a.size() >= 2 && a[0] == "api") return Api(a);
  err_ << "natscope: " << kUsage << "\n";
  return 2;
}

}  // namespace

absl::StatusOr<v1::CreateEnrollmentTokenRequest> SiteTokenRequest(
    const std::string& site, const EnrollTokenFlags& flags, absl::Time now) {
  if (flags.expires < absl::ZeroDuration() || flags.uses < 0 ||
      flags.uses > UINT32_MAX) {
    return absl::InvalidArgumentError(
        "--expires must be positive and --uses 0 (no limit) or more");
  }
  v1::CreateEnrollmentTokenRequest request;
  request.set_site(site);
  if (flags.expires > absl::ZeroDuration()) {
    request.mutable_expires()->set_seconds(
        absl::ToUnixSeconds(now + flags.expires));
  }
  request.set_max_uses(static_cast<uint32_t>(flags.uses));
  if (!flags.intake) {
    if (flags.role.empty()) return request;
    return absl::InvalidArgumentError(
        "--role is for intake tokens only: add --intake (an enrolling agent "
        "names its own role)");
  }
  if (flags.uses != 0) {
    return absl::InvalidArgumentError(
        "--uses is for enrollment tokens: an intake token enrolls no agent");
  }
  request.set_purpose(v1::TOKEN_PURPOSE_INTAKE);
  if (!flags.role.empty()) {
    const std::optional<v1::Role> role = analyzer::ParseRole(flags.role);
    if (!role.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--role=", flags.role, ": use client or connector"));
    }
    request.set_default_role(*role);
  }
  return request;
}

int TokensCommand(const std::vector<std::string>& args,
                  const EnrollTokenFlags& enroll_flags,
                  const std::shared_ptr<grpc::Channel>& channel,
                  const std::function<void(grpc::ClientContext*)>& authorize,
                  absl::Duration timeout, bool json, std::ostream& out,
                  std::ostream& err, const RpcErrorText& describe) {
  Tokens tokens(channel, authorize, timeout, json, out, err);
  tokens.enroll_flags = enroll_flags;
  tokens.describe = describe;
  return tokens.Run(args);
}

int AgentsAdminCommand(const std::vector<std::string>& args,
                       const std::shared_ptr<grpc::Channel>& channel,
                       const std::function<void(grpc::ClientContext*)>& authorize,
                       absl::Duration timeout, bool json, std::ostream& out,
                       std::ostream& err, const RpcErrorText& describe) {
  Tokens tokens(channel, authorize, timeout, json, out, err);
  tokens.describe = describe;
  return tokens.Agents(args);
}

}  // namespace natscope::server
