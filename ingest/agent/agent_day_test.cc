// A day in the life of the agent, in simulated time: the real units
// (reader, status writer, probe loop, delivery driver, enrollment retry,
// spool, log watcher, parser) wired by RunAgent as in production, with a
// fake server, prober and network, all on one SimClock. The test moves the
// clock from one wake-up of the agent's three threads to the next
// (SimClock::AdvanceToNextWake), so 24 hours take well under a second.
//
// What happens: enrollment fails twice (server unreachable), then works;
// the product logs a line every 2 minutes; probes run every 5 minutes; the
// network changes once, 2 minutes after a probe; the server is down from
// 14:00 to 17:00, and the first batch sent in the outage is committed but
// its answer lost (so the agent sends it again after the outage).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/sim_clock.h"
#include "gtest/gtest.h"
#include "ingest/agent/runner.h"
#include "ingest/config/config.h"
#include "ingest/netwatch/fake_network_changes.h"
#include "ingest/spool/mem_spool_fs.h"
#include "ingest/spool/spool.h"

namespace natscope::ingest {
namespace {

constexpr char kSecret[] = "secret-day";
const absl::Duration kOutageStart = absl::Hours(14);
const absl::Duration kOutageEnd = absl::Hours(17);

// What makes a record unique: its log line, or its probe's time.
std::string KeyOf(const v1::Record& record) {
  if (record.has_probe()) {
    return absl::StrCat("probe@", record.probe().time().seconds());
  }
  return record.log().raw_line();
}

// natscope-server as the agent sees it: checks the credential, stores
// each (epoch, sequence) once and answers a repeat as a duplicate; down
// (UNAVAILABLE) in [outage_start, outage_end), where the first batch is
// committed but its answer lost.
class FakeServer final : public IngestTransport {
 public:
  FakeServer(const Clock& clock, absl::Time outage_start, absl::Time outage_end)
      : clock_(clock), outage_start_(outage_start), outage_end_(outage_end) {}

  absl::StatusOr<v1::IngestResponse> Ingest(
      const v1::IngestRequest& batch) override {
    const absl::Time now = clock_.Now();
    absl::MutexLock lock(&mu_);
    calls_.push_back(now);
    if (credential_ != kSecret)
      return absl::UnauthenticatedError("who are you?");
    const bool down = now >= outage_start_ && now < outage_end_;
    if (down && lost_answer_) return absl::UnavailableError("server down");
    v1::IngestResponse response;
    response.set_sequence(batch.sequence());
    const auto key = std::make_pair(batch.epoch(), batch.sequence());
    if (batches_.count(key) > 0) {
      response.set_duplicate(true);
    } else {
      batches_[key] = batch.records_size();
      for (const v1::Record& record : batch.records()) ++stored_[KeyOf(record)];
    }
    if (down) {
      lost_answer_ = true;
      return absl::UnavailableError("server down");
    }
    return response;
  }
  void set_credential(const std::string& secret) {
    absl::MutexLock lock(&mu_);
    credential_ = secret;
  }
  std::vector<absl::Time> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::map<std::string, int> stored() const {
    absl::MutexLock lock(&mu_);
    return stored_;
  }

 private:
  const Clock& clock_;
  const absl::Time outage_start_, outage_end_;
  mutable absl::Mutex mu_;
  std::string credential_ ABSL_GUARDED_BY(mu_);
  bool lost_answer_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<absl::Time> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<uint64_t, uint64_t>, int> batches_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> stored_ ABSL_GUARDED_BY(mu_);
};

// The prober: an instant report stamped with the probe's time. The first
// probe after `change_after` schedules a network change 2 minutes later.
class FakeProber {
 public:
  FakeProber(const Clock& clock, FakeNetworkChanges* network,
             absl::Time change_after)
      : clock_(clock), network_(network), change_after_(change_after) {}

  absl::StatusOr<v1::ProbeReport> Probe() {
    const absl::Time now = clock_.Now();
    absl::MutexLock lock(&mu_);
    times_.push_back(now);
    if (change_ == absl::InfiniteFuture() && now >= change_after_) {
      change_ = now + absl::Minutes(2);
      network_->ChangeAt(change_);
    }
    v1::ProbeReport report;
    report.mutable_time()->set_seconds(absl::ToUnixSeconds(now));
    return report;
  }
  std::vector<absl::Time> times() const {
    absl::MutexLock lock(&mu_);
    return times_;
  }
  absl::Time change() const {
    absl::MutexLock lock(&mu_);
    return change_;
  }

