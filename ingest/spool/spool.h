// The agent's durable on-disk spool: every record the agent produces goes
// here first, then leaves in numbered batches, and is trimmed only after
// natscope-server acknowledged its batch. See README.md for the format and
// the exactly-once argument.
//
// Usage:
//   RecoveryReport report;
//   auto spool = Spool::Open("/var/lib/natscope/spool", {}, &report);
//   tailer.ResumeAt(spool->ResumePositions());
//   spool->Append(record, Position{key, offset_after_line});
//   auto batch = spool->NextBatch(500, 1 << 20);   // send *batch ...
//   spool->Ack(batch->sequence());                 // ... once acknowledged
//
// Every method that writes hands its bytes to the kernel before returning,
// so a returned OK survives kill -9; power loss keeps what the FsyncPolicy
// synced. Thread-safe: a tailer thread may Append while a delivery thread
// calls NextBatch/Ack.
#ifndef NATSCOPE_INGEST_SPOOL_SPOOL_H_
#define NATSCOPE_INGEST_SPOOL_SPOOL_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ingest/spool/spool_format.h"
#include "ingest/spool/spool_fs.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {

enum class FsyncPolicy {
  // Never fsync: survives kill -9, not power loss.
  kNever,
  // fsync a segment before leaving it, and every BATCH entry before the
  // batch can be sent (so a batch's identity survives power loss); records
  // appended since the last batch may be lost with power, together with
  // their file positions, so they are read again.
  kBatches,
  // fsync after every entry. Slow; for hosts that lose power often.
  kAlways,
};

struct SpoolOptions {
  // Cap on the bytes of all segment files. Records and positions are
  // refused (ResourceExhausted) beyond max_bytes minus a small reserve
  // (max_bytes / 64) that keeps room for the BATCH and ACK entries needed
  // to drain the spool.
  uint64_t max_bytes = 64 << 20;
  // A segment is closed once it reaches this size; clamped to max_bytes/4
  // so that trimming whole segments frees space.
  uint64_t segment_bytes = 4 << 20;
  FsyncPolicy fsync = FsyncPolicy::kBatches;
  // The dead-letter file is rotated to dead-letter.jsonl.1 beyond this.
  uint64_t dead_letter_max_bytes = 16 << 20;
  // Records and positions are refused (ResourceExhausted, "disk nearly
  // full") while the spool's file system has less than this free, so that
  // BATCH and ACK entries can still be written and the spool can drain.
  uint64_t disk_reserve_bytes = 256 << 10;
  // File system; nullptr means PosixSpoolFs(). Must outlive the spool.
  SpoolFs* fs = nullptr;
  // Source of a fresh epoch (nonzero); nullptr means random. For tests.
  std::function<uint64_t()> new_epoch;
};

// What Open found. Damage never stops Open; it is reported here.
struct RecoveryReport {
  int segments = 0;              // segment files found
  uint64_t records = 0;          // records recovered (acked or not)
  uint64_t pending_records = 0;  // ids not yet acknowledged
  uint64_t records_dropped = 0;  // record ids lost to damage
  uint64_t damaged_regions = 0;  // stretches of undecodable bytes skipped
  uint64_t bytes_dropped = 0;    // bytes in those stretches
  uint64_t torn_tail_bytes = 0;  // incomplete last entry, truncated away
  std::vector<std::string> damaged_segments;  // file names
  bool fresh = false;        // no spool existed; a new epoch was chosen
  bool epoch_reset = false;  // segments existed but no epoch survived
  bool ok() const { return records_dropped == 0 && damaged_regions == 0; }
  std::string ToString() const;
};

struct SpoolCounters {
  uint64_t bytes = 0;             // all segment files now
  uint64_t capacity_bytes = 0;    // max_bytes
  uint64_t pending_records = 0;   // record ids not yet acknowledged
  uint64_t records_appended = 0;  // since Open
  uint64_t records_acked = 0;     // record ids acknowledged since Open
  uint64_t records_dropped = 0;   // lost to damage (found at Open)
  uint64_t dead_letters = 0;      // batches dead-lettered since Open
  uint64_t full = 0;              // Appends refused for the cap or disk full
};

class Spool {
 public:
  // Opens the spool in `dir` (created when missing), recovering what a
  // crash or damage left: a torn last entry is truncated, undecodable bytes
  // are skipped, and everything still decodable is kept. `*report` (may be
  // null) says what was found. Fails only for I/O errors (e.g.
  // PermissionDenied naming the directory).
  static absl::StatusOr<std::unique_ptr<Spool>> Open(
      const std::string& dir, SpoolOptions options,
      RecoveryReport* report = nullptr);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends a record; `after` (none for probes) is the position just past
  // the line it came from, which becomes that file's resume position.
  // ResourceExhausted when the cap or the disk is full ("disk full"): pause
  // reading and try again after an Ack; nothing was written.
  // InvalidArgument for a record larger than 4 MiB.
  absl::Status Append(const v1::Record& record,
                      const std::optional<Position>& after);
  // Records that the tailer reached `position` with no record to spool.
  // Same errors as Append.
  absl::Status MarkPosition(const Position& position);
  // Drops `file_key` from the resume positions (a file gone for good).
  absl::Status ForgetPosition(const std::string& file_key);
  // For every file key, the offset of its last durably spooled record or
  // position: where the tailer resumes.
  std::map<std::string, uint64_t> ResumePositions() const;

