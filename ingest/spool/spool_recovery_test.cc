// What Spool::Open makes of crashes and damage.
#include <map>
#include <random>
#include <set>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest/spool/mem_spool_fs.h"
#include "ingest/spool/spool.h"

namespace natscope::ingest {
namespace {

v1::Record Line(uint64_t i) {
  v1::Record record;
  record.mutable_log()->set_raw_line(absl::StrCat("line ", i));
  return record;
}

class SpoolRecoveryTest : public ::testing::Test {
 protected:
  std::unique_ptr<Spool> Open(RecoveryReport* report = nullptr) {
    SpoolOptions options = options_;
    options.fs = &fs_;
    auto spool = Spool::Open(dir_, options, report);
    EXPECT_TRUE(spool.ok()) << spool.status();
    return spool.ok() ? std::move(spool).value() : nullptr;
  }
  std::string Segment(int n) {
    return absl::StrCat("spool/segment-", absl::Dec(n, absl::kZeroPad20),
                        ".log");
  }
  // Frames of segment `n`, in order.
  std::vector<Frame> Frames(int n) {
    const std::string path = Segment(n);
    FrameReader reader(&fs_, path, 0, fs_.Contents(path).size());
    std::vector<Frame> frames;
    Frame f;
    while (reader.Next(&f)) frames.push_back(f);
    return frames;
  }
  std::vector<Frame> FramesOfType(int n, EntryType type) {
    std::vector<Frame> out;
    for (const Frame& f : Frames(n)) {
      if (f.type == type) out.push_back(f);
    }
    return out;
  }
  void Flip(int segment, uint64_t offset) {
    std::string data = fs_.Contents(Segment(segment));
    data[offset] ^= 0x20;
    fs_.SetContents(Segment(segment), data);
  }
  std::vector<std::string> Drain(Spool* spool) {
    std::vector<std::string> lines;
    for (;;) {
      auto batch = spool->NextBatch(1000, 1 << 20);
      EXPECT_TRUE(batch.ok()) << batch.status();
      if (!batch.ok() || !batch->has_value()) return lines;
      for (const auto& r : (*batch)->records())
        lines.push_back(r.log().raw_line());
      EXPECT_TRUE(spool->Ack((*batch)->sequence()).ok());
    }
  }

  MemSpoolFs fs_;
  SpoolOptions options_;
  std::string dir_ = "spool";
};

TEST_F(SpoolRecoveryTest, TornTailIsTruncatedAndNotCountedAsDamage) {
  {
    auto spool = Open();
    for (uint64_t i = 0; i < 5; ++i)
      ASSERT_TRUE(spool->Append(Line(i), Position{"f", i + 1}).ok());
  }
  const std::string data = fs_.Contents(Segment(1));
  const std::string cut = data.substr(0, data.size() - 3);
  fs_.SetContents(Segment(1), cut);
  RecoveryReport report;
  auto spool = Open(&report);
  EXPECT_TRUE(report.ok()) << report.ToString();
  EXPECT_GT(report.torn_tail_bytes, 0u);
  EXPECT_EQ(report.records, 4u);
  EXPECT_EQ(spool->ResumePositions().at("f"), 4u)
      << "line 4 will be read again";
  EXPECT_EQ(fs_.Contents(Segment(1)).size(),
            cut.size() - report.torn_tail_bytes);
  ASSERT_TRUE(spool->Append(Line(4), Position{"f", 5}).ok());
  EXPECT_EQ(Drain(spool.get()),
            (std::vector<std::string>{"line 0", "line 1", "line 2", "line 3",
                                      "line 4"}));
}

TEST_F(SpoolRecoveryTest, FlippedByteDropsOneRecordAndReportsIt) {
  {
    auto spool = Open();
    for (uint64_t i = 0; i < 20; ++i)
      ASSERT_TRUE(spool->Append(Line(i), Position{"f", i + 1}).ok());
  }
  const Frame victim = FramesOfType(1, EntryType::kRecord)[7];
  Flip(1, victim.offset + kFrameHeaderBytes + 3);
  RecoveryReport report;
  auto spool = Open(&report);
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.records, 19u);
  EXPECT_EQ(report.records_dropped, 1u);
  EXPECT_EQ(report.damaged_regions, 1u);
  EXPECT_EQ(report.bytes_dropped, victim.end - victim.offset);
  EXPECT_EQ(report.damaged_segments,
            std::vector<std::string>{"segment-00000000000000000001.log"});
  EXPECT_TRUE(absl::StrContains(report.ToString(), "1 record(s) lost"))
      << report.ToString();
  EXPECT_EQ(spool->counters().records_dropped, 1u);
  std::vector<std::string> lines = Drain(spool.get());
  ASSERT_EQ(lines.size(), 19u);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "line 7"), 0);
  EXPECT_EQ(lines.back(), "line 19");
}

