#include "ingest/enroll/host_enroll.h"

#include <ftw.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/text_format.h"
#include "ingest/config/config.h"
#include "ingest/enroll/credential.h"
#include "ingest/enroll/enroll.h"
#include "ingest/enroll/enroll_command.h"
#include "ingest/state/atomic_file.h"

namespace natscope::ingest {
namespace {

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string Quoted(const std::string& text) {
  return absl::StrCat("\"", absl::CEscape(text), "\"");
}

absl::Status CheckFlags(const HostEnrollOptions& o) {
  auto bad = [](absl::string_view text) {
    return absl::InvalidArgumentError(absl::StrCat("enroll --server: ", text));
  };
  if (o.site.empty()) {
    return bad("give --site=SITE (or set NATSCOPE_SITE): the site this host "
               "belongs to, e.g. paris-office");
  }
  if (!o.ca_file.empty() && o.plaintext) {
    return bad("give --ca_file or --plaintext, not both");
  }
  if (o.ca_file.empty() && !o.plaintext) {
    return bad("give --ca_file=FILE (the CA of natscope-server's "
               "certificate), or --plaintext for a loopback lab");
  }
  if (o.config_path.empty() || o.config_path[0] != '/') {
    return bad(absl::StrCat("--config must be an absolute path, not ",
                            Quoted(o.config_path)));
  }
  if (!o.token.empty() && !o.token_file.empty()) {
    return bad("give --token or --token_file, not both");
  }
  return absl::OkStatus();
}

struct AgentUser {
  std::string name;  // Empty: not found (files stay this process's).
  uid_t uid = 0;
  gid_t gid = 0;
};

absl::StatusOr<AgentUser> LookUpUser(const HostEnrollOptions& o,
                                     std::ostream& out) {
  AgentUser user;
  const struct passwd* pw = getpwnam(o.agent_user.c_str());
  if (pw == nullptr) {
    if (o.agent_user_given) {
      return absl::InvalidArgumentError(absl::StrCat(
          "enroll --server: --agent_user: no user ", Quoted(o.agent_user),
          " on this host; create it (useradd --system natscope-agent, or "
          "install the natscope-agent package) or leave the flag out"));
    }
    out << "user: no user " << o.agent_user
        << " on this host; files stay owned by this user\n";
    return user;
  }
  user.name = o.agent_user;
  user.uid = pw->pw_uid;
  user.gid = pw->pw_gid;
  return user;
}

// nftw's callback takes no context: the owner to give, set just before.
uid_t g_chown_uid;
gid_t g_chown_gid;
int ChownEntry(const char* path, const struct stat*, int, struct FTW*) {
  return lchown(path, g_chown_uid, g_chown_gid) == 0 ? 0 : errno;
}

absl::Status ChownTree(const std::string& dir, const AgentUser& user) {
  g_chown_uid = user.uid;
  g_chown_gid = user.gid;
  const int rc = nftw(dir.c_str(), ChownEntry, 16, FTW_PHYS);
  if (rc == 0) return absl::OkStatus();
  return ErrnoStatus(rc > 0 ? rc : errno,
                     absl::StrCat("give to user ", user.name, " (run as root)"),
                     dir);
}

// What becomes of one file: kept (it holds the contents already), written
// (new), or replaced (the old one kept as PATH.old).
enum class FileAction { kKeep, kWrite, kReplace };

// A different existing file is replaced only with --force.
absl::StatusOr<FileAction> PlanFile(const std::string& path,
                                    const std::string& contents, bool force,
                                    absl::string_view what) {
  auto existing = ReadWholeFile(path);
  if (absl::IsNotFound(existing.status())) return FileAction::kWrite;
  if (!existing.ok()) return existing.status();
  if (*existing == contents) return FileAction::kKeep;
  if (force) return FileAction::kReplace;
  return absl::FailedPreconditionError(absl::StrCat(
      path, " exists and differs from the ", what,
      " these flags make: rerun with --force to replace it (the old one is "
      "kept as ", path, ".old), or give --config=ANOTHER_PATH"));
}

absl::Status ApplyFile(const std::string& path, const std::string& contents,
                       mode_t mode, FileAction action, absl::string_view what,
                       bool* changed, std::ostream& out) {
  if (action == FileAction::kKeep) {
    out << what << ": " << path << " unchanged\n";
    return absl::OkStatus();
  }
  const std::string old = path + ".old";
  if (action == FileAction::kReplace && rename(path.c_str(), old.c_str()) != 0) {
    return ErrnoStatus(errno, "rename", path);
  }
  absl::Status made = MakeDirectories(Dirname(path), 0755);
  if (!made.ok()) return made;
  absl::Status written = WriteFileAtomically(path, contents, mode);
  if (!written.ok()) return written;
  out << what << ": wrote " << path
      << (action == FileAction::kReplace
              ? absl::StrCat(" (the old one is now ", old, ")")
              : "")
      << "\n";
  *changed = true;
  return absl::OkStatus();
}

// Whether state_dir holds a credential for this server, agent and site.
// Read without ReadSecretFile's owner check: the credential belongs to the
// agent's user once set up, and this runs as root.
bool AlreadyEnrolled(const v1::AgentConfig& config, v1::AgentCredential* held) {
  auto text = ReadWholeFile(
      absl::StrCat(config.state_dir(), "/", kCredentialFileName));
  if (!text.ok()) return false;
  if (!google::protobuf::TextFormat::ParseFromString(*text, held)) return false;
  return !held->secret().empty() &&
         held->agent_id() == config.identity().agent_id() &&
         held->site() == config.identity().site() &&
         held->server() == config.server();
}

absl::StatusOr<std::string> ReadCa(const HostEnrollOptions& o) {
  auto ca = ReadWholeFile(o.ca_file);
  if (!ca.ok()) {
    return absl::Status(ca.status().code(),
                        absl::StrCat("--ca_file: ", ca.status().message()));
  }
  if (ca->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ca_file: ", o.ca_file,
                     " holds no PEM certificate (-----BEGIN CERTIFICATE-----); "
                     "give the CA of natscope-server's certificate"));
  }
  return ca;
}

