#include "ingest/config/config.h"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

constexpr char kMinimal[] = R"pb(
  server: "natscope.example.com:7700"
  tls { ca_file: "/etc/natscope/ca.pem" }
  identity { site: "paris-office" role: ROLE_CLIENT }
)pb";

absl::StatusOr<v1::AgentConfig> Parse(const std::string& text) {
  return ParseConfig(text, "/etc/natscope/agent.textproto", "host-1",
                     [](const std::string&) { return std::string(); });
}

// The error message of parsing `text`, or "" when it is valid.
std::string ErrorOf(const std::string& text) {
  auto config = Parse(text);
  return config.ok() ? "" : std::string(config.status().message());
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(ConfigTest, MinimalConfigGetsEveryDefault) {
  auto config = Parse(kMinimal);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->identity().agent_id(), "host-1");
  EXPECT_EQ(config->state_dir(), "/var/lib/natscope-agent");
  EXPECT_EQ(config->probe().interval(), "5m");
  EXPECT_EQ(config->probe().jitter(), "30s");
  EXPECT_EQ(config->probe().ports_size(), 6);
  EXPECT_TRUE(config->probe().port_test());
  EXPECT_TRUE(config->probe().gateways());
  EXPECT_EQ(config->spool_cap_bytes(), uint64_t{256} << 20);
  EXPECT_EQ(config->batch().max_records(), 500u);
  EXPECT_EQ(config->batch().max_bytes(), uint64_t{1} << 20);
  EXPECT_EQ(config->status_interval(), "10s");
  EXPECT_EQ(ConfigDuration(config->poll_interval()), absl::Milliseconds(250));
  EXPECT_EQ(ConfigDuration(config->checkin_interval()), absl::Minutes(5));
  EXPECT_EQ(config->max_line_bytes(), 65536u);
}

TEST(ConfigTest, ExplicitValuesAreKept) {
  auto config = Parse(R"pb(
    server: "natscope.example.com:7700"
    tls { ca_file: "/etc/natscope/ca.pem" }
    identity { agent_id: "gw-1" site: "paris-office" role: ROLE_CLIENT }
    probe { interval: "1h" gateways: false port_test: false ports: 443 }
    spool_cap_bytes: 2097152
  )pb");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->identity().agent_id(), "gw-1");
  EXPECT_EQ(config->probe().interval(), "1h");
  EXPECT_FALSE(config->probe().gateways());
  EXPECT_FALSE(config->probe().port_test());
  EXPECT_EQ(config->probe().ports_size(), 1);
  EXPECT_EQ(config->spool_cap_bytes(), 2097152u);
}

TEST(ConfigTest, PlaintextMustBeExplicit) {
  EXPECT_EQ(ErrorOf(R"pb(server: "127.0.0.1:7700"
                         identity { site: "lab" role: ROLE_CLIENT })pb"),
            "config /etc/natscope/agent.textproto: tls: set ca_file, or "
            "plaintext: true to send in the clear");
  EXPECT_EQ(ErrorOf(R"pb(server: "127.0.0.1:7700"
                         tls { plaintext: true }
                         identity { site: "lab" role: ROLE_CLIENT })pb"),
            "");
}

TEST(ConfigTest, SyntaxErrorNamesFileLineAndColumn) {
  const std::string error = ErrorOf("server: \"a:1\"\nsever: \"b:2\"\n");
  EXPECT_TRUE(
      Contains(error, "config /etc/natscope/agent.textproto line 2 column "))
      << error;
  EXPECT_TRUE(Contains(error, "sever")) << error;
}

TEST(ConfigTest, BadEnumValueIsASyntaxError) {
  const std::string error = ErrorOf(
      "server: \"a:1\"\ntls { plaintext: true }\nidentity { role: ROLE_SERVER "
      "}\n");
  EXPECT_TRUE(Contains(error, "line 3 column")) << error;
  EXPECT_TRUE(Contains(error, "ROLE_SERVER")) << error;
}

