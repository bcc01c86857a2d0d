#include "ingest/spool/spool_format.h"

#include <algorithm>

#include "ingest/spool/crc32c.h"

namespace natscope::ingest {
namespace {

constexpr size_t kReadChunk = 64 << 10;

void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutFixed64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutString(std::string* out, absl::string_view s) {
  PutVarint(out, s.size());
  out->append(s.data(), s.size());
}

uint32_t Fixed32At(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}
bool GetFixed64(absl::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = 0;
  for (int i = 0; i < 8; ++i) {
    *v |= uint64_t{static_cast<unsigned char>((*in)[i])} << (8 * i);
  }
  in->remove_prefix(8);
  return true;
}
bool GetVarint(absl::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    *v |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) return true;
  }
  return false;
}
bool GetString(absl::string_view* in, std::string* s) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in->size()) return false;
  s->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}
bool GetByte(absl::string_view* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  return true;
}

bool KnownType(uint8_t type) {
  return type >= static_cast<uint8_t>(EntryType::kHeader) &&
         type <= static_cast<uint8_t>(EntryType::kAck);
}

}  // namespace

std::string EncodeFrame(EntryType type, absl::string_view payload) {
  std::string frame;
  frame.reserve(kFrameHeaderBytes + payload.size());
  const char type_byte = static_cast<char>(type);
  uint32_t crc = crc32c::Extend(0, absl::string_view(&type_byte, 1));
  crc = crc32c::Extend(crc, payload);
  PutFixed32(&frame, static_cast<uint32_t>(payload.size()));
  PutFixed32(&frame, crc32c::Mask(crc));
  frame.push_back(type_byte);
  frame.append(payload.data(), payload.size());
  return frame;
}

std::string EncodeHeader(const HeaderEntry& e) {
  std::string out;
  PutFixed64(&out, e.epoch);
  PutVarint(&out, e.segment);
  PutVarint(&out, e.next_record_id);
  PutVarint(&out, e.last_sequence);
  return out;
}

bool DecodeHeader(absl::string_view in, HeaderEntry* e) {
  return GetFixed64(&in, &e->epoch) && GetVarint(&in, &e->segment) &&
         GetVarint(&in, &e->next_record_id) &&
         GetVarint(&in, &e->last_sequence) && e->epoch != 0;
}

std::string EncodeRecord(const RecordEntry& e) {
  std::string out;
  PutVarint(&out, e.id);
  out.push_back(e.position ? 1 : 0);
  if (e.position) {
    PutString(&out, e.position->file_key);
    PutVarint(&out, e.position->offset);
  }
  out.append(e.record);
  return out;
}

bool DecodeRecord(absl::string_view in, RecordEntry* e) {
  uint8_t flags;
  if (!GetVarint(&in, &e->id) || !GetByte(&in, &flags) || flags > 1)
    return false;
  e->position.reset();
  if (flags == 1) {
    Position p;
    if (!GetString(&in, &p.file_key) || !GetVarint(&in, &p.offset))
      return false;
    e->position = std::move(p);
  }
  e->record.assign(in.data(), in.size());
  return true;
}

std::string EncodePosition(const PositionEntry& e) {
  std::string out;
  out.push_back(e.forget ? 1 : 0);
  PutString(&out, e.position.file_key);
  PutVarint(&out, e.position.offset);
  return out;
}

bool DecodePosition(absl::string_view in, PositionEntry* e) {
  uint8_t flags;
  if (!GetByte(&in, &flags) || flags > 1) return false;
  e->forget = flags == 1;
  return GetString(&in, &e->position.file_key) &&
         GetVarint(&in, &e->position.offset) && in.empty();
}

std::string EncodeRange(const RangeEntry& e) {
  std::string out;
  PutVarint(&out, e.sequence);
  PutVarint(&out, e.first_id);
  PutVarint(&out, e.last_id);
  return out;
}

bool DecodeRange(absl::string_view in, RangeEntry* e) {
  return GetVarint(&in, &e->sequence) && GetVarint(&in, &e->first_id) &&
         GetVarint(&in, &e->last_id) && in.empty() && e->sequence != 0 &&
         e->first_id <= e->last_id;
}

FrameReader::FrameReader(SpoolFs* fs, std::string path, uint64_t offset,
                         uint64_t size)
    : fs_(fs),
      path_(std::move(path)),
      pos_(offset),
      size_(size),
      valid_end_(offset) {}

bool FrameReader::Ensure(uint64_t pos, size_t n) {
  if (pos + n > size_) return false;
  if (pos >= buf_offset_ && pos + n <= buf_offset_ + buf_.size()) return true;
  const size_t want = static_cast<size_t>(
      std::min<uint64_t>(std::max(n, kReadChunk), size_ - pos));
  status_ = fs_->ReadAt(path_, pos, want, &buf_);
  buf_offset_ = pos;
  if (!status_.ok()) {
    buf_.clear();
    return false;
  }
  return buf_.size() >= n;
}

bool FrameReader::FrameAt(uint64_t pos, Frame* frame) {
  if (!Ensure(pos, kFrameHeaderBytes)) return false;
  const char* header = buf_.data() + (pos - buf_offset_);
  const uint32_t length = Fixed32At(header);
  const uint32_t masked_crc = Fixed32At(header + 4);
  const auto type = static_cast<uint8_t>(header[8]);
  if (!KnownType(type) || length > kMaxPayloadBytes) return false;
  if (!Ensure(pos, kFrameHeaderBytes + length)) return false;
  // Ensure may have refilled the buffer.
  const char* start = buf_.data() + (pos - buf_offset_);
  const absl::string_view checked(start + 8, 1 + length);
  if (crc32c::Unmask(masked_crc) != crc32c::Value(checked)) return false;
  frame->type = static_cast<EntryType>(type);
  frame->payload.assign(start + kFrameHeaderBytes, length);
  frame->offset = pos;
  frame->end = pos + kFrameHeaderBytes + length;
  return true;
}

bool FrameReader::Next(Frame* frame) {
  bool in_damage = false;
  while (pos_ < size_ && status_.ok()) {
    if (FrameAt(pos_, frame)) {
      pos_ = frame->end;
      valid_end_ = frame->end;
      return true;
    }
    if (!status_.ok()) break;
    if (!in_damage) ++damaged_regions_;
    in_damage = true;
    ++skipped_bytes_;
    ++pos_;
  }
  return false;
}

}  // namespace natscope::ingest
