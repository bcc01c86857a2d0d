// Journal over libsystemd's sd_journal.
#include <systemd/sd-journal.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ingest/journal/journal.h"

namespace natscope::ingest {
namespace {

constexpr char kMessage[] = "MESSAGE=";
constexpr size_t kMessagePrefix = sizeof(kMessage) - 1;

absl::Status Errno(int negative_errno, absl::string_view what) {
  const int err = -negative_errno;
  const std::string message = absl::StrCat(what, ": ", strerror(err));
  if (err == EACCES || err == EPERM) {
    return absl::PermissionDeniedError(absl::StrCat(
        message,
        " (add the agent's user to the systemd-journal group, or run it "
        "as root)"));
  }
  if (err == ENOENT || err == ENOTDIR) {
    return absl::NotFoundError(absl::StrCat(
        message, " (check journal.directory; reading starts when it appears)"));
  }
  if (err == EINVAL) return absl::InvalidArgumentError(message);
  return absl::InternalError(
      absl::StrCat(message,
                   " (check the journal files with journalctl "
                   "--verify)"));
}

class SdJournal : public Journal {
 public:
  explicit SdJournal(sd_journal* j) : j_(j) {}
  ~SdJournal() override { sd_journal_close(j_); }

  absl::Status SeekHead() override {
    const int rc = sd_journal_seek_head(j_);
    return rc < 0 ? Errno(rc, "cannot seek to the journal's head")
                  : absl::OkStatus();
  }
  absl::Status SeekTail() override {
    const int rc = sd_journal_seek_tail(j_);
    return rc < 0 ? Errno(rc, "cannot seek to the journal's tail")
                  : absl::OkStatus();
  }
  absl::Status SeekCursor(const std::string& cursor) override {
    const int rc = sd_journal_seek_cursor(j_, cursor.c_str());
    return rc < 0 ? Errno(rc, absl::StrCat("cannot seek to cursor ", cursor))
                  : absl::OkStatus();
  }
  absl::StatusOr<bool> Next() override {
    const int rc = sd_journal_next(j_);
    if (rc < 0) return Errno(rc, "cannot read the journal");
    return rc > 0;
  }
  absl::StatusOr<bool> Previous() override {
    const int rc = sd_journal_previous(j_);
    if (rc < 0) return Errno(rc, "cannot read the journal");
    return rc > 0;
  }
  bool IsAt(const std::string& cursor) override {
    return sd_journal_test_cursor(j_, cursor.c_str()) > 0;
  }
  absl::StatusOr<std::string> Cursor() override {
    char* cursor = nullptr;
    const int rc = sd_journal_get_cursor(j_, &cursor);
    if (rc < 0) return Errno(rc, "cannot get the journal cursor");
    std::string out(cursor);
    free(cursor);
    return out;
  }
  absl::StatusOr<std::string> Message(size_t max_bytes) override {
    // Decompress no more than needed (one byte more shows a cut).
    sd_journal_set_data_threshold(j_, kMessagePrefix + max_bytes + 1);
    const void* data = nullptr;
    size_t length = 0;
    const int rc = sd_journal_get_data(j_, "MESSAGE", &data, &length);
    if (rc == -ENOENT) return absl::NotFoundError("entry without MESSAGE");
    if (rc < 0) return Errno(rc, "cannot read an entry's MESSAGE");
    if (length < kMessagePrefix) return std::string();
    return std::string(static_cast<const char*>(data) + kMessagePrefix,
                       length - kMessagePrefix);
  }
  void Refresh() override { sd_journal_process(j_); }

 private:
  sd_journal* const j_;
};

absl::Status AddMatch(sd_journal* j, absl::string_view field,
                      const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  const std::string match = absl::StrCat(field, "=", value);
  const int rc = sd_journal_add_match(j, match.data(), match.size());
  return rc < 0 ? Errno(rc, absl::StrCat("cannot match ", match))
                : absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Journal>> OpenSystemJournal(
    const JournalMatch& match) {
  sd_journal* j = nullptr;
  int rc;
  if (match.directory.empty()) {
    rc = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
    if (rc < 0) return Errno(rc, "cannot open the systemd journal");
  } else {
    rc = sd_journal_open_directory(&j, match.directory.c_str(), 0);
    if (rc < 0) {
      return Errno(
          rc, absl::StrCat("cannot open journal directory ", match.directory));
    }
  }
  auto journal = std::make_unique<SdJournal>(j);
  absl::Status status = AddMatch(j, "_SYSTEMD_UNIT", match.unit);
  if (status.ok()) {
    status = AddMatch(j, "SYSLOG_IDENTIFIER", match.syslog_identifier);
  }
  if (!status.ok()) return status;
  // Files added or rotated are noticed by Refresh (inotify); without the
  // fd, sd_journal_process has nothing to process.
  sd_journal_get_fd(j);
  return journal;
}

}  // namespace natscope::ingest