bool SameFile(const std::string& a, const std::string& b) {
  std::unique_ptr<char, decltype(&free)> ra(realpath(a.c_str(), nullptr), free);
  std::unique_ptr<char, decltype(&free)> rb(realpath(b.c_str(), nullptr), free);
  return ra && rb && std::string(ra.get()) == rb.get();
}

// The config the flags describe, defaulted and validated, and the token
// to enroll with (empty when already enrolled): nothing written yet.
struct Plan {
  std::string ca_path, ca_text, config_text, token;
  v1::AgentConfig config;
  v1::AgentCredential held;
  bool enrolled = false;
  FileAction config_action = FileAction::kKeep;
  FileAction ca_action = FileAction::kKeep;  // Also when the CA is in place.
};

absl::StatusOr<Plan> MakePlan(const HostEnrollOptions& o) {
  Plan plan;
  if (!o.plaintext) {
    plan.ca_path = Dirname(o.config_path) + "/ca.pem";
    auto ca = ReadCa(o);
    if (!ca.ok()) return ca.status();
    plan.ca_text = *std::move(ca);
  }
  plan.config_text = HostConfigText(o, plan.ca_path);
  auto config = ParseConfig(plan.config_text, o.config_path, LocalHostname());
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "enroll --server: the flags make an invalid config: ",
        absl::StrReplaceAll(config.status().message(), {{"\n", "; "}})));
  }
  plan.config = *std::move(config);
  auto action = PlanFile(o.config_path, plan.config_text, o.force, "config");
  if (!action.ok()) return action.status();
  plan.config_action = *action;
  if (!o.plaintext && !SameFile(o.ca_file, plan.ca_path)) {
    action = PlanFile(plan.ca_path, plan.ca_text, o.force, "CA");
    if (!action.ok()) return action.status();
    plan.ca_action = *action;
  }
  plan.enrolled = AlreadyEnrolled(plan.config, &plan.held);
  plan.token = o.token;
  if (!plan.enrolled && !o.token_file.empty()) {
    auto token = ReadTokenFile(o.token_file);
    if (!token.ok()) return token.status();
    plan.token = *std::move(token);
  }
  return plan;
}

}  // namespace

