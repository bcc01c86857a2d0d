#include "ingest/tail/line_splitter.h"

namespace natscope::ingest {

void LineSplitter::Feed(absl::string_view bytes, std::vector<Line>* out) {
  while (!bytes.empty()) {
    const size_t newline = bytes.find('\n');
    const bool complete = newline != absl::string_view::npos;
    absl::string_view chunk = complete ? bytes.substr(0, newline) : bytes;
    const size_t consumed = complete ? newline + 1 : bytes.size();
    offset_ += consumed;
    bytes.remove_prefix(consumed);

    if (!discarding_) {
      const size_t room = max_line_bytes_ - pending_.size();
      if (chunk.size() > room) {
        pending_.append(chunk.data(), room);
        out->push_back({std::move(pending_), true, offset_});
        pending_.clear();
        ++truncated_lines_;
        discarding_ = !complete;
        continue;
      }
      pending_.append(chunk.data(), chunk.size());
    }
    if (!complete) continue;
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    out->push_back({std::move(pending_), false, offset_});
    pending_.clear();
  }
}

}  // namespace natscope::ingest
