#include "server/embedded_postgres/password_file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace natscope::server {
namespace {

constexpr size_t kPasswordBytes = 32;
// More than any password file we write; a larger file is not ours.
constexpr size_t kMaxFileBytes = 4096;

// libpq password file fields escape ':' and '\' with a backslash.
std::string EscapeField(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == ':' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

std::string Unescape(absl::string_view value) {
  std::string plain;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    plain.push_back(value[i]);
  }
  return plain;
}

absl::Status Refuse(const std::string& path, absl::string_view problem,
                    absl::string_view fix) {
  return absl::FailedPreconditionError(
      absl::StrCat("PostgreSQL password file ", path, " ", problem, ": ", fix,
                   ", then start natscope-server again"));
}

// Checks ownership and mode of the open file `fd`.
absl::Status CheckPrivate(const std::string& path, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Refuse(path, "is not a regular file",
                  "remove it to have a new password set");
  }
  if (st.st_uid != geteuid()) {
    return Refuse(
        path,
        absl::StrCat("is owned by uid ", st.st_uid,
                     ", not by natscope-server's user (uid ", geteuid(), ")"),
        absl::StrCat("run chown ", geteuid(), " ", path));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
    return Refuse(path,
                  absl::StrCat("is open to group or others (mode ", mode, ")"),
                  absl::StrCat("run chmod 600 ", path));
  }
  return absl::OkStatus();
}

absl::Status CannotWrite(const std::string& path, int err) {
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot write PostgreSQL password file ", path, " (", strerror(err),
      "): let natscope-server's user write its directory or choose another "
      "--data_dir"));
}

}  // namespace

std::string PasswordFilePath(const std::string& data_dir) {
  absl::string_view dir = data_dir;
  while (dir.size() > 1 && absl::ConsumeSuffix(&dir, "/")) {
  }
  return absl::StrCat(dir, ".password");
}

absl::StatusOr<std::string> GeneratePassword() {
  unsigned char bytes[kPasswordBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError(
        "OpenSSL's random generator failed: cannot make a PostgreSQL "
        "password; check the system's entropy source");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

absl::StatusOr<std::string> ReadPasswordFile(const std::string& path,
                                             const std::string& user) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    return absl::NotFoundError(absl::StrCat("no file ", path));
  }
  if (fd < 0) {
    return Refuse(path,
                  absl::StrCat("cannot be opened (", strerror(errno), ")"),
                  "remove it or fix its permissions");
  }
  absl::Status status = CheckPrivate(path, fd);
  std::vector<char> buf(kMaxFileBytes + 1);
  const ssize_t n = status.ok() ? read(fd, buf.data(), buf.size()) : 0;
  close(fd);
  if (!status.ok()) return status;
  const std::string prefix = absl::StrCat("*:*:*:", EscapeField(user), ":");
  for (absl::string_view line :
       absl::StrSplit(absl::string_view(buf.data(), n > 0 ? n : 0), '\n')) {
    if (absl::ConsumePrefix(&line, prefix) && !line.empty()) {
      return Unescape(absl::StripTrailingAsciiWhitespace(line));
    }
  }
  return Refuse(path, absl::StrCat("holds no password for user ", user),
                "remove it to have a new password set");
}

absl::Status WritePasswordFile(const std::string& path, const std::string& user,
                               const std::string& password) {
  const std::string text = absl::StrCat(
      "# natscope-server's password for PostgreSQL superuser ", user,
      " (a libpq password file). Delete it and restart natscope-server\n"
      "# for a new password.\n*:*:*:",
      EscapeField(user), ":", EscapeField(password), "\n");
  const std::string tmp = path + ".tmp";
  unlink(tmp.c_str());  // Left by a crash, perhaps with another mode.
  const int fd = open(
      tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return CannotWrite(path, errno);
  const bool written = fchmod(fd, 0600) == 0 &&
                       write(fd, text.data(), text.size()) ==
                           static_cast<ssize_t>(text.size()) &&
                       fsync(fd) == 0;
  const int err = errno;
  close(fd);
  if (!written || rename(tmp.c_str(), path.c_str()) != 0) {
    const int failure = written ? errno : err;
    unlink(tmp.c_str());
    return CannotWrite(path, failure);
  }
  return absl::OkStatus();
}

}  // namespace natscope::server
