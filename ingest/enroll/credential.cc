#include "ingest/enroll/credential.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "ingest/state/atomic_file.h"

namespace natscope::ingest {
namespace {

std::string CredentialPath(const std::string& state_dir) {
  return absl::StrCat(state_dir, "/", kCredentialFileName);
}

// Closes a descriptor on scope exit.
struct FdCloser {
  int fd;
  ~FdCloser() { close(fd); }
};

// Reads `path` after checking, on the same descriptor (so a chmod or a
// swapped file in between cannot fool it), that only its owner may read
// or write it.
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", path);
  FdCloser closer{fd};
  struct stat st {};
  if (fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s is open to group or others (mode %04o), so the agent refuses to "
        "use "
        "the secret in it: run `chmod 600 %s` (and enroll again if others may "
        "have read it)",
        path, st.st_mode & 07777, path));
  }
  std::string contents;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "cannot read", path);
    if (n == 0) return contents;
    contents.append(buffer, static_cast<size_t>(n));
  }
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
