#include "ingest/state/agent_status.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
}

v1::AgentStatus SampleStatus(absl::Time written) {
  v1::AgentStatus s;
  SetTime(written, s.mutable_written_at());
  SetTime(written - absl::Hours(2), s.mutable_started_at());
  s.set_interval_seconds(10);
  s.set_pid(4242);
  s.set_version("0.1.0");
  s.set_server("natscope.example.com:7700");
  s.set_enrolled_agent_id("host-1");
  s.mutable_identity()->set_agent_id("host-1");
  s.mutable_identity()->set_site("paris-office");
  s.mutable_identity()->set_role(v1::ROLE_CONNECTOR);
  v1::AgentCounters* c = s.mutable_counters();
  c->set_lines_read(1000);
  c->set_records_shipped(12);
  c->set_spool_bytes(1 << 20);
  c->set_spool_capacity_bytes(256 << 20);
  c->set_dead_letters(1);
  s.mutable_last_ack()->set_epoch(77);
  s.mutable_last_ack()->set_sequence(5);
  s.mutable_last_ack()->set_records(3);
  SetTime(written - absl::Seconds(3), s.mutable_last_ack()->mutable_time());
  s.mutable_last_error()->set_message("cannot reach natscope-server at x:7700");
  SetTime(written - absl::Minutes(5), s.mutable_last_error()->mutable_time());
  v1::FilePosition* f = s.add_files();
  f->set_path("/var/log/product/connector.log");
  f->set_read_offset(5000);
  f->set_acked_offset(4000);
  f->set_size(5100);
  return s;
}

class AgentStatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/status_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    mkdir(dir_.c_str(), 0700);
  }
  std::string dir_;
};

TEST_F(AgentStatusTest, WrittenStatusReadsBackEqual) {
  const v1::AgentStatus written = SampleStatus(kNow);
  ASSERT_TRUE(WriteStatus(dir_, written).ok());
  auto read = ReadStatus(dir_);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), written.SerializeAsString());
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/status.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(AgentStatusTest, FreshStatusIsRunningWithSummary) {
  ASSERT_TRUE(WriteStatus(dir_, SampleStatus(kNow - absl::Seconds(4))).ok());
  std::ostringstream out;
  EXPECT_EQ(RunStatusCommand(dir_, false, kNow, out), kStatusRunning);
  const std::string text = out.str();
  EXPECT_NE(text.find("natscope-agent is running (pid 4242"), std::string::npos)
      << text;
  EXPECT_NE(text.find("host-1 (site paris-office, connector)"),
            std::string::npos);
  EXPECT_NE(text.find("yes, as host-1"), std::string::npos);
  EXPECT_NE(text.find("batch 5 of epoch 77 (3 records), 7s ago"),
            std::string::npos);
  EXPECT_NE(text.find("cannot reach natscope-server"), std::string::npos);
  EXPECT_NE(text.find("1.0 MiB of 256.0 MiB (0.4%)"), std::string::npos);
  EXPECT_NE(text.find("1 dead letters"), std::string::npos);
  EXPECT_NE(
      text.find(
          "/var/log/product/connector.log: read 5000 of 5100 bytes, acknowledged 4000"),
      std::string::npos);
}

TEST_F(AgentStatusTest, OldStatusIsStale) {
  ASSERT_TRUE(WriteStatus(dir_, SampleStatus(kNow - absl::Minutes(10))).ok());
  std::ostringstream out;
  EXPECT_EQ(RunStatusCommand(dir_, false, kNow, out), kStatusStale);
  EXPECT_NE(out.str().find("NOT RUNNING"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("last written 10m ago, expected every 10s"),
            std::string::npos);
  EXPECT_NE(out.str().find("systemctl status natscope-agent"),
            std::string::npos);
}

TEST_F(AgentStatusTest, StalenessNeedsThreeIntervalsAndAtLeast30Seconds) {
  v1::AgentStatus s = SampleStatus(kNow - absl::Seconds(29));
  s.set_interval_seconds(1);
  EXPECT_FALSE(IsStale(s, kNow));
  SetTime(kNow - absl::Seconds(31), s.mutable_written_at());
  EXPECT_TRUE(IsStale(s, kNow));
  s.set_interval_seconds(60);
  EXPECT_FALSE(IsStale(s, kNow));
}

TEST_F(AgentStatusTest, MissingStatusSaysSoAndWhatToDo) {
  std::ostringstream out;
  EXPECT_EQ(RunStatusCommand(dir_ + "/nowhere", false, kNow, out),
            kStatusUnreadable);
  EXPECT_NE(out.str().find("has no status in " + dir_ + "/nowhere/status.json"),
            std::string::npos);
  EXPECT_NE(out.str().find("systemctl start natscope-agent"),
            std::string::npos);
  std::ostringstream json;
  EXPECT_EQ(RunStatusCommand(dir_ + "/nowhere", true, kNow, json),
            kStatusUnreadable);
  EXPECT_NE(json.str().find("\"state\": \"missing\""), std::string::npos);
}

TEST_F(AgentStatusTest, CorruptStatusIsUnreadable) {
  std::ofstream(dir_ + "/status.json") << "{not json";
  std::ostringstream out;
  EXPECT_EQ(RunStatusCommand(dir_, false, kNow, out), kStatusUnreadable);
  EXPECT_NE(out.str().find("is not a status file"), std::string::npos);
}

TEST_F(AgentStatusTest, JsonCarriesStateAgeAndStatus) {
  ASSERT_TRUE(WriteStatus(dir_, SampleStatus(kNow - absl::Seconds(2))).ok());
  std::ostringstream out;
  EXPECT_EQ(RunStatusCommand(dir_, true, kNow, out), kStatusRunning);
  EXPECT_NE(out.str().find("{\"state\": \"running\", \"age_seconds\": 2.0"),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("\"records_shipped\":\"12\""), std::string::npos);
  EXPECT_NE(out.str().find("\"enrolled_agent_id\":\"host-1\""),
            std::string::npos);
}

TEST(AgentStatusFormatTest, SaysWhereTheSiteCameFrom) {
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  v1::AgentStatus s = SampleStatus(now);
  EXPECT_EQ(FormatStatus(s, now).find("identity:"), std::string::npos);
  s.set_identity_source("site from NATSCOPE_SITE, role from config");
  EXPECT_NE(FormatStatus(s, now).find(
                "\n  identity:    site from NATSCOPE_SITE, role from config\n"),
            std::string::npos);
}

}  // namespace
}  // namespace natscope::ingest
