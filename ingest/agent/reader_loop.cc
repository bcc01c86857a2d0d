#include "ingest/agent/reader_loop.h"

#include <sys/stat.h>

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace natscope::ingest {

ReaderLoop::ReaderLoop(std::unique_ptr<LogWatcher> watcher,
                       const LogParser* parser, Spool* spool,
                       const Clock& clock, AgentState* state,
                       std::vector<std::unique_ptr<JournalFollower>> journals)
    : watcher_(std::move(watcher)),
      parser_(parser),
      spool_(spool),
      clock_(clock),
      state_(state),
      journals_(std::move(journals)) {}

void ReaderLoop::Run(absl::Duration poll, const std::atomic<bool>* stop,
                     const std::function<void()>& after_pass) {
  while (!stop->load() && !state_->halted()) {
    ReadOnce();
    after_pass();
    clock_.SleepFor(poll, stop);
  }
}

void ReaderLoop::Poll() {
  std::vector<TailedLine> lines;
  std::vector<PathStatus> changes;
  watcher_->Poll(clock_.Now(), 1 << 20, &lines, &changes);
  uint64_t truncated = watcher_->truncated_lines();
  for (const auto& journal : journals_) truncated += journal->truncated_lines();
  state_->SetLinesTruncated(truncated);
  state_->AddLinesRead(lines.size());
  for (TailedLine& line : lines) {
    pending_.push_back({line.key.ToString(), line.line.end_offset,
                        std::move(line.line.text), std::move(line.path)});
  }
  PollJournals(&changes);
  for (const PathStatus& change : changes) {
    path_errors_[change.path] = std::string(change.status.message());
    if (change.status.ok()) {
      LogEvent(LogLevel::kInfo, absl::StrCat(change.path, ": reading again"));
    } else {
      state_->SetError(std::string(change.status.message()));
    }
  }
}

void ReaderLoop::PollJournals(std::vector<PathStatus>* changes) {
  for (const auto& journal : journals_) {
    std::vector<JournalLine> lines;
    absl::Status status;
    journal->Poll(1 << 20, &lines, &status);
    // Like a file's path: report a problem when it starts, and its end.
    auto reported = path_errors_.find(journal->name());
    const std::string was =
        reported == path_errors_.end() ? "" : reported->second;
    if (std::string(status.message()) != was) {
      changes->push_back({journal->name(), status});
    }
    state_->AddLinesRead(lines.size());
    for (JournalLine& line : lines) {
      pending_.push_back({std::move(line.key), line.sequence,
                          std::move(line.text), journal->name(),
                          journal.get()});
    }
  }
}

void ReaderLoop::ForgetStaleCheckpoints() {
  for (const auto& journal : journals_) {
    for (std::string& key : journal->TakeStale()) {
      stale_keys_.push_back(std::move(key));
    }
  }
  while (!stale_keys_.empty()) {
    // When the spool is full this waits; a restart meanwhile still picks
    // the newest checkpoint (the highest offset).
    if (!spool_->ForgetPosition(stale_keys_.back()).ok()) return;
    stale_keys_.pop_back();
  }
}

void ReaderLoop::ReadOnce() {
  if (pending_.empty()) Poll();
  while (!pending_.empty()) {
    const absl::Status spooled = SpoolLine(pending_.front());
    if (!spooled.ok()) {
      if (!paused_) {
        state_->AddPause();
        state_->SetError(
            absl::StrCat("reading paused, nothing lost: ", spooled.message(),
                         " (it resumes as the server takes batches)"));
      }
      paused_ = true;
      break;
    }
    if (paused_) LogEvent(LogLevel::kInfo, "reading resumed");
    paused_ = false;
    pending_.pop_front();
  }
  ForgetStaleCheckpoints();
}

absl::Status ReaderLoop::SpoolLine(const PendingLine& line) {
  const Position after{line.key, line.offset};
  std::optional<v1::LogEvent> event =
      line.text.empty() ? std::nullopt
                        : parser_->Parse(line.text, line.origin, clock_.Now());
  absl::Status status;
  if (event) {
    v1::Record record;
    *record.mutable_log() = std::move(*event);
    status = spool_->Append(record, after);
    if (status.ok()) state_->AddRecordSpooled();
  } else {
    status = spool_->MarkPosition(after);
  }
  if (absl::IsResourceExhausted(status)) return status;
  if (!status.ok()) state_->SetError(std::string(status.message()));
  // Only a checkpoint in the spool supersedes the journal's previous one.
  if (status.ok() && line.journal != nullptr) line.journal->Spooled(line.key);
  return absl::OkStatus();
}

std::vector<v1::FilePosition> ReaderLoop::FilePositions() const {
  std::vector<v1::FilePosition> positions;
  for (const LogWatcher::WatchedFile& file : watcher_->Files()) {
    v1::FilePosition& position = positions.emplace_back();
    position.set_path(file.path);
    position.set_device(file.key.device);
    position.set_inode(file.key.inode);
    position.set_read_offset(file.read_offset);
    struct stat st;
    if (stat(file.path.c_str(), &st) == 0) position.set_size(st.st_size);
  }
  std::set<std::string> journal_names;
  for (const auto& journal : journals_) {
    v1::FilePosition& position = positions.emplace_back();
    position.set_path(journal->name());
    auto error = path_errors_.find(journal->name());
    if (error != path_errors_.end()) position.set_error(error->second);
    journal_names.insert(journal->name());
  }
  for (const auto& [path, error] : path_errors_) {
    if (error.empty() || journal_names.count(path) > 0) continue;
    v1::FilePosition& position = positions.emplace_back();
    position.set_path(path);
    position.set_error(error);
  }
  return positions;
}

}  // namespace natscope::ingest
