#include "ingest/agent/reader_loop.h"

#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace natscope::ingest {

ReaderLoop::ReaderLoop(std::unique_ptr<LogWatcher> watcher,
                       const LogParser* parser, Spool* spool,
                       const Clock& clock, AgentState* state)
    : watcher_(std::move(watcher)),
      parser_(parser),
      spool_(spool),
      clock_(clock),
      state_(state) {}

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
  state_->SetLinesTruncated(watcher_->truncated_lines());
  for (const PathStatus& change : changes) {
    path_errors_[change.path] = std::string(change.status.message());
    if (change.status.ok()) {
      LogEvent(LogLevel::kInfo, absl::StrCat(change.path, ": reading again"));
    } else {
      state_->SetError(std::string(change.status.message()));
    }
  }
  state_->AddLinesRead(lines.size());
  for (TailedLine& line : lines) pending_.push_back(std::move(line));
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
      return;
    }
    if (paused_) LogEvent(LogLevel::kInfo, "reading resumed");
    paused_ = false;
    pending_.pop_front();
  }
}

absl::Status ReaderLoop::SpoolLine(const TailedLine& line) {
  const Position after{line.key.ToString(), line.line.end_offset};
  std::optional<v1::LogEvent> event =
      parser_->Parse(line.line.text, line.path, clock_.Now());
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
  for (const auto& [path, error] : path_errors_) {
    if (error.empty()) continue;
    v1::FilePosition& position = positions.emplace_back();
    position.set_path(path);
    position.set_error(error);
  }
  return positions;
}

}  // namespace natscope::ingest
