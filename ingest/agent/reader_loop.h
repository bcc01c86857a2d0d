// The agent's reading thread: polls the followed log files (LogWatcher)
// and journal sources (JournalFollower), parses each new line, and spools
// its record together with the file position (or journal cursor) after the
// line (a line without a record spools only the position), so that a
// restart resumes exactly where the spool ends (see
// ingest/spool/README.md). When the spool or its disk is full, reading
// pauses with the lines already read kept in memory, says so once, and
// resumes as the server takes batches: nothing is dropped. A path that
// cannot be read is reported once when it fails and once when it recovers.
//
// Reads and sleeps only on the injected Clock. Not thread-safe: one thread
// owns the loop (LogWatcher is not thread-safe) and also asks it for the
// status file's file positions; the spool and the state may be shared.
#ifndef NATSCOPE_INGEST_AGENT_READER_LOOP_H_
#define NATSCOPE_INGEST_AGENT_READER_LOOP_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "ingest/agent/agent_state.h"
#include "ingest/journal/journal_follower.h"
#include "ingest/parse/log_parser.h"
#include "ingest/spool/spool.h"
#include "ingest/tail/log_watcher.h"
#include "natscope/v1/agent_config.pb.h"

namespace natscope::ingest {

class ReaderLoop {
 public:
  // `parser`, `spool`, `clock` and `state` must outlive the loop.
  ReaderLoop(std::unique_ptr<LogWatcher> watcher, const LogParser* parser,
             Spool* spool, const Clock& clock, AgentState* state,
             std::vector<std::unique_ptr<JournalFollower>> journals = {});

  // One pass: polls the files for up to 1 MiB of new lines (unless lines
  // read earlier still wait for room in the spool) and spools what fits.
  void ReadOnce();

  // ReadOnce, then `after_pass` (e.g. StatusWriter::MaybeWrite), every
  // `poll`, until `*stop` becomes true or `state` halts.
  void Run(absl::Duration poll, const std::atomic<bool>* stop,
           const std::function<void()>& after_pass);

  // Where reading stands, for the status file: one entry per open file
  // (with its size now), one per journal source, then one per path that
  // cannot be read (with why).
  std::vector<v1::FilePosition> FilePositions() const;
  // Reading waits for room in the spool.
  bool paused() const { return paused_; }

 private:
  // A line read, file's or journal's, waiting for the spool.
  struct PendingLine {
    std::string key;      // the spool's position key
    uint64_t offset = 0;  // the position after the line
    std::string text;
    std::string origin;                  // path or journal source name
    JournalFollower* journal = nullptr;  // the line's, if from a journal
  };

  void Poll();
  void PollJournals(std::vector<PathStatus>* changes);
  // Spools one line's record (if the line is relevant) with the position
  // after it. ResourceExhausted when the spool or its disk is full: the
  // line stays pending. Other errors are reported and the line skipped.
  absl::Status SpoolLine(const PendingLine& line);
  // Drops the journal checkpoints superseded by newer ones from the spool.
  void ForgetStaleCheckpoints();

  const std::unique_ptr<LogWatcher> watcher_;
  const LogParser* const parser_;
  Spool* const spool_;
  const Clock& clock_;
  AgentState* const state_;
  const std::vector<std::unique_ptr<JournalFollower>> journals_;
  std::deque<PendingLine> pending_;  // Read but not yet spooled (spool full).
  std::vector<std::string> stale_keys_;  // to forget (ForgetPosition)
  // The last problem reported per configured path ("" once it recovered).
  std::map<std::string, std::string> path_errors_;
  bool paused_ = false;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_READER_LOOP_H_
