// Spool: appending, batching, acknowledging and trimming segments. Open
// (recovery) is in spool_recovery.cc, DeadLetter in spool_dead_letter.cc.
#include "ingest/spool/spool.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace natscope::ingest {

Spool::Spool(std::string dir, SpoolOptions options, uint64_t epoch)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      fs_(options_.fs),
      epoch_(epoch) {
  counters_.capacity_bytes = options_.max_bytes;
}

Spool::~Spool() = default;

std::string Spool::SegmentPath(uint64_t number) const {
  return absl::StrCat(dir_, "/segment-", absl::Dec(number, absl::kZeroPad20),
                      ".log");
}

absl::Status Spool::Annotate(const absl::Status& status) const {
  if (status.ok()) return status;
  std::string message = absl::StrCat("spool ", dir_, ": ", status.message());
  if (absl::IsResourceExhausted(status)) {
    absl::StrAppend(&message,
                    "; free disk space (or lower the spool's max_bytes): "
                    "reading pauses until the spool can be written");
  }
  return absl::Status(status.code(), message);
}

uint64_t Spool::TotalBytes() const {
  uint64_t total = 0;
  for (const Segment& s : segments_) total += s.size;
  return total;
}

uint64_t Spool::LowestLive() const {
  uint64_t lowest = next_unbatched_id_;
  for (const Batch& b : pending_) lowest = std::min(lowest, b.first_id);
  return lowest;
}

absl::Status Spool::AppendFrames(const std::string& frames, bool sync) {
  Segment& segment = segments_.back();
  absl::Status status = active_->Append(frames);
  if (status.ok() && (sync || options_.fsync == FsyncPolicy::kAlways)) {
    status = active_->Sync();
  }
  if (!status.ok()) {
    if (absl::IsResourceExhausted(status)) ++counters_.full;
    if (!fs_->Truncate(SegmentPath(segment.number), segment.size).ok()) {
      needs_new_segment_ = true;
    }
    return Annotate(status);
  }
  segment.size += frames.size();
  return absl::OkStatus();
}

absl::Status Spool::StartSegment() {
  if (active_ != nullptr && options_.fsync != FsyncPolicy::kNever) {
    RETURN_IF_ERROR(Annotate(active_->Sync()));
  }
  const uint64_t number = segments_.empty() ? 1 : segments_.back().number + 1;
  const std::string path = SegmentPath(number);
  HeaderEntry header{epoch_, number, next_record_id_, last_sequence_};
  std::string frames = EncodeFrame(EntryType::kHeader, EncodeHeader(header));
  // Every segment restates the resume positions, so trimming older
  // segments never loses one.
  for (const auto& [key, offset] : positions_) {
    frames += EncodeFrame(EntryType::kPosition,
                          EncodePosition({{key, offset}, false}));
  }
  auto file = fs_->OpenAppend(path);
  if (!file.ok()) return Annotate(file.status());
  absl::Status status = (*file)->Append(frames);
  if (status.ok() && options_.fsync != FsyncPolicy::kNever) {
    status = (*file)->Sync();
    if (status.ok()) status = fs_->SyncDir(dir_);
  }
  if (!status.ok()) {
    fs_->Remove(path).IgnoreError();
    return Annotate(status);
  }
  segments_.push_back(Segment{number, frames.size(), 0});
  active_ = std::move(file).value();
  needs_new_segment_ = false;
  return absl::OkStatus();
}

absl::Status Spool::WriteEntry(EntryType type, const std::string& payload,
                               bool capped, bool sync) {
  if (payload.size() > kMaxPayloadBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("spool ", dir_, ": entry of ", payload.size(),
                     " bytes is larger than the limit of ", kMaxPayloadBytes));
  }
  std::string frame = EncodeFrame(type, payload);
  if (capped) {
    const uint64_t limit = options_.max_bytes - options_.max_bytes / 64;
    const uint64_t total = TotalBytes();
    if (total + frame.size() > limit) {
      ++counters_.full;
      return absl::ResourceExhaustedError(absl::StrCat(
          "spool ", dir_, " is full (", total, " of ", options_.max_bytes,
          " bytes): reading pauses until natscope-server acknowledges "
          "batches"));
    }
  }
  if (needs_new_segment_ || segments_.back().size >= options_.segment_bytes) {
    RETURN_IF_ERROR(StartSegment());
  }
  return AppendFrames(frame, sync);
}

