#include "ingest/journal/fake_journal.h"

#include <limits>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace natscope::ingest {

const FakeJournalData::Entry* FakeJournal::Current() const {
  for (const auto& entry : data_->entries) {
    if (entry.number == on_) return &entry;
  }
  return nullptr;
}

absl::Status FakeJournal::SeekHead() {
  on_ = 0;
  after_ = 0;
  return absl::OkStatus();
}

absl::Status FakeJournal::SeekTail() {
  on_ = 0;
  after_ = std::numeric_limits<uint64_t>::max();
  return absl::OkStatus();
}

absl::Status FakeJournal::SeekCursor(const std::string& cursor) {
  uint64_t number = 0;
  if (!absl::StartsWith(cursor, "i=") ||
      !absl::SimpleAtoi(cursor.substr(2), &number) || number == 0) {
    return absl::InvalidArgumentError(absl::StrCat("bad cursor ", cursor));
  }
  on_ = 0;
  after_ = number - 1;
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeJournal::Next() {
  if (data_->fail_next) {
    data_->fail_next = false;
    return absl::InternalError("journal file damaged");
  }
  const uint64_t from = on_ != 0 ? on_ : after_;
  for (const auto& entry : data_->entries) {
    if (entry.number > from) {
      on_ = entry.number;
      return true;
    }
  }
  return false;
}

absl::StatusOr<bool> FakeJournal::Previous() {
  for (auto it = data_->entries.rbegin(); it != data_->entries.rend(); ++it) {
    if (on_ != 0 ? it->number < on_ : it->number <= after_) {
      on_ = it->number;
      return true;
    }
  }
  return false;
}

bool FakeJournal::IsAt(const std::string& cursor) {
  return on_ != 0 && cursor == absl::StrCat("i=", on_);
}

absl::StatusOr<std::string> FakeJournal::Cursor() {
  if (Current() == nullptr) return absl::FailedPreconditionError("no entry");
  return absl::StrCat("i=", on_);
}

absl::StatusOr<std::string> FakeJournal::Message(size_t max_bytes) {
  const FakeJournalData::Entry* entry = Current();
  if (entry == nullptr) return absl::FailedPreconditionError("no entry");
  if (!entry->message) return absl::NotFoundError("no MESSAGE");
  // Like libsystemd's data threshold: may return more than asked.
  return entry->message->substr(0, max_bytes + 1);
}

}  // namespace natscope::ingest