 private:
  const Clock& clock_;
  FakeNetworkChanges* const network_;
  const absl::Time change_after_;
  mutable absl::Mutex mu_;
  std::vector<absl::Time> times_ ABSL_GUARDED_BY(mu_);
  absl::Time change_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
};

class AgentDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(getenv("TEST_TMPDIR"), "/day");
    ASSERT_EQ(std::system(
                  absl::StrCat("rm -rf ", dir_, " && mkdir -p ", dir_).c_str()),
              0);
    log_path_ = dir_ + "/client.log";
    auto config = ParseConfig(absl::StrCat(R"(
          server: "natscope.example:8443"
          tls { plaintext: true }
          state_dir: ")",
                                           dir_, R"(/state"
          identity { agent_id: "laptop-1" site: "paris" role: ROLE_CLIENT }
          logs { path: ")",
                                           log_path_, R"(" from_start: true }
          probe { stun_servers: "stun.example:3478" interval: "5m" }
          status_interval: "30s"
          poll_interval: "10s"
        )"),
                              "day.conf", "laptop",
                              [](const std::string&) { return "00000000"; });
    ASSERT_TRUE(config.ok()) << config.status();
    options_.config = *config;
  }

  // Moves the clock to `t`, waking the agent's threads at each of their
  // deadlines on the way; returns with all three asleep.
  void RunUntil(absl::Time t) {
    while (clock_.Now() < t) ASSERT_TRUE(clock_.AdvanceToNextWake(3, t));
  }
  // The product writes a line (unique: it carries the time).
  void WriteLogLine() {
    const std::string line =
        absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", clock_.Now(),
                                      absl::UTCTimeZone()),
                     " [INFO] [libsdwan] stun_nat_type: endpoint-independent");
    std::ofstream(log_path_, std::ios::app) << line << "\n";
    written_.push_back(line);
  }
  // Record keys still in the spool once the agent stopped.
  std::vector<std::string> LeftInSpool() {
    SpoolOptions spool_options;
    spool_options.fs = &fs_;
    auto spool = Spool::Open(dir_ + "/state/spool", spool_options);
    EXPECT_TRUE(spool.ok()) << spool.status();
    std::vector<std::string> keys;
    while (spool.ok()) {
      auto batch = (*spool)->NextBatch(10000, 64 << 20);
      if (!batch.ok() || !batch->has_value()) break;
      for (const v1::Record& r : (*batch)->records()) keys.push_back(KeyOf(r));
      EXPECT_TRUE((*spool)->Ack((*batch)->sequence()).ok());
    }
    return keys;
  }

  SimClock clock_;
  const absl::Time start_ = clock_.Now();
  std::string dir_, log_path_;
  RunnerOptions options_;
  MemSpoolFs fs_;
  std::vector<std::string> written_;
};

// Probes: the first at once, then every 5 min +-10 %, except that the
// network change brings one forward to 5 s after it.
void CheckProbes(const std::vector<absl::Time>& probes, absl::Time start,
                 absl::Time change) {
  ASSERT_GE(probes.size(), 2u);
  EXPECT_EQ(probes[0], start);
  int early = 0;
  for (size_t i = 1; i < probes.size(); ++i) {
    const absl::Duration gap = probes[i] - probes[i - 1];
    if (probes[i - 1] < change && probes[i] > change) {
      EXPECT_EQ(probes[i], change + absl::Seconds(5));
      ++early;
      continue;
    }
    EXPECT_GE(gap, absl::Seconds(270)) << "probe " << i;
    EXPECT_LE(gap, absl::Seconds(330)) << "probe " << i;
  }
  EXPECT_EQ(early, 1);
  EXPECT_GE(probes.size(), 24u * 3600 / 330);
  EXPECT_LE(probes.size(), 24u * 3600 / 270 + 2);
}

// Calls in the outage: each wait at least the one before while the backoff
// doubles (0.5 s to 16 s), then 15 to 30 s (the 30 s cap, jittered);
// about 3 h / 22 s of them, and the first one after the outage succeeds.
void CheckOutage(const std::vector<absl::Time>& calls, absl::Time from,
                 absl::Time to) {
  // The calls in the outage, and the first one after it.
  std::vector<absl::Time> in;
  for (absl::Time t : calls) {
    if (t < from) continue;
    in.push_back(t);
    if (t >= to) break;
  }
  ASSERT_GT(in.size(), 10u);
  EXPECT_LT(in.front(), from + absl::Minutes(3));  // A record comes soon.
  for (size_t i = 1; i < in.size(); ++i) {
    const absl::Duration gap = in[i] - in[i - 1];
    EXPECT_LE(gap, absl::Seconds(30)) << "call " << i;
    if (i < 7) {
      EXPECT_GE(gap, in[i - 1] - (i >= 2 ? in[i - 2] : in[i - 1]))
          << "call " << i;
    } else {
      EXPECT_GE(gap, absl::Seconds(15)) << "call " << i;
    }
  }
  EXPECT_GE(in.size(), 3u * 3600 / 30);
  EXPECT_LE(in.size(), 3u * 3600 / 15 + 8);
  EXPECT_GE(in.back(), to);
}

