#include "ingest/enroll/credential.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "common/secret_file.h"
#include "ingest/state/atomic_file.h"

namespace natscope::ingest {
namespace {

std::string CredentialPath(const std::string& state_dir) {
  return absl::StrCat(state_dir, "/", kCredentialFileName);
}

// Reads `path` when only this process's user may read or write it
// (common/secret_file.h).
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path) {
  return ReadSecretFile(path, "the agent's credential");
}

}  // namespace

absl::Status SaveCredential(const std::string& state_dir,
                            const v1::AgentCredential& credential) {
  absl::Status made = MakeDirectories(state_dir, 0700);
  if (!made.ok()) return made;
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(credential, &text)) {
    return absl::InternalError("cannot encode the credential");
  }
  text = absl::StrCat(
      "# natscope-agent credential: a secret. Keep this file mode 0600.\n",
      text);
  return WriteFileAtomically(CredentialPath(state_dir), text, 0600);
}

absl::StatusOr<v1::AgentCredential> LoadCredentialFile(
    const std::string& state_dir) {
  const std::string path = CredentialPath(state_dir);
  auto text = ReadPrivateFile(path);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(
        absl::StrCat("no credential in ", path,
                     ": this agent is not enrolled yet; run `natscope-agent "
                     "enroll --config FILE "
                     "--token=TOKEN` (the site's enrollment token from the "
                     "natscope admin), or set "
                     "enrollment_token_file in the config"));
  }
  if (!text.ok()) return text.status();
  v1::AgentCredential credential;
  if (!google::protobuf::TextFormat::ParseFromString(*text, &credential) ||
      credential.secret().empty()) {
    return absl::DataLossError(absl::StrCat(
        path,
        " is damaged (no secret in it): delete it and enroll again "
        "(natscope-agent enroll --config FILE --token=TOKEN)"));
  }
  return credential;
}

absl::StatusOr<std::string> LoadCredential(const std::string& state_dir) {
  auto credential = LoadCredentialFile(state_dir);
  if (!credential.ok()) return credential.status();
  return credential->secret();
}

}  // namespace natscope::ingest