absl::Status Spool::CheckDiskReserve() {
  auto free = fs_->FreeBytes(dir_);
  if (!free.ok() || *free >= options_.disk_reserve_bytes) return absl::OkStatus();
  ++counters_.full;
  return absl::ResourceExhaustedError(absl::StrCat(
      "spool ", dir_, ": disk nearly full (", *free, " bytes free, ",
      options_.disk_reserve_bytes,
      " kept for delivering what is spooled): free disk space on that file "
      "system"));
}

absl::Status Spool::Append(const v1::Record& record,
                           const std::optional<Position>& after) {
  RecordEntry entry;
  entry.position = after;
  if (!record.SerializeToString(&entry.record)) {
    return absl::InvalidArgumentError("record cannot be serialized");
  }
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CheckDiskReserve());
  entry.id = next_record_id_;
  RETURN_IF_ERROR(
      WriteEntry(EntryType::kRecord, EncodeRecord(entry), true, false));
  ++next_record_id_;
  segments_.back().max_record_id = entry.id;
  if (after) positions_[after->file_key] = after->offset;
  ++counters_.records_appended;
  return absl::OkStatus();
}

absl::Status Spool::MarkPosition(const Position& position) {
  absl::MutexLock lock(&mu_);
  auto it = positions_.find(position.file_key);
  if (it != positions_.end() && it->second == position.offset) {
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckDiskReserve());
  RETURN_IF_ERROR(WriteEntry(EntryType::kPosition,
                             EncodePosition({position, false}), true, false));
  positions_[position.file_key] = position.offset;
  return absl::OkStatus();
}

absl::Status Spool::ForgetPosition(const std::string& file_key) {
  absl::MutexLock lock(&mu_);
  if (!positions_.count(file_key)) return absl::OkStatus();
  RETURN_IF_ERROR(WriteEntry(EntryType::kPosition,
                             EncodePosition({{file_key, 0}, true}), false,
                             false));
  positions_.erase(file_key);
  return absl::OkStatus();
}

std::map<std::string, uint64_t> Spool::ResumePositions() const {
  absl::MutexLock lock(&mu_);
  return positions_;
}

absl::Status Spool::WriteBatchEntry(uint64_t first_id, uint64_t last_id) {
  const uint64_t sequence = last_sequence_ + 1;
  RETURN_IF_ERROR(WriteEntry(EntryType::kBatch,
                             EncodeRange({sequence, first_id, last_id}), false,
                             options_.fsync != FsyncPolicy::kNever));
  last_sequence_ = sequence;
  pending_.push_back(
      Batch{sequence, first_id, last_id, segments_.back().number, {}});
  return absl::OkStatus();
}

Spool::Cursor Spool::Locate(uint64_t id, Cursor hint) const {
  if (hint.segment != 0 && hint.segment >= segments_.front().number)
    return hint;
  for (const Segment& s : segments_) {
    if (s.max_record_id >= id) return Cursor{s.number, 0};
  }
  return Cursor{segments_.back().number, segments_.back().size};
}

