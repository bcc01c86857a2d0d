#include "common/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace natscope {
namespace {

constexpr size_t kMaxSecretFileBytes = 64 << 10;

struct FdCloser {
  int fd;
  ~FdCloser() { close(fd); }
};

absl::Status OpenError(int error, const std::string& path,
                       absl::string_view what) {
  if (error == ENOENT) {
    return absl::NotFoundError(
        absl::StrCat(path, " (", what, ") does not exist"));
  }
  if (error == ELOOP) {
    return absl::PermissionDeniedError(absl::StrCat(
        path, " (", what,
        ") is a symbolic link: point the flag at the file itself"));
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "cannot open ", path, " (", what, "): ", std::strerror(error)));
}

absl::Status CheckPrivate(const struct stat& st, const std::string& path,
                          absl::string_view what) {
  if (!S_ISREG(st.st_mode)) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, " (", what, ") is not a regular file"));
  }
  if (st.st_uid != geteuid()) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s (%s) belongs to uid %d, not to this process's user (uid %d), so "
        "it is not used: run `chown %d %s` if it is yours",
        path, std::string(what), st.st_uid, geteuid(), geteuid(), path));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "%s (%s) is open to group or others (mode %04o), so the secret in it "
        "is not used: run `chmod 600 %s` (and replace the secret if others "
        "may have read it)",
        path, std::string(what), st.st_mode & 07777, path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           absl::string_view what) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return OpenError(errno, path, what);
  FdCloser closer{fd};
  struct stat st {};
  if (fstat(fd, &st) != 0) return OpenError(errno, path, what);
  if (absl::Status s = CheckPrivate(st, path, what); !s.ok()) return s;
  std::string contents;
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OpenError(errno, path, what);
    if (n == 0) return contents;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > kMaxSecretFileBytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          path, " (", what, ") is over 64 KiB: is it the right file?"));
    }
  }
}

absl::StatusOr<std::string> ReadSecretLine(const std::string& path,
                                           absl::string_view what) {
  absl::StatusOr<std::string> text = ReadSecretFile(path, what);
  if (!text.ok()) return text.status();
  absl::string_view line = *text;
  line = absl::StripAsciiWhitespace(line.substr(0, line.find('\n')));
  if (line.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " (", what, ") is empty: put the secret in it"));
  }
  return std::string(line);
}

}  // namespace natscope