TEST(ConfigTest, RepeatedSingularFieldIsRejected) {
  const std::string error =
      ErrorOf(std::string(kMinimal) + "server: \"b:2\"\n");
  EXPECT_TRUE(Contains(error, "line 5")) << error;
}

TEST(ConfigTest, EveryProblemIsListedWithItsField) {
  const std::string error = ErrorOf(R"pb(
    server: "no-port"
    tls { ca_file: "relative/ca.pem" }
    identity { agent_id: "bad id!" }
    logs { path: "/var/log/a.log" }
    logs { path: "" }
    logs { path: "/var/log/a.log" }
    probe {
      interval: "5s"
      jitter: "nonsense"
      stun_servers: "stun"
      ports: 70000
      destinations: "peer-site"
    }
    batch { max_records: 20000 }
    status_interval: "10"
  )pb");
  for (const char* expected : {
           "server: \"no-port\" is not HOST:PORT",
           "tls.ca_file: \"relative/ca.pem\" must be an absolute path",
           "identity.agent_id: \"bad id!\" must be 1 to 128 characters",
           "identity.site: required",
           "identity.role: required: ROLE_CLIENT or ROLE_CONNECTOR",
           "logs[1].path: empty",
           "logs[2].path: \"/var/log/a.log\" repeats logs[0]",
           "probe.interval: must be at least 10s",
           "probe.jitter: \"nonsense\" is not a duration",
           "probe.stun_servers[0]: \"stun\" is not HOST:PORT",
           "probe.ports[0]: 70000 is out of range: 1 to 65535",
           "probe.destinations[0]: \"peer-site\" is not HOST:PORT",
           "batch.max_records: 20000 is out of range: 1 to 10000",
           "status_interval: \"10\" is not a duration",
       }) {
    EXPECT_TRUE(Contains(
        error,
        std::string("config /etc/natscope/agent.textproto: ") + expected))
        << "missing: " << expected << "\nin:\n"
        << error;
  }
}

TEST(ConfigTest, AtMostSixteenDestinations) {
  std::string probe = "probe {";
  for (int i = 1; i <= 17; ++i) {
    probe += " destinations: \"192.0.2." + std::to_string(i) + ":3478\"";
  }
  EXPECT_TRUE(Contains(ErrorOf(std::string(kMinimal) + probe + " }"),
                       "probe.destinations: 17 given, at most 16"));
}

TEST(ConfigTest, JournalSourceNamesAUnitOrIdentifier) {
  auto config = Parse(std::string(kMinimal) + R"pb(
    logs { journal { unit: "connector.service" } from_start: true }
    logs {
      journal { syslog_identifier: "connector" directory: "/var/log/j" }
    }
  )pb");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->logs(0).journal().unit(), "connector.service");
  const std::string error = ErrorOf(std::string(kMinimal) + R"pb(
    logs { journal {} }
    logs { path: "/var/log/a.log" journal { unit: "a.service" } }
    logs { journal { unit: "a.service" directory: "relative" } }
  )pb");
  EXPECT_TRUE(Contains(error, "logs[0].journal: name a unit")) << error;
  EXPECT_TRUE(Contains(error, "logs[1].journal: set either path or journal"))
      << error;
  EXPECT_TRUE(Contains(
      error, "logs[2].journal.directory: \"relative\" must be an absolute"))
      << error;
}

TEST(ConfigTest, JitterMustBeBelowInterval) {
  EXPECT_TRUE(Contains(ErrorOf(std::string(kMinimal) +
                               "probe { interval: \"1m\" jitter: \"1m\" }"),
                       "probe.jitter: must be less than probe.interval"));
}

