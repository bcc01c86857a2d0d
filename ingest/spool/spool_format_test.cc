#include "ingest/spool/spool_format.h"

#include "gtest/gtest.h"
#include "ingest/spool/crc32c.h"
#include "ingest/spool/mem_spool_fs.h"

namespace natscope::ingest {
namespace {

TEST(Crc32cTest, MatchesKnownVectors) {
  // RFC 3720 B.4 test vectors.
  EXPECT_EQ(crc32c::Value(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(crc32c::Value(std::string(32, '\xff')), 0x62a8ab43u);
  EXPECT_EQ(crc32c::Value("123456789"), 0xe3069283u);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(0x12345678u)), 0x12345678u);
}

TEST(SpoolFormatTest, PayloadsRoundTrip) {
  HeaderEntry h{42, 7, 1001, 99}, h2;
  ASSERT_TRUE(DecodeHeader(EncodeHeader(h), &h2));
  EXPECT_EQ(h2.epoch, 42u);
  EXPECT_EQ(h2.segment, 7u);
  EXPECT_EQ(h2.next_record_id, 1001u);
  EXPECT_EQ(h2.last_sequence, 99u);

  RecordEntry r{300, Position{"dev:ino:fp", 123456789012}, "bytes"}, r2;
  ASSERT_TRUE(DecodeRecord(EncodeRecord(r), &r2));
  EXPECT_EQ(r2.id, 300u);
  ASSERT_TRUE(r2.position.has_value());
  EXPECT_EQ(r2.position->file_key, "dev:ino:fp");
  EXPECT_EQ(r2.position->offset, 123456789012u);
  EXPECT_EQ(r2.record, "bytes");

  RecordEntry probe{301, std::nullopt, "p"};
  ASSERT_TRUE(DecodeRecord(EncodeRecord(probe), &r2));
  EXPECT_FALSE(r2.position.has_value());

  PositionEntry p{{"k", 5}, true}, p2;
  ASSERT_TRUE(DecodePosition(EncodePosition(p), &p2));
  EXPECT_TRUE(p2.forget);
  EXPECT_EQ(p2.position.offset, 5u);

  RangeEntry b{3, 10, 20}, b2;
  ASSERT_TRUE(DecodeRange(EncodeRange(b), &b2));
  EXPECT_EQ(b2.sequence, 3u);
  EXPECT_EQ(b2.last_id, 20u);
  EXPECT_FALSE(DecodeRange(EncodeRange({3, 20, 10}), &b2));
}

std::vector<Frame> ReadAll(MemSpoolFs* fs, FrameReader* reader) {
  std::vector<Frame> frames;
  Frame f;
  while (reader->Next(&f)) frames.push_back(f);
  return frames;
}

TEST(FrameReaderTest, ReadsFramesInOrder) {
  MemSpoolFs fs;
  fs.SetContents("d/f", EncodeFrame(EntryType::kAck, "a") +
                            EncodeFrame(EntryType::kBatch, "bb"));
  FrameReader reader(&fs, "d/f", 0, fs.Contents("d/f").size());
  auto frames = ReadAll(&fs, &reader);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, EntryType::kAck);
  EXPECT_EQ(frames[1].payload, "bb");
  EXPECT_EQ(frames[1].offset, kFrameHeaderBytes + 1);
  EXPECT_EQ(reader.skipped_bytes(), 0u);
}

TEST(FrameReaderTest, FlippedByteSkipsOnlyThatFrame) {
  MemSpoolFs fs;
  const std::string a = EncodeFrame(EntryType::kRecord, "first");
  const std::string b = EncodeFrame(EntryType::kRecord, "second");
  const std::string c = EncodeFrame(EntryType::kRecord, "third");
  std::string data = a + b + c;
  data[a.size() + kFrameHeaderBytes + 2] ^= 0x40;
  fs.SetContents("d/f", data);
  FrameReader reader(&fs, "d/f", 0, data.size());
  auto frames = ReadAll(&fs, &reader);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload, "first");
  EXPECT_EQ(frames[1].payload, "third");
  EXPECT_EQ(reader.skipped_bytes(), b.size());
  EXPECT_EQ(reader.damaged_regions(), 1u);
}

TEST(FrameReaderTest, TornTailEndsAtLastValidFrame) {
  MemSpoolFs fs;
  const std::string a = EncodeFrame(EntryType::kRecord, "whole");
  const std::string b = EncodeFrame(EntryType::kRecord, "cut short");
  const std::string data = a + b.substr(0, b.size() - 3);
  fs.SetContents("d/f", data);
  FrameReader reader(&fs, "d/f", 0, data.size());
  auto frames = ReadAll(&fs, &reader);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(reader.valid_end(), a.size());
}

TEST(FrameReaderTest, CorruptLengthDoesNotHideLaterFrames) {
  MemSpoolFs fs;
  std::string a = EncodeFrame(EntryType::kRecord, "x");
  a[0] = '\x7f';  // length 127: runs past the next frame
  const std::string b = EncodeFrame(EntryType::kRecord, std::string(200, 'y'));
  fs.SetContents("d/f", a + b);
  FrameReader reader(&fs, "d/f", 0, a.size() + b.size());
  auto frames = ReadAll(&fs, &reader);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload, std::string(200, 'y'));
}

}  // namespace
}  // namespace natscope::ingest
