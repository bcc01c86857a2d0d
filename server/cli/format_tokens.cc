// The site tokens of `natscope tokens enroll create|list`: enrollment
// tokens for agents and intake tokens for log shippers.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analyzer/verdict_names.h"
#include "google/protobuf/util/time_util.h"
#include "server/cli/format.h"

namespace natscope::server {
namespace {

using google::protobuf::util::TimeUtil;

bool IsIntake(const v1::EnrollmentTokenInfo& info) {
  return info.purpose() == v1::TOKEN_PURPOSE_INTAKE;
}

std::string Expiry(const v1::EnrollmentTokenInfo& info) {
  return info.has_expires() ? TimeUtil::ToString(info.expires()) : "never";
}

// The role intake gives a host whose messages name none ("client" when
// unset, as the server reads it).
std::string DefaultRole(const v1::EnrollmentTokenInfo& info) {
  return info.default_role() == v1::ROLE_UNSPECIFIED
             ? "client"
             : analyzer::RoleName(info.default_role());
}

}  // namespace

std::string FormatCreatedSiteToken(
    const v1::CreateEnrollmentTokenResponse& created) {
  const v1::EnrollmentTokenInfo& info = created.info();
  // The secret stays the last line, alone: scripts take it with tail -n 1.
  if (!IsIntake(info)) {
    const std::string uses =
        info.max_uses() == 0
            ? "any number of agents"
            : absl::StrCat("at most ", info.max_uses(), " agent(s)");
    return absl::StrCat("enrollment token for site ", info.site(), " (id ",
                        info.token_id(), "; enrolls ", uses, " until ",
                        Expiry(info), "), shown only now:\n", created.token(),
                        "\n");
  }
  return absl::StrCat(
      "intake token for site ", info.site(), " (id ", info.token_id(),
      "; hosts whose messages name no role are ", DefaultRole(info),
      "s; expires ", Expiry(info), ").\n",
      "Log shippers send it with every message for the site's hosts:\n"
      "  OTLP/HTTP: header Authorization: Bearer <token>\n"
      "  syslog: structured data [natscope@32473 token=\"<token>\"]\n"
      "The token, shown only now:\n",
      created.token(), "\n");
}

std::string FormatSiteTokens(const v1::ListEnrollmentTokensResponse& tokens) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "SITE", "PURPOSE", "ROLE", "CREATED", "EXPIRES", "USES"}};
  for (const v1::EnrollmentTokenInfo& t : tokens.tokens()) {
    std::string uses = "-";  // An intake token enrolls no agent.
    if (!IsIntake(t)) {
      uses = t.max_uses() == 0 ? absl::StrCat(t.uses())
                               : absl::StrCat(t.uses(), "/", t.max_uses());
    }
    rows.push_back({t.token_id(), t.site(), IsIntake(t) ? "intake" : "enroll",
                    IsIntake(t) ? DefaultRole(t) : "-",
                    t.has_created() ? TimeUtil::ToString(t.created()) : "-",
                    Expiry(t), uses});
  }
  return RenderTable(rows);
}

}  // namespace natscope::server