TEST_F(SpoolRecoveryTest, DamagedBatchEntryRebatchesUnderAFreshSequence) {
  uint64_t sent_sequence;
  {
    auto spool = Open();
    for (uint64_t i = 0; i < 10; ++i)
      ASSERT_TRUE(spool->Append(Line(i), std::nullopt).ok());
    sent_sequence = (*spool->NextBatch(4, 1 << 20))->sequence();
    ASSERT_TRUE(spool->Append(Line(10), std::nullopt).ok());
  }
  Flip(1, FramesOfType(1, EntryType::kBatch)[0].offset + kFrameHeaderBytes);
  RecoveryReport report;
  auto spool = Open(&report);
  EXPECT_EQ(report.records_dropped, 0u);
  EXPECT_EQ(report.damaged_regions, 1u);
  auto batch = spool->NextBatch(4, 1 << 20);
  // The lost batch may have been sent: its sequence must not be reused.
  EXPECT_GT((*batch)->sequence(), sent_sequence);
  EXPECT_EQ((*batch)->records_size(), 4);
  ASSERT_TRUE(spool->Ack((*batch)->sequence()).ok());
  auto rest = Drain(spool.get());
  EXPECT_EQ(rest.size(), 7u);
  EXPECT_EQ(rest.front(), "line 4");
}

TEST_F(SpoolRecoveryTest, LostHeadersGiveANewEpochAndKeepTheRecords) {
  uint64_t epoch;
  {
    auto spool = Open();
    epoch = spool->epoch();
    for (uint64_t i = 0; i < 3; ++i)
      ASSERT_TRUE(spool->Append(Line(i), std::nullopt).ok());
  }
  Flip(1, 2);
  RecoveryReport report;
  auto spool = Open(&report);
  EXPECT_TRUE(report.epoch_reset);
  EXPECT_NE(spool->epoch(), epoch);
  EXPECT_EQ(Drain(spool.get()).size(), 3u);
}

TEST_F(SpoolRecoveryTest, GarbageEverywhereStillOpens) {
  fs_.SetContents(Segment(3), std::string(10000, '\x5a'));
  fs_.SetContents(Segment(4), "");
  ASSERT_TRUE(fs_.CreateDir("spool").ok());
  RecoveryReport report;
  auto spool = Open(&report);
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(report.segments, 2);
  EXPECT_TRUE(spool->Append(Line(1), std::nullopt).ok());
  EXPECT_EQ(Drain(spool.get()).size(), 1u);
}

// The whole pipeline against power loss at random moments: a log of
// numbered lines is tailed into the spool (resuming where the spool says),
// batches go to a model server that dedups by (epoch, sequence), and the
// file system loses a random part of everything not yet synced.
class CrashTest : public SpoolRecoveryTest,
                  public ::testing::WithParamInterface<FsyncPolicy> {
 protected:
  struct Server {
    std::map<std::pair<uint64_t, uint64_t>, std::set<std::string>> batches;
    std::map<std::string, int> stored;
    // Returns false on a violation.
    void Receive(const v1::IngestRequest& batch) {
      std::set<std::string> lines;
      for (const auto& r : batch.records()) lines.insert(r.log().raw_line());
      auto key = std::make_pair(batch.epoch(), batch.sequence());
      auto it = batches.find(key);
      if (it != batches.end()) {
        for (const auto& l : lines) {
          EXPECT_TRUE(it->second.count(l))
              << "batch " << key.second << " changed: " << l;
        }
        return;
      }
      batches[key] = lines;
      for (const auto& l : lines)
        EXPECT_EQ(++stored[l], 1) << l << " stored twice";
    }
  };
  void RunOnce(uint64_t seed);
};

