#include "server/auth/bootstrap_token.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/secret_file.h"
#include "common/status_macros.h"
#include "server/auth/authenticator.h"
#include "server/auth/credentials.h"

namespace natscope::server::auth {
namespace {

absl::Status WriteNew(const std::string& path, const std::string& token) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create ", path, ": ", std::strerror(errno),
        ": fix the directory or choose another --admin_token_file"));
  }
  const std::string line = token + "\n";
  const bool ok =
      write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool closed = close(fd) == 0;
  if (!ok || !closed) {
    unlink(path.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

// The token in `path`, made now (and *created set) when there is none.
absl::StatusOr<std::string> ReadOrCreate(const std::string& path,
                                         bool* created) {
  // Checked on every start: a token file others may read, or that another
  // user could have written, stops the server (the message says what to run).
  absl::StatusOr<std::string> contents =
      ReadSecretFile(path, "the bootstrap admin token");
  if (contents.ok()) {
    std::string secret(absl::StripAsciiWhitespace(*contents));
    if (secret.size() < 32) {
      return absl::FailedPreconditionError(absl::StrCat(
          path,
          " holds no admin token of at least 32 characters: delete it "
          "to have a new one made"));
    }
    return secret;
  }
  if (!absl::IsNotFound(contents.status())) return contents.status();
  ASSIGN_OR_RETURN(IssuedToken issued, IssueToken());
  RETURN_IF_ERROR(WriteNew(path, issued.secret));
  *created = true;
  return issued.secret;
}

}  // namespace

absl::StatusOr<BootstrapResult> EnsureBootstrapAdminToken(
    TokenStore& store, const std::string& path, absl::Time now) {
  BootstrapResult result;
  ASSIGN_OR_RETURN(std::string secret, ReadOrCreate(path, &result.created_file));
  const std::string hash = HashCredential(secret);
  result.token_id = TokenIdOf(hash);
  absl::StatusOr<v1::ApiTokenInfo> existing = store.ApiTokenByHash(hash);
  if (existing.ok()) {
    if (existing->has_revoked()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the admin token in ", path, " (", existing->token_id(),
          ") was revoked: delete the file to have a new one made"));
    }
    return result;
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  v1::ApiTokenInfo info;
  info.set_token_id(result.token_id);
  info.set_name(absl::StrCat("bootstrap (", path, ")"));
  info.set_role(v1::API_TOKEN_ROLE_ADMIN);
  info.mutable_created()->set_seconds(absl::ToUnixSeconds(now));
  absl::Status created = store.CreateApiToken(info, hash);
  // Another server sharing the database may have registered it meanwhile.
  if (absl::IsAlreadyExists(created)) return result;
  RETURN_IF_ERROR(created);
  return result;
}

}  // namespace natscope::server::auth