  // The oldest unacknowledged batch: rebuilt with the same epoch, sequence
  // and records when it was built before (even before a restart), else a
  // new batch of up to `max_records` records / about `max_bytes` bytes
  // (at least one record) whose BATCH entry is written (and synced, per
  // policy) before this returns. nullopt when nothing is waiting. Sets
  // epoch, sequence and records; agent and counters are the caller's.
  absl::StatusOr<std::optional<v1::IngestRequest>> NextBatch(int max_records,
                                                             size_t max_bytes);
  // Marks batch `sequence` acknowledged and deletes the segments nothing
  // unacknowledged needs any more. Acking an acked batch is OK.
  // FailedPrecondition for a sequence never handed out.
  absl::Status Ack(uint64_t sequence);
  // Appends `batch` with `reason` as one JSON line to
  // <dir>/dead-letter.jsonl, then acks it. A crash in between may write the
  // line twice, never lose it.
  absl::Status DeadLetter(const v1::IngestRequest& batch,
                          absl::string_view reason);
  // fsyncs the active segment.
  absl::Status Sync();

  // Sends every unacknowledged batch, and every later one, under `epoch`
  // from now on (same sequences and records): for a batch the server
  // refused because its (epoch, sequence) was committed with other records
  // (a cloned or restored agent). Durable before it returns: a new segment
  // whose header carries the epoch. InvalidArgument for 0 or the current
  // epoch; the errors of appending otherwise (the epoch is then unchanged).
  absl::Status StartNewEpoch(uint64_t epoch);

  uint64_t epoch() const ABSL_LOCKS_EXCLUDED(mu_);
  const std::string& dir() const { return dir_; }
  SpoolCounters counters() const;

 private:
  struct Segment {
    uint64_t number = 0;
    uint64_t size = 0;
    uint64_t max_record_id = 0;  // 0: no records
  };
  // Where to start looking for a record id: segment number and offset.
  struct Cursor {
    uint64_t segment = 0;
    uint64_t offset = 0;
  };
  struct Batch {
    uint64_t sequence = 0;
    uint64_t first_id = 0;
    uint64_t last_id = 0;
    uint64_t entry_segment = 0;  // holds the BATCH entry
    Cursor hint;
  };
  class Recovery;

  Spool(std::string dir, SpoolOptions options, uint64_t epoch);
  std::string SegmentPath(uint64_t number) const;
  // Prefixes `status` with the spool directory (and advice when full).
  absl::Status Annotate(const absl::Status& status) const;
  absl::Status WriteEntry(EntryType type, const std::string& payload,
                          bool capped, bool sync)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends whole frames to the active segment; on failure cuts the file
  // back so no partial frame stays behind.
  // ResourceExhausted when the file system is below its reserve.
  absl::Status CheckDiskReserve() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendFrames(const std::string& frames, bool sync)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StartSegment() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteBatchEntry(uint64_t first_id, uint64_t last_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads records with ids in [first_id, last_id] in order, starting at
  // `*cursor` and leaving it after the last record taken.
  absl::Status ReadRecords(uint64_t first_id, uint64_t last_id, int max_records,
                           size_t max_bytes, Cursor* cursor,
                           std::vector<v1::Record>* out, uint64_t* last_taken)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Cursor Locate(uint64_t id, Cursor hint) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The lowest record id not yet acknowledged (next_record_id_ if none).
  uint64_t LowestLive() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Trim() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AckLocked(uint64_t sequence) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteDeadLetterLine(const std::string& line)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t TotalBytes() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  const SpoolOptions options_;
  SpoolFs* const fs_;
  uint64_t epoch_ ABSL_GUARDED_BY(mu_);

  mutable absl::Mutex mu_;
  std::deque<Segment> segments_ ABSL_GUARDED_BY(mu_);  // oldest first
  std::unique_ptr<SpoolFile> active_ ABSL_GUARDED_BY(mu_);
  // A failed append could not be cut back: continue in a new segment.
  bool needs_new_segment_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_record_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t next_unbatched_id_ ABSL_GUARDED_BY(mu_) = 1;
  Cursor unbatched_hint_ ABSL_GUARDED_BY(mu_);
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Batch> pending_ ABSL_GUARDED_BY(mu_);  // by sequence
  std::map<std::string, uint64_t> positions_ ABSL_GUARDED_BY(mu_);
  SpoolCounters counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_SPOOL_SPOOL_H_
