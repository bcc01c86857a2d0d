#include "ingest/journal/journal_follower.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace natscope::ingest {
namespace {

std::string NameOf(const JournalMatch& match) {
  std::string name = "journal";
  if (!match.unit.empty()) absl::StrAppend(&name, " unit=", match.unit);
  if (!match.syslog_identifier.empty()) {
    absl::StrAppend(&name, " syslog_identifier=", match.syslog_identifier);
  }
  if (!match.directory.empty()) {
    absl::StrAppend(&name, " directory=", match.directory);
  }
  return name;
}

}  // namespace

std::string JournalFollower::KeyPrefix(const JournalMatch& match) {
  // Cursors hold no '@' (hex digits, '=', ';'), so the last '@' ends the
  // prefix even for template units ("getty@tty1.service").
  return absl::StrCat("journal:", match.unit, "|", match.syslog_identifier, "|",
                      match.directory, "@");
}

JournalFollower::JournalFollower(JournalOptions options, Opener open,
                                 const std::map<std::string, uint64_t>& resume)
    : options_(std::move(options)),
      open_(std::move(open)),
      prefix_(KeyPrefix(options_.match)),
      name_(NameOf(options_.match)) {
  std::string newest;
  for (const auto& [key, offset] : resume) {
    if (!absl::StartsWith(key, prefix_)) continue;
    const std::string cursor = key.substr(prefix_.size());
    if (cursor.find('@') != std::string::npos) continue;  // another source
    if (!newest.empty() && offset < sequence_) {
      stale_.push_back(key);
      continue;
    }
    if (!newest.empty()) stale_.push_back(newest);
    newest = key;
    sequence_ = offset;
    cursor_ = cursor;
  }
  last_spooled_ = newest;
}

JournalFollower::~JournalFollower() = default;

void JournalFollower::Spooled(const std::string& key) {
  if (!last_spooled_.empty() && last_spooled_ != key) {
    stale_.push_back(last_spooled_);
  }
  last_spooled_ = key;
}

std::vector<std::string> JournalFollower::TakeStale() {
  return std::exchange(stale_, {});
}

absl::Status JournalFollower::ResumeAt(const std::string& cursor) {
  absl::Status seek = journal_->SeekCursor(cursor);
  if (!seek.ok()) {
    // A cursor libsystemd cannot parse: start from the oldest entry
    // rather than lose any (some may be delivered twice).
    const absl::Status head = journal_->SeekHead();
    if (!head.ok()) return head;
    return absl::DataLossError(absl::StrCat(
        name_, ": checkpoint cursor ", cursor, " unusable (", seek.message(),
        "); reading again from the oldest entry, some may repeat"));
  }
  absl::StatusOr<bool> next = journal_->Next();
  if (!next.ok()) return next.status();
  if (*next && journal_->IsAt(cursor)) return absl::OkStatus();  // Spooled.
  on_unread_entry_ = *next;
  return absl::DataLossError(absl::StrCat(
      name_, ": the checkpoint's entry (cursor ", cursor,
      ") is no longer in the journal (rotated or vacuumed); reading on from "
      "the first entry after it; entries removed before the agent read them "
      "are lost (raise the journal's SystemMaxUse= or keep the agent "
      "running)"));
}

absl::Status JournalFollower::Start(std::vector<JournalLine>* lines) {
  absl::StatusOr<std::unique_ptr<Journal>> opened = open_(options_.match);
  if (!opened.ok()) {
    return absl::Status(opened.status().code(),
                        absl::StrCat(name_, ": ", opened.status().message()));
  }
  journal_ = std::move(*opened);
  if (!cursor_.empty()) return ResumeAt(cursor_);
  if (options_.from_start) return journal_->SeekHead();
  absl::Status status = journal_->SeekTail();
  if (!status.ok()) return status;
  absl::StatusOr<bool> last = journal_->Previous();
  if (!last.ok()) return last.status();
  // No entry yet: every entry to come is new.
  if (!*last) return journal_->SeekHead();
  // Checkpoint the newest entry now (a position, no record), so that a
  // restart before the next entry does not skip what came in between.
  absl::StatusOr<std::string> cursor = journal_->Cursor();
  if (!cursor.ok()) return cursor.status();
  cursor_ = *cursor;
  lines->push_back({prefix_ + cursor_, ++sequence_, "", false});
  return absl::OkStatus();
}

absl::Status JournalFollower::Take(std::vector<JournalLine>* lines,
                                   size_t* bytes) {
  absl::StatusOr<std::string> cursor = journal_->Cursor();
  if (!cursor.ok()) return cursor.status();
  JournalLine line;
  absl::StatusOr<std::string> message =
      journal_->Message(options_.max_line_bytes);
  if (message.ok()) {
    line.text = std::move(*message);
  } else if (!absl::IsNotFound(message.status())) {
    return message.status();
  }
  if (line.text.size() > options_.max_line_bytes) {
    line.text.resize(options_.max_line_bytes);
    line.truncated = true;
    ++truncated_lines_;
  }
  cursor_ = std::move(*cursor);
  line.key = prefix_ + cursor_;
  line.sequence = ++sequence_;
  *bytes += line.text.size();
  lines->push_back(std::move(line));
  return absl::OkStatus();
}

void JournalFollower::Poll(size_t max_bytes, std::vector<JournalLine>* lines,
                           absl::Status* status) {
  *status = absl::OkStatus();
  if (journal_ == nullptr) {
    *status = Start(lines);
    // Not positioned for sure (only DataLoss is a notice): start again on
    // the next poll rather than risk reading the checkpoint's entry twice.
    if (!status->ok() && !absl::IsDataLoss(*status)) journal_.reset();
    if (journal_ == nullptr) {
      if (!status->ok() && !absl::StartsWith(status->message(), name_)) {
        *status = absl::Status(status->code(),
                               absl::StrCat(name_, ": ", status->message()));
      }
      return;
    }
  } else {
    journal_->Refresh();
  }
  size_t bytes = 0;
  for (size_t n = 0; n < options_.max_entries && bytes < max_bytes; ++n) {
    if (!on_unread_entry_) {
      absl::StatusOr<bool> next = journal_->Next();
      if (!next.ok() || !*next) {
        if (!next.ok()) *status = next.status();
        break;
      }
    }
    on_unread_entry_ = false;
    absl::Status taken = Take(lines, &bytes);
    if (!taken.ok()) {
      // Skip the entry that cannot be read rather than stall on it.
      *status = absl::Status(taken.code(),
                             absl::StrCat(name_, ": ", taken.message()));
    }
  }
  if (!status->ok() && !absl::StartsWith(status->message(), name_)) {
    *status = absl::Status(status->code(),
                           absl::StrCat(name_, ": ", status->message()));
  }
}

}  // namespace natscope::ingest