TEST_P(CrashTest, EveryLineStoredExactlyOnce) {
  options_.fsync = GetParam();
  options_.max_bytes = 32 << 10;
  options_.segment_bytes = 2 << 10;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    dir_ = absl::StrCat("spool-", seed);
    RunOnce(seed);
    if (HasFailure()) return;
  }
}

void CrashTest::RunOnce(uint64_t seed) {
  std::mt19937_64 gen(seed);
  Server server;
  uint64_t total_lines = 0;
  std::set<uint64_t> acked;
  auto spool = Open();
  uint64_t next_line = 0;
  for (int step = 0; step < 3000; ++step) {
    const int op = absl::Uniform(gen, 0, 10);
    if (op < 5) {
      for (int k = absl::Uniform(gen, 1, 8); k > 0; --k) {
        if (!spool->Append(Line(next_line), Position{"f", next_line + 1}).ok())
          break;
        ++next_line;
      }
      total_lines = std::max(total_lines, next_line);
    } else if (op < 9) {
      auto batch = spool->NextBatch(absl::Uniform(gen, 1, 20), 1 << 20);
      ASSERT_TRUE(batch.ok()) << batch.status();
      if (!batch->has_value()) continue;
      if (GetParam() == FsyncPolicy::kAlways) {
        EXPECT_FALSE(acked.count((*batch)->sequence()))
            << "acked batch came back";
      }
      server.Receive(**batch);
      if (absl::Bernoulli(gen, 0.8)) {
        ASSERT_TRUE(spool->Ack((*batch)->sequence()).ok());
        acked.insert((*batch)->sequence());
      }
    } else {
      spool.reset();
      fs_.LoseUnsyncedTail(
          [&](size_t n) { return absl::Uniform<size_t>(gen, 0, n + 1); });
      RecoveryReport report;
      spool = Open(&report);
      ASSERT_NE(spool, nullptr);
      EXPECT_EQ(report.records_dropped, 0u) << report.ToString();
      auto positions = spool->ResumePositions();
      next_line = positions.count("f") ? positions["f"] : 0;
    }
  }
  // Finish: read the rest of the log and deliver everything.
  while (next_line < total_lines) {
    ASSERT_TRUE(
        spool->Append(Line(next_line), Position{"f", next_line + 1}).ok());
    ++next_line;
    if (next_line % 100 == 0 || next_line == total_lines) {
      for (;;) {
        auto batch = spool->NextBatch(50, 1 << 20);
        ASSERT_TRUE(batch.ok());
        if (!batch->has_value()) break;
        server.Receive(**batch);
        ASSERT_TRUE(spool->Ack((*batch)->sequence()).ok());
      }
    }
  }
  for (;;) {
    auto batch = spool->NextBatch(50, 1 << 20);
    if (!batch->has_value()) break;
    server.Receive(**batch);
    ASSERT_TRUE(spool->Ack((*batch)->sequence()).ok());
  }
  ASSERT_GT(total_lines, 1000u);
  EXPECT_EQ(server.stored.size(), total_lines);
  for (uint64_t i = 0; i < total_lines; ++i) {
    EXPECT_EQ(server.stored[absl::StrCat("line ", i)], 1) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, CrashTest,
                         ::testing::Values(FsyncPolicy::kBatches,
                                           FsyncPolicy::kAlways));

}  // namespace
}  // namespace natscope::ingest
