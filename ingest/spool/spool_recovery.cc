// Spool::Open: rebuilds the spool's state by replaying every valid entry of
// every segment, oldest first. Damage is skipped and reported; only I/O
// errors fail.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "ingest/spool/spool.h"

namespace natscope::ingest {
namespace {

using Interval = std::pair<uint64_t, uint64_t>;  // [first, last]

// Adds [first, last] to `*set`, a sorted list of disjoint intervals, when it
// extends or follows the last one (the common, in-order case); otherwise
// inserts and re-merges.
void AddInterval(std::vector<Interval>* set, uint64_t first, uint64_t last) {
  if (!set->empty() && first >= set->back().first &&
      first <= set->back().second + 1) {
    set->back().second = std::max(set->back().second, last);
    return;
  }
  set->emplace_back(first, last);
  if (set->size() > 1 && first < (*set)[set->size() - 2].first) {
    std::sort(set->begin(), set->end());
    std::vector<Interval> merged;
    for (const Interval& i : *set) {
      if (!merged.empty() && i.first <= merged.back().second + 1) {
        merged.back().second = std::max(merged.back().second, i.second);
      } else {
        merged.push_back(i);
      }
    }
    *set = std::move(merged);
  }
}

// Parts of `present` up to `limit` that `covered` does not cover.
std::vector<Interval> Uncovered(const std::vector<Interval>& present,
                                const std::vector<Interval>& covered,
                                uint64_t limit) {
  std::vector<Interval> out;
  for (Interval p : present) {
    p.second = std::min(p.second, limit);
    uint64_t next = p.first;
    for (const Interval& c : covered) {
      if (c.second < next || c.first > p.second) continue;
      if (c.first > next) out.emplace_back(next, c.first - 1);
      next = c.second + 1;
      if (next > p.second) break;
    }
    if (next <= p.second && p.first <= p.second)
      out.emplace_back(next, p.second);
  }
  return out;
}

constexpr char kSegmentPrefix[] = "segment-";
constexpr char kSegmentSuffix[] = ".log";
// Orphaned records (their BATCH entry was damaged) are re-batched in
// batches of at most this many ids.
constexpr uint64_t kOrphanBatchIds = 1000;

// Open's defaults and clamps: the POSIX file system when none is given, and
// segments of at least 4 KiB and at most a quarter of the cap.
void ApplyDefaults(SpoolOptions* options) {
  if (options->fs == nullptr) options->fs = PosixSpoolFs();
  options->segment_bytes = std::max<uint64_t>(
      std::min(options->segment_bytes, options->max_bytes / 4), 4096);
}

// Creates `dir` when missing and returns the numbers of its segment files,
// ascending.
absl::StatusOr<std::vector<uint64_t>> ListSegments(SpoolFs* fs,
                                                   const std::string& dir) {
  absl::Status created = fs->CreateDir(dir);
  if (!created.ok()) {
    return absl::Status(created.code(),
                        absl::StrCat("cannot open spool directory ", dir, ": ",
                                     created.message()));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(dir));
  std::vector<uint64_t> numbers;
  for (absl::string_view name : names) {
    uint64_t number;
    if (absl::ConsumePrefix(&name, kSegmentPrefix) &&
        absl::ConsumeSuffix(&name, kSegmentSuffix) &&
        absl::SimpleAtoi(name, &number)) {
      numbers.push_back(number);
    }
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

// The epoch for a spool that has none (new, or every header damaged):
// options.new_epoch() when set, else a random nonzero one.
uint64_t NewEpoch(const SpoolOptions& options) {
  if (options.new_epoch) return options.new_epoch();
  absl::BitGen gen;
  return absl::Uniform<uint64_t>(gen, 1, std::numeric_limits<uint64_t>::max());
}

}  // namespace

class Spool::Recovery {
 public:
  explicit Recovery(RecoveryReport* report) : report_(report) {}

  // Scans the segments `numbers` (ascending) of `dir`, oldest first.
  absl::Status ScanAll(SpoolFs* fs, const std::string& dir,
                       const std::vector<uint64_t>& numbers) {
    for (size_t i = 0; i < numbers.size(); ++i) {
      const std::string path =
          absl::StrCat(dir, "/", kSegmentPrefix,
                       absl::Dec(numbers[i], absl::kZeroPad20), kSegmentSuffix);
      absl::Status scanned =
          Scan(fs, path, numbers[i], i + 1 == numbers.size());
      if (!scanned.ok()) {
        return absl::Status(scanned.code(),
                            absl::StrCat("cannot recover spool ", dir, ": ",
                                         scanned.message()));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Scan(SpoolFs* fs, const std::string& path, uint64_t number,
                    bool last) {
    ASSIGN_OR_RETURN(uint64_t size, fs->FileSize(path));
    FrameReader reader(fs, path, 0, size);
    Segment segment;
    segment.number = number;
    Frame frame;
    while (reader.Next(&frame)) Apply(frame, number, &segment);
    RETURN_IF_ERROR(reader.status());
    uint64_t skipped = reader.skipped_bytes();
    uint64_t regions = reader.damaged_regions();
    if (last && reader.valid_end() < size) {
      // Garbage up to the end of the newest segment: an append cut short.
      const uint64_t tail = size - reader.valid_end();
      RETURN_IF_ERROR(fs->Truncate(path, reader.valid_end()));
      report_->torn_tail_bytes += tail;
      skipped -= tail;
      regions -= 1;
      size = reader.valid_end();
    }
    if (regions > 0) {
      report_->damaged_regions += regions;
      report_->bytes_dropped += skipped;
      report_->damaged_segments.push_back(path.substr(path.rfind('/') + 1));
    }
    segment.size = size;
    segments_.push_back(segment);
    return absl::OkStatus();
  }

  // Moves what was found into `spool`, which has no segment yet.
  void Install(Spool* spool) {
    for (auto& [seq, batch] : batches_)
      AddInterval(&covered_, batch.first_id, batch.last_id);
    uint64_t records = 0;
    for (const Interval& i : present_) records += i.second - i.first + 1;
    report_->records = records;
    if (!present_.empty()) {
      const uint64_t lowest =
          std::min(first_expected_id_.value_or(present_.front().first),
                   present_.front().first);
      const uint64_t highest = present_.back().second;
      if (highest >= lowest) {
        report_->records_dropped =
            (highest - lowest + 1) - std::min(records, highest - lowest + 1);
      }
    }
    // A damaged stretch may have held BATCH entries whose sequences were
    // sent: never reuse a sequence it might have held.
    if (report_->damaged_regions > 0) {
      last_sequence_ += report_->bytes_dropped / (kFrameHeaderBytes + 3) + 1;
    }
    spool->segments_.assign(segments_.begin(), segments_.end());
    spool->next_record_id_ = next_record_id_;
    spool->next_unbatched_id_ =
        max_batched_id_ > 0
            ? max_batched_id_ + 1
            : (present_.empty() ? next_record_id_ : present_.front().first);
    spool->next_unbatched_id_ =
        std::min(spool->next_unbatched_id_, next_record_id_);
    spool->last_sequence_ = last_sequence_;
    spool->positions_ = std::move(positions_);
    for (auto& [seq, batch] : batches_) spool->pending_.push_back(batch);
    orphans_ = Uncovered(present_, covered_, max_batched_id_);
    spool->counters_.records_dropped = report_->records_dropped;
  }

  // After Install, with spool->mu_ held: fsyncs every installed segment
  // (unless FsyncPolicy::kNever), so that what a killed process left in the
  // page cache is durable before anything that depends on it is written.
  static absl::Status SyncInstalled(Spool* spool) {
    if (spool->options_.fsync == FsyncPolicy::kNever) return absl::OkStatus();
    for (const Segment& segment : spool->segments_) {
      auto file = spool->fs_->OpenAppend(spool->SegmentPath(segment.number));
      absl::Status synced = file.ok() ? (*file)->Sync() : file.status();
      if (!synced.ok()) return spool->Annotate(synced);
    }
    return absl::OkStatus();
  }

  // After Install and once `spool` has a fresh segment, with spool->mu_
  // held: writes new BATCH entries for the record ranges whose BATCH entry
  // was lost, at most kOrphanBatchIds ids each, and keeps spool->pending_
  // in sequence order.
  absl::Status RebatchOrphans(Spool* spool) const {
    for (const Interval& orphan : orphans_) {
      for (uint64_t first = orphan.first; first <= orphan.second;
           first += kOrphanBatchIds) {
        const uint64_t last =
            std::min(orphan.second, first + kOrphanBatchIds - 1);
        RETURN_IF_ERROR(spool->WriteBatchEntry(first, last));
      }
    }
    std::sort(
        spool->pending_.begin(), spool->pending_.end(),
        [](const Batch& a, const Batch& b) { return a.sequence < b.sequence; });
    return absl::OkStatus();
  }

  std::optional<uint64_t> epoch() const { return epoch_; }

 private:
  void Apply(const Frame& frame, uint64_t number, Segment* segment) {
    switch (frame.type) {
      case EntryType::kHeader: {
        HeaderEntry h;
        if (!DecodeHeader(frame.payload, &h)) return;
        // Segments replay oldest first: the newest header's epoch wins
        // (Spool::StartNewEpoch starts a segment to change it).
        epoch_ = h.epoch;
        if (!first_expected_id_ && segments_.empty())
          first_expected_id_ = h.next_record_id;
        next_record_id_ = std::max(next_record_id_, h.next_record_id);
        last_sequence_ = std::max(last_sequence_, h.last_sequence);
        return;
      }
      case EntryType::kRecord: {
        RecordEntry r;
        if (!DecodeRecord(frame.payload, &r) || r.id == 0) return;
        AddInterval(&present_, r.id, r.id);
        next_record_id_ = std::max(next_record_id_, r.id + 1);
        segment->max_record_id = std::max(segment->max_record_id, r.id);
        if (r.position) positions_[r.position->file_key] = r.position->offset;
        return;
      }
      case EntryType::kPosition: {
        PositionEntry p;
        if (!DecodePosition(frame.payload, &p)) return;
        if (p.forget) {
          positions_.erase(p.position.file_key);
        } else {
          positions_[p.position.file_key] = p.position.offset;
        }
        return;
      }
      case EntryType::kBatch: {
        RangeEntry b;
        if (!DecodeRange(frame.payload, &b)) return;
        last_sequence_ = std::max(last_sequence_, b.sequence);
        max_batched_id_ = std::max(max_batched_id_, b.last_id);
        Batch& batch = batches_[b.sequence];
        batch.sequence = b.sequence;
        batch.first_id = b.first_id;
        batch.last_id = b.last_id;
        batch.entry_segment = number;
        return;
      }
      case EntryType::kAck: {
        RangeEntry a;
        if (!DecodeRange(frame.payload, &a)) return;
        last_sequence_ = std::max(last_sequence_, a.sequence);
        max_batched_id_ = std::max(max_batched_id_, a.last_id);
        batches_.erase(a.sequence);
        AddInterval(&covered_, a.first_id, a.last_id);
        return;
      }
    }
  }

  RecoveryReport* report_;
  std::optional<uint64_t> epoch_;
  std::optional<uint64_t> first_expected_id_;
  uint64_t next_record_id_ = 1;
  uint64_t last_sequence_ = 0;
  uint64_t max_batched_id_ = 0;
  std::map<uint64_t, Batch> batches_;  // unacked, by sequence
  std::vector<Interval> present_;      // record ids found
  std::vector<Interval> covered_;      // record ids in a known batch
  std::vector<Interval> orphans_;
  std::vector<Segment> segments_;
  std::map<std::string, uint64_t> positions_;
};

absl::StatusOr<std::unique_ptr<Spool>> Spool::Open(const std::string& dir,
                                                   SpoolOptions options,
                                                   RecoveryReport* report) {
  RecoveryReport local_report;
  if (report == nullptr) report = &local_report;
  *report = RecoveryReport();
  ApplyDefaults(&options);
  ASSIGN_OR_RETURN(std::vector<uint64_t> numbers,
                   ListSegments(options.fs, dir));
  Recovery recovery(report);
  RETURN_IF_ERROR(recovery.ScanAll(options.fs, dir, numbers));
  report->segments = static_cast<int>(numbers.size());
  std::optional<uint64_t> epoch = recovery.epoch();
  if (!epoch) {
    report->fresh = numbers.empty();
    report->epoch_reset = !numbers.empty();
    epoch = NewEpoch(options);
  }
  std::unique_ptr<Spool> spool(new Spool(dir, std::move(options), *epoch));
  absl::MutexLock lock(&spool->mu_);
  recovery.Install(spool.get());
  RETURN_IF_ERROR(Recovery::SyncInstalled(spool.get()));
  // New entries go to a fresh segment: never append after damaged bytes.
  RETURN_IF_ERROR(spool->StartSegment());
  RETURN_IF_ERROR(recovery.RebatchOrphans(spool.get()));
  report->pending_records =
      spool->next_record_id_ -
      std::min(spool->next_record_id_, spool->LowestLive());
  spool->counters_.pending_records = report->pending_records;
  RETURN_IF_ERROR(spool->Trim());
  return spool;
}

std::string RecoveryReport::ToString() const {
  std::string s =
      absl::StrCat(segments, " segment(s), ", records, " record(s), ",
                   pending_records, " not yet acknowledged");
  if (fresh) absl::StrAppend(&s, "; new spool");
  if (epoch_reset)
    absl::StrAppend(&s, "; epoch lost to damage, a new one was chosen");
  if (torn_tail_bytes > 0) {
    absl::StrAppend(&s, "; ", torn_tail_bytes,
                    " byte(s) of an unfinished entry truncated");
  }
  if (damaged_regions > 0 || records_dropped > 0) {
    absl::StrAppend(&s, "; DAMAGE: ", records_dropped, " record(s) lost, ",
                    bytes_dropped, " byte(s) in ", damaged_regions,
                    " damaged region(s) skipped in ",
                    absl::StrJoin(damaged_segments, ", "));
  }
  return s;
}

}  // namespace natscope::ingest
