// Splits a byte stream into lines. Pure: no I/O.
//
// A partial last line waits for its newline. A line longer than
// `max_line_bytes` is cut there, delivered with `truncated` set, and the
// rest of it (up to the next newline) is discarded. "\r\n" endings lose the
// "\r". Not thread-safe.
#ifndef NATSCOPE_INGEST_TAIL_LINE_SPLITTER_H_
#define NATSCOPE_INGEST_TAIL_LINE_SPLITTER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace natscope::ingest {

struct Line {
  std::string text;
  bool truncated = false;
  // Offset just past this line's newline in the stream.
  uint64_t end_offset = 0;
};

class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes = 64 * 1024,
                        uint64_t start_offset = 0)
      : max_line_bytes_(max_line_bytes), offset_(start_offset) {}

  // Appends every line completed by `bytes` to `*out`.
  void Feed(absl::string_view bytes, std::vector<Line>* out);

  // Bytes of an unfinished line held back.
  size_t pending_bytes() const { return pending_.size(); }
  // Lines cut at max_line_bytes so far.
  uint64_t truncated_lines() const { return truncated_lines_; }

 private:
  size_t max_line_bytes_;
  uint64_t offset_;  // Stream offset of the next byte fed.
  std::string pending_;
  bool discarding_ = false;  // Inside the tail of an over-long line.
  uint64_t truncated_lines_ = 0;
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_TAIL_LINE_SPLITTER_H_
