// The spool on a failing disk, and on the real file system.
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ingest/spool/mem_spool_fs.h"
#include "ingest/spool/spool.h"
#include "ingest/spool/spool_fs.h"

namespace natscope::ingest {
namespace {

v1::Record Line(int i) {
  v1::Record record;
  record.mutable_log()->set_raw_line(absl::StrCat("line ", i));
  return record;
}

TEST(SpoolFaultTest, DiskFullIsAClearResourceExhaustedAndLeavesNoDebris) {
  MemSpoolFs fs;
  SpoolOptions options;
  options.fs = &fs;
  auto spool = Spool::Open("/var/spool/natscope", options);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->Append(Line(0), Position{"f", 1}).ok());
  const uint64_t used = (*spool)->counters().bytes;
  fs.SetCapacity(used + 10);  // the next record does not fit
  absl::Status status = (*spool)->Append(Line(1), Position{"f", 2});
  EXPECT_TRUE(absl::IsResourceExhausted(status)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "/var/spool/natscope"))
      << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "disk full")) << status;
  EXPECT_EQ((*spool)->counters().bytes, used);
  EXPECT_EQ((*spool)->counters().full, 1u);
  EXPECT_EQ((*spool)->ResumePositions().at("f"), 1u)
      << "the failed line is read again";

  fs.SetCapacity(~uint64_t{0});  // space freed
  ASSERT_TRUE((*spool)->Append(Line(1), Position{"f", 2}).ok());
  spool->reset();
  RecoveryReport report;
  auto reopened = Spool::Open("/var/spool/natscope", options, &report);
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE(report.ok()) << report.ToString();
  EXPECT_EQ(report.torn_tail_bytes, 0u);
  auto batch = (*reopened)->NextBatch(10, 1 << 20);
  EXPECT_EQ((*batch)->records_size(), 2);
}

TEST(SpoolFaultTest, FailedBatchWriteHandsOutNothing) {
  MemSpoolFs fs;
  SpoolOptions options;
  options.fs = &fs;
  auto spool = Spool::Open("s", options);
  ASSERT_TRUE((*spool)->Append(Line(0), std::nullopt).ok());
  fs.FailAppends(absl::InternalError("cannot write s/x: Input/output error"));
  auto batch = (*spool)->NextBatch(10, 1 << 20);
  EXPECT_TRUE(absl::IsInternal(batch.status())) << batch.status();
  EXPECT_TRUE(absl::StartsWith(batch.status().message(), "spool s: "))
      << batch.status();
  EXPECT_TRUE(absl::IsInternal((*spool)->Append(Line(1), std::nullopt)));
  fs.FailAppends(absl::OkStatus());
  batch = (*spool)->NextBatch(10, 1 << 20);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ((*batch)->sequence(), 1u);
  EXPECT_EQ((*batch)->records_size(), 1);
}

TEST(SpoolFaultTest, FullDiskAtOpenFailsWithTheDirectory) {
  MemSpoolFs fs;
  fs.SetCapacity(0);
  SpoolOptions options;
  options.fs = &fs;
  auto spool = Spool::Open("spooldir", options);
  EXPECT_TRUE(absl::IsResourceExhausted(spool.status())) << spool.status();
  EXPECT_TRUE(absl::StrContains(spool.status().message(), "spool spooldir"))
      << spool.status();
  EXPECT_TRUE(fs.Files().empty()) << "no half-made segment left behind";
}

TEST(SpoolFaultTest, RealFileSystemRoundTrip) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/spool-posix");
  std::string sent;
  {
    auto spool = Spool::Open(dir, SpoolOptions());
    ASSERT_TRUE(spool.ok()) << spool.status();
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(
          (*spool)->Append(Line(i), Position{"f", uint64_t(i + 1)}).ok());
    }
    sent = (*(*spool)->NextBatch(60, 1 << 20))->SerializeAsString();
    ASSERT_TRUE((*spool)
                    ->DeadLetter(*(*(*spool)->NextBatch(60, 1 << 20)), "test")
                    .ok());
  }
  RecoveryReport report;
  auto spool = Spool::Open(dir, SpoolOptions(), &report);
  ASSERT_TRUE(spool.ok()) << spool.status();
  EXPECT_TRUE(report.ok()) << report.ToString();
  EXPECT_EQ((*spool)->ResumePositions().at("f"), 100u);
  auto batch = (*spool)->NextBatch(60, 1 << 20);
  EXPECT_EQ((*batch)->records_size(), 40);  // batch 1 was dead-lettered
  auto size = PosixSpoolFs()->FileSize(dir + "/dead-letter.jsonl");
  ASSERT_TRUE(size.ok());
  EXPECT_GT(*size, 1000u);
}

}  // namespace
}  // namespace natscope::ingest