TEST(ConfigTest, BadRuleIsRejectedWithNameAndRe2Error) {
  const std::string error = ErrorOf(std::string(kMinimal) + R"pb(
    rules { name: "mine" literal: "x" pattern: "(?P<v>unclosed" }
    rules { name: "stun_nat_type" pattern: "a" }
    rules { name: "Bad-Name" pattern: "a" }
    rules { name: "other" pattern: "" }
    rules { name: "other2" pattern: "b" }
    rules { name: "other2" pattern: "c" }
  )pb");
  EXPECT_TRUE(Contains(error,
                       "rules[0].pattern: rule \"mine\" does not compile: "
                       "missing ): (?P<v>unclosed"))
      << error;
  EXPECT_TRUE(
      Contains(error, "rules[1].name: \"stun_nat_type\" is a built-in rule"));
  EXPECT_TRUE(Contains(error, "rules[2].name: \"Bad-Name\" must match"));
  EXPECT_TRUE(Contains(error, "rules[3].pattern: empty"));
  EXPECT_TRUE(
      Contains(error, "rules[5].name: \"other2\" is used by an earlier rule"));
}

TEST(ConfigTest, LimitsAreChecked) {
  const std::string error = ErrorOf(std::string(kMinimal) + R"pb(
    spool_cap_bytes: 1000
    batch { max_bytes: 10485760 max_delay: "2m" }
    poll_interval: "1ms"
    rpc_deadline: "1h"
    checkin_interval: "1s"
    max_line_bytes: 10
    state_dir: "state"
    enrollment_token_file: "token"
  )pb");
  for (const char* expected : {
           "spool_cap_bytes: 1000 is out of range",
           "batch.max_bytes: 10485760 is out of range",
           "batch.max_delay: must be at most 1m",
           "poll_interval: must be at least 10ms",
           "rpc_deadline: must be at most 5m",
           "checkin_interval: must be at least 5s",
           "max_line_bytes: 10 is out of range",
           "state_dir: \"state\" must be an absolute path",
           "enrollment_token_file: \"token\" must be an absolute path",
       }) {
    EXPECT_TRUE(Contains(error, expected))
        << "missing: " << expected << "\nin:\n"
        << error;
  }
}

TEST(ConfigTest, MissingFileSaysWhatToDo) {
  auto config = LoadConfig("/nonexistent/agent.textproto");
  ASSERT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(std::string(config.status().message()),
                       "/nonexistent/agent.textproto"));
  EXPECT_TRUE(
      Contains(std::string(config.status().message()), "--config FILE"));
}

TEST(ConfigTest, ShippedExampleIsValid) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  ASSERT_NE(srcdir, nullptr);
  auto config = LoadConfig(std::string(srcdir) + "/" +
                           (workspace ? workspace : "natscope") +
                           "/deploy/natscope-agent.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->identity().role(), v1::ROLE_CONNECTOR);
  EXPECT_EQ(config->logs_size(), 2);
  EXPECT_EQ(config->rules(0).name(), "tunnel_timeout");
}

}  // namespace
}  // namespace natscope::ingest

namespace natscope::ingest {
namespace {

TEST(DefaultAgentIdTest, HostnamePlusADigestOfTheHostKey) {
  const std::string a = DefaultAgentId("web-1", "machine-a");
  const std::string b = DefaultAgentId("web-1", "machine-b");
  EXPECT_EQ(a.substr(0, 6), "web-1-");
  EXPECT_EQ(a.size(), 14u);
  EXPECT_NE(a, b) << "two hosts named web-1 must not collide";
  EXPECT_EQ(a, DefaultAgentId("web-1", "machine-a")) << "stable";
  EXPECT_EQ(DefaultAgentId("bad name!", ""), "bad-name-");
  EXPECT_EQ(DefaultAgentId("", ""), "agent");
  EXPECT_EQ(DefaultAgentId(std::string(300, 'h'), "k").size(), 128u);
}

TEST(DefaultAgentIdTest, WithoutMachineIdARandomKeyIsKeptInTheStateDir) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string state = std::string(tmp ? tmp : "/tmp") + "/host-key-state";
  const std::string first = LocalHostKey(state, "/nonexistent/machine-id");
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(LocalHostKey(state, "/nonexistent/machine-id"), first);
  struct stat st {};
  ASSERT_EQ(stat((state + "/host-id").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace natscope::ingest