absl::Status Spool::ReadRecords(uint64_t first_id, uint64_t last_id,
                                int max_records, size_t max_bytes,
                                Cursor* cursor, std::vector<v1::Record>* out,
                                uint64_t* last_taken) {
  out->clear();
  size_t bytes = 0;
  for (const Segment& segment : segments_) {
    if (segment.number < cursor->segment) continue;
    const uint64_t start =
        segment.number == cursor->segment ? cursor->offset : 0;
    FrameReader reader(fs_, SegmentPath(segment.number), start, segment.size);
    Frame frame;
    RecordEntry entry;
    while (reader.Next(&frame)) {
      if (frame.type != EntryType::kRecord ||
          !DecodeRecord(frame.payload, &entry) || entry.id < first_id) {
        continue;
      }
      const bool full =
          static_cast<int>(out->size()) >= max_records ||
          (!out->empty() && bytes + entry.record.size() > max_bytes);
      if (entry.id > last_id || full) {
        *cursor = Cursor{segment.number, frame.offset};
        return absl::OkStatus();
      }
      *cursor = Cursor{segment.number, frame.end};
      v1::Record record;
      if (!record.ParseFromString(entry.record)) continue;
      bytes += entry.record.size();
      out->push_back(std::move(record));
      *last_taken = entry.id;
    }
    if (!reader.status().ok()) return Annotate(reader.status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::IngestRequest>> Spool::NextBatch(
    int max_records, size_t max_bytes) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Record> records;
  uint64_t last_taken = 0;
  uint64_t sequence = 0;
  while (!pending_.empty() && sequence == 0) {
    Batch& batch = pending_.front();
    batch.hint = Locate(batch.first_id, batch.hint);
    Cursor cursor = batch.hint;
    RETURN_IF_ERROR(ReadRecords(
        batch.first_id, batch.last_id, std::numeric_limits<int>::max(),
        std::numeric_limits<size_t>::max(), &cursor, &records, &last_taken));
    // Every record of the batch was lost to damage: nothing to send.
    if (records.empty()) {
      RETURN_IF_ERROR(AckLocked(batch.sequence));
    } else {
      sequence = batch.sequence;
    }
  }
  if (sequence == 0) {
    if (next_unbatched_id_ >= next_record_id_) return std::nullopt;
    const Cursor start = Locate(next_unbatched_id_, unbatched_hint_);
    Cursor cursor = start;
    RETURN_IF_ERROR(ReadRecords(next_unbatched_id_, next_record_id_ - 1,
                                std::max(max_records, 1), max_bytes, &cursor,
                                &records, &last_taken));
    if (records.empty()) {
      next_unbatched_id_ = next_record_id_;
      return std::nullopt;
    }
    RETURN_IF_ERROR(WriteBatchEntry(next_unbatched_id_, last_taken));
    pending_.back().hint = start;
    sequence = pending_.back().sequence;
    next_unbatched_id_ = last_taken + 1;
    unbatched_hint_ = cursor;
  }
  v1::IngestRequest request;
  request.set_epoch(epoch_);
  request.set_sequence(sequence);
  for (v1::Record& record : records) *request.add_records() = std::move(record);
  return std::optional<v1::IngestRequest>(std::move(request));
}

absl::Status Spool::StartNewEpoch(uint64_t epoch) {
  absl::MutexLock lock(&mu_);
  if (epoch == 0 || epoch == epoch_) {
    return absl::InvalidArgumentError(
        "StartNewEpoch needs a nonzero epoch other than the current one");
  }
  const uint64_t old = epoch_;
  epoch_ = epoch;
  // Recovery takes the epoch of the newest segment's header.
  absl::Status started = StartSegment();
  if (!started.ok()) epoch_ = old;
  return started;
}

uint64_t Spool::epoch() const {
  absl::MutexLock lock(&mu_);
  return epoch_;
}

absl::Status Spool::Ack(uint64_t sequence) {
  absl::MutexLock lock(&mu_);
  return AckLocked(sequence);
}

absl::Status Spool::AckLocked(uint64_t sequence) {
  if (sequence == 0 || sequence > last_sequence_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "spool ", dir_, ": batch ", sequence, " was never handed out"));
  }
  auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Batch& b) {
    return b.sequence == sequence;
  });
  if (it == pending_.end()) return absl::OkStatus();  // acked before
  RETURN_IF_ERROR(WriteEntry(EntryType::kAck,
                             EncodeRange({sequence, it->first_id, it->last_id}),
                             false, false));
  counters_.records_acked += it->last_id - it->first_id + 1;
  pending_.erase(it);
  return Trim();
}

absl::Status Spool::Trim() {
  const uint64_t lowest_live = LowestLive();
  uint64_t lowest_entry_segment = std::numeric_limits<uint64_t>::max();
  for (const Batch& b : pending_) {
    lowest_entry_segment = std::min(lowest_entry_segment, b.entry_segment);
  }
  // Nothing waits and the active segment has grown: move on to a new one
  // so that the old one can go too.
  if (lowest_live >= next_record_id_ && pending_.empty() &&
      segments_.back().size >= options_.segment_bytes / 4) {
    RETURN_IF_ERROR(StartSegment());
  }
  while (segments_.size() > 1) {
    const Segment& oldest = segments_.front();
    if (oldest.max_record_id >= lowest_live ||
        oldest.number >= lowest_entry_segment) {
      break;
    }
    absl::Status removed = fs_->Remove(SegmentPath(oldest.number));
    if (!removed.ok() && !absl::IsNotFound(removed)) return Annotate(removed);
    segments_.pop_front();
  }
  return absl::OkStatus();
}

absl::Status Spool::Sync() {
  absl::MutexLock lock(&mu_);
  return Annotate(active_->Sync());
}

SpoolCounters Spool::counters() const {
  absl::MutexLock lock(&mu_);
  SpoolCounters c = counters_;
  c.bytes = TotalBytes();
  c.pending_records = next_record_id_ - LowestLive();
  return c;
}

}  // namespace natscope::ingest
