#include "ingest/enroll/host_enroll.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "ingest/config/config.h"
#include "ingest/enroll/credential.h"
#include "ingest/state/atomic_file.h"
#include "natscope/v1/agent.grpc.pb.h"

namespace natscope::ingest {
namespace {

class CountingService final : public v1::AgentService::Service {
 public:
  int enrollments = 0;

 private:
  grpc::Status Enroll(grpc::ServerContext*, const v1::EnrollRequest* request,
                      v1::EnrollResponse* response) override {
    if (request->enrollment_token() != "t0ken") {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "bad token");
    }
    ++enrollments;
    response->set_agent_id(request->identity().agent_id());
    response->set_credential("issued-" + request->identity().site());
    return grpc::Status::OK;
  }
};

// Records the commands; `systemctl is-*` answer is_state, others 0.
struct FakeSystem {
  std::vector<std::string> commands;
  int is_state = 1;  // is-enabled / is-active: 1 means no.
  HostSystem Get(bool systemd) {
    HostSystem system;
    system.systemd_running = systemd;
    system.run = [this](const std::vector<std::string>& argv) {
      commands.push_back(absl::StrJoin(argv, " "));
      return argv[1].rfind("is-", 0) == 0 ? is_state : 0;
    };
    return system;
  }
};

class HostEnrollTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    base_ = std::string(tmp ? tmp : "/tmp") + "/host_enroll_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override { server_->Shutdown(); }

  HostEnrollOptions Options() {
    HostEnrollOptions o;
    o.server = absl::StrCat("127.0.0.1:", port_);
    o.site = "lab";
    o.plaintext = true;
    o.config_path = base_ + "/etc/agent.textproto";
    o.state_dir = base_ + "/state";
    o.logs = {"/var/log/product/*.log"};
    o.token = "t0ken";
    o.agent_user = "no-such-user-here";
    o.version = "0.1.0";
    return o;
  }

  std::string base_;
  CountingService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(HostEnrollTest, WritesConfigEnrollsAndARerunChangesNothing) {
  FakeSystem fake;
  std::ostringstream first;
  absl::Status s = EnrollHost(Options(), fake.Get(false), first);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_NE(first.str().find("config: wrote " + base_ + "/etc/agent.textproto"),
            std::string::npos) << first.str();
  EXPECT_NE(first.str().find("systemd is not running"), std::string::npos);
  EXPECT_NE(first.str().find("done: this host is set up"), std::string::npos);
  struct stat st;
  ASSERT_EQ(stat((base_ + "/etc/agent.textproto").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640);
  auto config = LoadConfig(base_ + "/etc/agent.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->identity().site(), "lab");
  EXPECT_EQ(config->logs(0).path(), "/var/log/product/*.log");
  EXPECT_EQ(config->probe().stun_servers(0), "127.0.0.1:3478");
  EXPECT_EQ(*LoadCredential(base_ + "/state"), "issued-lab");

  std::ostringstream second;
  ASSERT_TRUE(EnrollHost(Options(), fake.Get(false), second).ok());
  EXPECT_EQ(service_.enrollments, 1);
  EXPECT_NE(second.str().find("unchanged"), std::string::npos);
  EXPECT_NE(second.str().find("already enrolled as"), std::string::npos);
  EXPECT_NE(second.str().find("nothing changed"), std::string::npos)
      << second.str();
  EXPECT_TRUE(fake.commands.empty());
}

TEST_F(HostEnrollTest, DifferentConfigNeedsForceAndKeepsTheOldOne) {
  FakeSystem fake;
  std::ostringstream out;
  ASSERT_TRUE(EnrollHost(Options(), fake.Get(false), out).ok());
  HostEnrollOptions other = Options();
  other.site = "other-site";
  absl::Status refused = EnrollHost(other, fake.Get(false), out);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("rerun with --force"), std::string::npos);
  other.force = true;
  ASSERT_TRUE(EnrollHost(other, fake.Get(false), out).ok());
  EXPECT_EQ(service_.enrollments, 2);
  EXPECT_NE(ReadWholeFile(base_ + "/etc/agent.textproto.old")->find("\"lab\""),
            std::string::npos);
}

TEST_F(HostEnrollTest, BadFlagsWriteNothing) {
  FakeSystem fake;
  std::ostringstream out;
  HostEnrollOptions o = Options();
  o.site = "";
  EXPECT_NE(EnrollHost(o, fake.Get(false), out).message().find("--site=SITE"),
            std::string::npos);
  o = Options();
  o.token = "";
  o.token_file = base_ + "/missing-token";
  EXPECT_FALSE(EnrollHost(o, fake.Get(false), out).ok());
  o = Options();
  o.plaintext = false;
  EXPECT_NE(EnrollHost(o, fake.Get(false), out).message().find("--ca_file=FILE"),
            std::string::npos);
  o.ca_file = base_ + "-not-pem";
  std::ofstream(o.ca_file) << "hello\n";
  EXPECT_NE(EnrollHost(o, fake.Get(false), out).message().find("no PEM"),
            std::string::npos);
  o = Options();
  o.agent_user_given = true;
  EXPECT_NE(EnrollHost(o, fake.Get(false), out).message().find("--agent_user"),
            std::string::npos);
  struct stat st;
  EXPECT_NE(stat((base_ + "/etc/agent.textproto").c_str(), &st), 0);
  EXPECT_EQ(service_.enrollments, 0);
}

TEST_F(HostEnrollTest, EnablesTheUnitThenLeavesItRunning) {
  FakeSystem fake;
  std::ostringstream out;
  ASSERT_TRUE(EnrollHost(Options(), fake.Get(true), out).ok());
  EXPECT_EQ(fake.commands.back(), "systemctl enable --now natscope-agent");
  fake.commands.clear();
  fake.is_state = 0;  // Now enabled and active.
  std::ostringstream again;
  ASSERT_TRUE(EnrollHost(Options(), fake.Get(true), again).ok());
  EXPECT_EQ(fake.commands.size(), 2u);  // The two questions, no change.
  EXPECT_NE(again.str().find("already enabled and running"), std::string::npos);
  EXPECT_NE(again.str().find("nothing changed"), std::string::npos);
}

TEST_F(HostEnrollTest, NoEnableSaysHowToStart) {
  FakeSystem fake;
  HostEnrollOptions o = Options();
  o.enable = false;
  std::ostringstream out;
  ASSERT_TRUE(EnrollHost(o, fake.Get(true), out).ok());
  EXPECT_TRUE(fake.commands.empty());
  EXPECT_NE(out.str().find("--no_enable"), std::string::npos);
}

}  // namespace
}  // namespace natscope::ingest
