// Follows one source's entries in the systemd journal (a unit, a syslog
// identifier) with the journal's cursor as the checkpoint, so that the
// agent's reader spools each entry exactly once through restarts, the way
// LogWatcher does for files (docs/agent.md, "The systemd journal").
//
// Checkpoints: the spool keeps (key, offset) pairs. A journal entry's key
// is the source's prefix (KeyPrefix) followed by the entry's cursor, and
// its offset is a sequence number that grows by one per entry, so the
// newest checkpoint of a source is the one with the highest offset. The
// reader spools each entry's record with its key (Append), tells the
// follower (Spooled), and forgets the keys it supersedes (TakeStale):
// after a crash between the two, a restart still picks the newest.
//
// On the first Poll the journal is opened and positioned: at the newest
// checkpoint's cursor, skipping the entry it names (already spooled); when
// that entry is gone (the journal was rotated or vacuumed past it), at the
// first entry after where it was (the oldest one left when everything up
// to it went) and a non-OK status says so once. Without a checkpoint: the
// oldest entry (from_start) or the newest, whose cursor is then spooled
// at once as a position, so a restart misses nothing written since.
//
// Bounded: a Poll reads at most `max_entries` entries and about
// `max_bytes` of messages; a message longer than `max_line_bytes` is cut,
// flagged and counted. Not thread-safe.
#ifndef NATSCOPE_INGEST_JOURNAL_JOURNAL_FOLLOWER_H_
#define NATSCOPE_INGEST_JOURNAL_JOURNAL_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ingest/journal/journal.h"

namespace natscope::ingest {

struct JournalOptions {
  JournalMatch match;
  bool from_start = false;
  size_t max_line_bytes = 64 * 1024;
  size_t max_entries = 1000;  // per Poll
};

// One journal entry, ready for the spool.
struct JournalLine {
  std::string key;        // the checkpoint: KeyPrefix + cursor
  uint64_t sequence = 0;  // the checkpoint's offset
  // MESSAGE, cut at max_line_bytes. Empty for an entry without one and
  // for the starting point at the tail (a position to spool, no record).
  std::string text;
  bool truncated = false;
};

class JournalFollower {
 public:
  using Opener = std::function<absl::StatusOr<std::unique_ptr<Journal>>(
      const JournalMatch&)>;

  // `resume`: the spool's resume positions (every source's; this one's
  // are picked out by KeyPrefix). `open` is called on the first Poll and
  // again on later ones while it fails.
  JournalFollower(JournalOptions options, Opener open,
                  const std::map<std::string, uint64_t>& resume);
  ~JournalFollower();
  JournalFollower(const JournalFollower&) = delete;
  JournalFollower& operator=(const JournalFollower&) = delete;

  // "journal unit=connector.service": the source in statuses and records.
  const std::string& name() const { return name_; }

  // Appends up to max_entries new entries (about max_bytes of messages)
  // to `*lines`. Sets `*status` to what went wrong in this poll (the
  // journal cannot be opened or read, the checkpoint's entry is gone), or
  // OK; each message names the source and what to do.
  void Poll(size_t max_bytes, std::vector<JournalLine>* lines,
            absl::Status* status);

  // The reader spooled the line with `key`: the previous newest key is
  // now stale.
  void Spooled(const std::string& key);
  // Keys of this source the spool no longer needs (older than the newest
  // spooled one); the caller forgets them (Spool::ForgetPosition).
  std::vector<std::string> TakeStale();

  uint64_t truncated_lines() const { return truncated_lines_; }
  // The last entry's cursor read (the checkpoint's at first); "" if none.
  const std::string& cursor() const { return cursor_; }

  // The checkpoint key prefix of `match`'s entries.
  static std::string KeyPrefix(const JournalMatch& match);

 private:
  // Opens and positions the journal (see the file comment). DataLoss is
  // a notice (positioned anyway); any other error leaves it to be opened
  // again.
  absl::Status Start(std::vector<JournalLine>* lines);
  absl::Status ResumeAt(const std::string& cursor);
  // Appends the current entry to `*lines`, adding its bytes to `*bytes`.
  absl::Status Take(std::vector<JournalLine>* lines, size_t* bytes);

  const JournalOptions options_;
  const Opener open_;
  const std::string prefix_;
  std::string name_;
  std::unique_ptr<Journal> journal_;
  std::string cursor_;        // the newest checkpoint, then the last read
  uint64_t sequence_ = 0;     // the newest checkpoint's offset
  std::string last_spooled_;  // key
  std::vector<std::string> stale_;
  bool on_unread_entry_ = false;  // positioned on an entry not yet taken
  uint64_t truncated_lines_ = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_JOURNAL_JOURNAL_FOLLOWER_H_