std::string HostConfigText(const HostEnrollOptions& o,
                           const std::string& ca_path) {
  std::string text = absl::StrCat(
      "# natscope-agent config, written by `natscope-agent enroll "
      "--server=...`.\n"
      "# Every field: proto/natscope/v1/agent_config.proto. Rerunning that "
      "line keeps\n# this file while it is unchanged; --force replaces it.\n",
      "server: ", Quoted(o.server), "\n");
  absl::StrAppend(&text, ca_path.empty()
                             ? std::string("tls { plaintext: true }\n")
                             : absl::StrCat("tls { ca_file: ", Quoted(ca_path),
                                            " }\n"));
  absl::StrAppend(&text, "state_dir: ", Quoted(o.state_dir), "\n",
                  "identity { site: ", Quoted(o.site),
                  " role: ", v1::Role_Name(o.role), " }\n");
  for (const std::string& log : o.logs) {
    absl::StrAppend(&text, "logs { path: ", Quoted(log), " }\n");
  }
  std::vector<std::string> stun = o.stun;
  if (stun.empty()) {
    stun.push_back(absl::StrCat(o.server.substr(0, o.server.rfind(':')), ":3478"));
  }
  absl::StrAppend(&text, "probe {");
  for (const std::string& s : stun) {
    absl::StrAppend(&text, " stun_servers: ", Quoted(s));
  }
  absl::StrAppend(&text, " }\n");
  return text;
}

namespace {

// Enrolls unless already enrolled; the config is written only after, so
// that a failed enrollment leaves no file a corrected rerun would refuse.
// Until then the config names the CA where it was given.
absl::Status Enroll(const HostEnrollOptions& o, const Plan& plan,
                    std::ostream& out) {
  const v1::AgentConfig& config = plan.config;
  if (plan.enrolled) {
    out << "enrollment: already enrolled as " << plan.held.agent_id()
        << " (site " << plan.held.site() << ") with " << config.server()
        << "; credential in " << config.state_dir() << " kept\n";
    return absl::OkStatus();
  }
  v1::AgentConfig with_ca = config;
  if (!o.plaintext) with_ca.mutable_tls()->set_ca_file(o.ca_file);
  return EnrollCommand(with_ca, plan.token, o.version, out);
}

}  // namespace

absl::Status EnrollHost(const HostEnrollOptions& o, const HostSystem& system,
                        std::ostream& out) {
  if (absl::Status flags = CheckFlags(o); !flags.ok()) return flags;
  auto user = LookUpUser(o, out);
  if (!user.ok()) return user.status();
  auto plan = MakePlan(o);
  if (!plan.ok()) return plan.status();
  absl::Status s = Enroll(o, *plan, out);
  if (!s.ok()) return s;
  bool changed = !plan->enrolled;
  s = ApplyFile(o.config_path, plan->config_text, 0640, plan->config_action,
                "config", &changed, out);
  if (s.ok() && !user->name.empty() &&
      chown(o.config_path.c_str(), static_cast<uid_t>(-1), user->gid) != 0) {
    s = ErrnoStatus(errno, "give to the agent's group (run as root)",
                    o.config_path);
  }
  if (s.ok() && !o.plaintext && !SameFile(o.ca_file, plan->ca_path)) {
    s = ApplyFile(plan->ca_path, plan->ca_text, 0644, plan->ca_action, "CA",
                  &changed, out);
  }
  if (s.ok() && !user->name.empty()) {
    s = ChownTree(plan->config.state_dir(), *user);
  }
  if (s.ok()) {
    s = EnsureService(system, o.enable, o.config_path, user->name, &changed,
                      out);
  }
  if (!s.ok()) return s;
  out << (changed ? "done: this host is set up; `natscope-agent status "
                    "--config=" + o.config_path + "` shows the agent\n"
                  : "nothing changed: this host was already set up this way\n");
  return absl::OkStatus();
}

}  // namespace natscope::ingest
