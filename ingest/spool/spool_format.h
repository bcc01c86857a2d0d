// The spool's on-disk format (see README.md): segment files of framed
// entries, and the payload of each entry type. Pure functions plus a
// reader that finds every valid frame in a file, skipping damaged bytes.
//
// Frame: fixed32 payload length | fixed32 masked CRC-32C of (type, payload)
//        | uint8 type | payload. Integers little-endian.
#ifndef NATSCOPE_INGEST_SPOOL_SPOOL_FORMAT_H_
#define NATSCOPE_INGEST_SPOOL_SPOOL_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ingest/spool/spool_fs.h"

namespace natscope::ingest {

constexpr size_t kFrameHeaderBytes = 9;
// Larger payloads are refused at append and treated as damage when read.
constexpr size_t kMaxPayloadBytes = 4 << 20;

enum class EntryType : uint8_t {
  kHeader = 1,    // first entry of every segment
  kRecord = 2,    // one v1::Record, with the file position after its line
  kPosition = 3,  // a file position reached without a record (or forgotten)
  kBatch = 4,     // batch `sequence` = records [first_id, last_id]
  kAck = 5,       // batch `sequence` (records [first_id, last_id]) is acked
};

// Where a tailer stands in one file: an opaque key naming the file (the
// tailer's identity for it) and the byte offset just after the last line
// consumed.
struct Position {
  std::string file_key;
  uint64_t offset = 0;
};

struct HeaderEntry {
  uint64_t epoch = 0;
  uint64_t segment = 0;
  // The id the next record gets: records of this segment start here.
  uint64_t next_record_id = 1;
  // The highest batch sequence assigned before this segment began.
  uint64_t last_sequence = 0;
};

struct RecordEntry {
  uint64_t id = 0;
  std::optional<Position> position;
  std::string record;  // a serialized v1::Record
};

struct PositionEntry {
  Position position;
  bool forget = false;  // the key is dropped from the resume positions
};

// kBatch and kAck share this payload.
struct RangeEntry {
  uint64_t sequence = 0;
  uint64_t first_id = 0;
  uint64_t last_id = 0;
};

std::string EncodeFrame(EntryType type, absl::string_view payload);

std::string EncodeHeader(const HeaderEntry& entry);
std::string EncodeRecord(const RecordEntry& entry);
std::string EncodePosition(const PositionEntry& entry);
std::string EncodeRange(const RangeEntry& entry);
// False when `payload` is malformed.
bool DecodeHeader(absl::string_view payload, HeaderEntry* entry);
bool DecodeRecord(absl::string_view payload, RecordEntry* entry);
bool DecodePosition(absl::string_view payload, PositionEntry* entry);
bool DecodeRange(absl::string_view payload, RangeEntry* entry);

struct Frame {
  EntryType type;
  std::string payload;
  uint64_t offset = 0;  // where the frame starts in the file
  uint64_t end = 0;     // where it ends
};

// Reads the valid frames of `path` in order, from `offset` to `size` (the
// caller's idea of the file's length). A position where no valid frame
// starts is skipped byte by byte until one does: damaged bytes are counted,
// never fatal. Not thread-safe; `fs` must outlive the reader.
class FrameReader {
 public:
  FrameReader(SpoolFs* fs, std::string path, uint64_t offset, uint64_t size);

  // Stores the next valid frame in `*frame` and returns true; false at the
  // end or on an I/O error (see status()).
  bool Next(Frame* frame);

  // Bytes skipped so far, and the number of separate damaged stretches.
  uint64_t skipped_bytes() const { return skipped_bytes_; }
  uint64_t damaged_regions() const { return damaged_regions_; }
  // End of the last valid frame returned (the start offset before any).
  uint64_t valid_end() const { return valid_end_; }
  const absl::Status& status() const { return status_; }

 private:
  // Makes [pos, pos + n) available in buf_; false at end of data or error.
  bool Ensure(uint64_t pos, size_t n);
  // True and fills `*frame` when a valid frame starts at `pos`.
  bool FrameAt(uint64_t pos, Frame* frame);

  SpoolFs* fs_;
  std::string path_;
  uint64_t pos_;
  uint64_t size_;
  std::string buf_;
  uint64_t buf_offset_ = 0;
  uint64_t skipped_bytes_ = 0;
  uint64_t damaged_regions_ = 0;
  uint64_t valid_end_;
  absl::Status status_;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_SPOOL_SPOOL_FORMAT_H_
