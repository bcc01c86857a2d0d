// The systemd journal as the agent reads it: a narrow seam over
// libsystemd's sd_journal, so the following logic (JournalFollower) is
// tested against a FakeJournal without a journal.
//
// A Journal is filtered to one source's entries (its matches are given
// when it is opened) and has a read position, like sd_journal: Next()
// moves to the next entry, and the other calls read the current one. Not
// thread-safe.
#ifndef NATSCOPE_INGEST_JOURNAL_JOURNAL_H_
#define NATSCOPE_INGEST_JOURNAL_JOURNAL_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace natscope::ingest {

class Journal {
 public:
  virtual ~Journal() = default;

  // Before the first entry / after the last one.
  virtual absl::Status SeekHead() = 0;
  virtual absl::Status SeekTail() = 0;
  // Where the entry `cursor` names is, or would be: Next() then returns
  // that entry when it still exists, else the first entry after where it
  // was. InvalidArgument for a malformed cursor.
  virtual absl::Status SeekCursor(const std::string& cursor) = 0;
  // Moves to the next (Next) or previous (Previous) entry; false when
  // there is none (the position is then unchanged). Errors (a damaged
  // journal file) as Internal.
  virtual absl::StatusOr<bool> Next() = 0;
  virtual absl::StatusOr<bool> Previous() = 0;
  // Whether the current entry is the one `cursor` names.
  virtual bool IsAt(const std::string& cursor) = 0;
  // The current entry's cursor.
  virtual absl::StatusOr<std::string> Cursor() = 0;
  // The current entry's MESSAGE, at least its first `max_bytes` bytes when
  // it is longer (the caller cuts); NotFound when the entry has none.
  virtual absl::StatusOr<std::string> Message(size_t max_bytes) = 0;
  // Takes note of journal files added, rotated or removed since the last
  // call (sd_journal_process). Never blocks.
  virtual void Refresh() = 0;
};

// Which entries to read, and from where.
struct JournalMatch {
  std::string unit;               // _SYSTEMD_UNIT=, when not empty
  std::string syslog_identifier;  // SYSLOG_IDENTIFIER=, when not empty
  std::string directory;          // empty: the host's local journal
};

// Opens the journal through libsystemd, filtered to `match`. NotFound or
// PermissionDenied naming the directory (and what to do) when it cannot.
absl::StatusOr<std::unique_ptr<Journal>> OpenSystemJournal(
    const JournalMatch& match);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_JOURNAL_JOURNAL_H_
