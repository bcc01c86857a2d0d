// An in-memory Journal for tests: one source's entries, numbered from 1,
// with cursors "i=N". Entries can be appended and the oldest vacuumed, as
// journald does; a cursor whose entry is gone seeks to the first entry
// after it, as sd_journal_seek_cursor does. Faults on demand.
#ifndef NATSCOPE_INGEST_JOURNAL_FAKE_JOURNAL_H_
#define NATSCOPE_INGEST_JOURNAL_FAKE_JOURNAL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "ingest/journal/journal.h"

namespace natscope::ingest {

// The entries, shared by the test and every FakeJournal opened on them.
struct FakeJournalData {
  struct Entry {
    uint64_t number = 0;
    std::optional<std::string> message;
  };
  std::deque<Entry> entries;
  uint64_t next_number = 1;
  bool fail_next = false;  // Next() fails with Internal

  void Append(std::optional<std::string> message) {
    entries.push_back({next_number++, std::move(message)});
  }
  // Drops the oldest `n` entries.
  void Vacuum(size_t n) {
    while (n-- > 0 && !entries.empty()) entries.pop_front();
  }
};

class FakeJournal : public Journal {
 public:
  explicit FakeJournal(std::shared_ptr<FakeJournalData> data)
      : data_(std::move(data)) {}

  absl::Status SeekHead() override;
  absl::Status SeekTail() override;
  absl::Status SeekCursor(const std::string& cursor) override;
  absl::StatusOr<bool> Next() override;
  absl::StatusOr<bool> Previous() override;
  bool IsAt(const std::string& cursor) override;
  absl::StatusOr<std::string> Cursor() override;
  absl::StatusOr<std::string> Message(size_t max_bytes) override;
  void Refresh() override {}

 private:
  // The current entry; nullptr when between entries.
  const FakeJournalData::Entry* Current() const;

  std::shared_ptr<FakeJournalData> data_;
  uint64_t on_ = 0;     // number of the current entry (0: none)
  uint64_t after_ = 0;  // when on_ == 0: the next entry is the first > after_
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_JOURNAL_FAKE_JOURNAL_H_