TEST_F(AgentDayTest, TwentyFourHoursOfProbesOutageAndExactlyOnceDelivery) {
  FakeServer server(clock_, start_ + kOutageStart, start_ + kOutageEnd);
  FakeNetworkChanges network;
  FakeProber prober(clock_, &network, start_ + absl::Hours(10));
  std::vector<absl::Time> statuses;
  v1::AgentStatus last_status;
  int enroll_attempts = 0;

  AgentParts parts;
  parts.clock = &clock_;
  parts.transport = &server;
  parts.set_credential = [&](const std::string& s) {
    server.set_credential(s);
  };
  parts.enroll =
      [&](const std::string&) -> absl::StatusOr<v1::AgentCredential> {
    if (++enroll_attempts <= 2)
      return absl::UnavailableError("connection refused");
    v1::AgentCredential credential;
    credential.set_agent_id("laptop-1");
    credential.set_site("paris");
    credential.set_secret(kSecret);
    return credential;
  };
  parts.probe = [&prober] { return prober.Probe(); };
  parts.network = &network;
  parts.spool_fs = &fs_;
  parts.write_status = [&](const v1::AgentStatus& status) {
    statuses.push_back(absl::FromUnixSeconds(status.written_at().seconds()));
    last_status = status;
    return absl::OkStatus();
  };

  const absl::Time real_start = absl::Now();
  std::atomic<bool> stop{false}, done{false};
  absl::Status result;
  std::thread agent([&] {
    result = RunAgent(options_, parts, &stop);
    done = true;
  });
  // The product logs a line every 2 minutes, off the agent's 10 s grid.
  // The day ends 5 s past 24 h, so no tick of the agent falls on it.
  const absl::Time end = start_ + absl::Hours(24) + absl::Seconds(5);
  for (absl::Time line = start_ + absl::Seconds(65); line < end;
       line += absl::Minutes(2)) {
    RunUntil(line);
    WriteLogLine();
  }
  RunUntil(end);
  const absl::Duration simulated = absl::Now() - real_start;
  stop = true;
  while (!done.load()) {
    clock_.Advance(absl::ZeroDuration());  // Sleepers re-check their flags.
    absl::SleepFor(absl::Milliseconds(1));
  }
  agent.join();
  const absl::Duration real = absl::Now() - real_start;
  // Reported, never asserted: the real time depends on the machine.
  RecordProperty("real_ms", static_cast<int>(absl::ToInt64Milliseconds(real)));
  LogEvent(
      LogLevel::kInfo, "simulated day done",
      {{"day_real_ms", absl::StrCat(absl::ToInt64Milliseconds(simulated))},
       {"with_shutdown_ms", absl::StrCat(absl::ToInt64Milliseconds(real))}});
  ASSERT_TRUE(result.ok()) << result;

  EXPECT_EQ(enroll_attempts, 3);
  CheckProbes(prober.times(), start_, prober.change());
  CheckOutage(server.calls(), start_ + kOutageStart, start_ + kOutageEnd);

  // Exactly once: every line written and every probe taken is stored by
  // the server once, or (produced just before the end) still in the spool;
  // nothing else is stored, nothing twice.
  std::multiset<std::string> produced(written_.begin(), written_.end());
  for (absl::Time t : prober.times()) {
    produced.insert(absl::StrCat("probe@", absl::ToUnixSeconds(t)));
  }
  std::multiset<std::string> delivered;
  for (const auto& [key, count] : server.stored()) {
    EXPECT_EQ(count, 1) << key;
    delivered.insert(key);
  }
  const std::vector<std::string> left = LeftInSpool();
  EXPECT_LE(left.size(), 2u);
  std::multiset<std::string> accounted = delivered;
  accounted.insert(left.begin(), left.end());
  EXPECT_EQ(accounted, produced);

  // The status file: every 30 s from the start, then once more on exit.
  ASSERT_GE(statuses.size(), 2u);
  for (size_t i = 1; i + 1 < statuses.size(); ++i) {
    EXPECT_EQ(statuses[i] - statuses[i - 1], absl::Seconds(30))
        << "status " << i;
  }
  EXPECT_EQ(statuses.front(), start_);
  EXPECT_EQ(statuses.size(), 24u * 120 + 1 + 1);
  EXPECT_EQ(statuses.back(), end);
  EXPECT_EQ(last_status.enrolled_agent_id(), "laptop-1");
  EXPECT_EQ(last_status.counters().probes(), prober.times().size());
  EXPECT_EQ(last_status.counters().records_shipped(), delivered.size());
  EXPECT_GE(last_status.counters().retries(), 3u * 3600 / 30);
  EXPECT_EQ(last_status.counters().lines_read(), written_.size());
}

}  // namespace
}  // namespace natscope::ingest
