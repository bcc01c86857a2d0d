#include "ingest/config/agent_id.h"

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ingest/state/atomic_file.h"

namespace natscope::ingest {
namespace {

std::string FirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return "";
  return std::string(absl::StripAsciiWhitespace(line));
}

}  // namespace

std::string DefaultAgentId(absl::string_view hostname,
                           absl::string_view host_key) {
  std::string name;
  for (char c : hostname.substr(0, 119)) {
    const bool ok = absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
    name.push_back(ok ? c : '-');
  }
  if (name.empty()) name = "agent";
  if (host_key.empty()) return name;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(host_key.data()),
         host_key.size(), digest);
  return absl::StrCat(
      name, "-",
      absl::BytesToHexString(
          absl::string_view(reinterpret_cast<const char*>(digest), 4)));
}

std::string LocalHostKey(const std::string& state_dir,
                         const std::string& machine_id_path) {
  std::string key = FirstLine(machine_id_path);
  if (!key.empty() || state_dir.empty()) return key;
  const std::string path = state_dir + "/host-id";
  key = FirstLine(path);
  if (!key.empty()) return key;
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return "";
  key = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  if (!MakeDirectories(state_dir, 0700).ok()) return "";
  if (!WriteFileAtomically(path, key + "\n", 0600).ok()) return "";
  return key;
}

}  // namespace natscope::ingest
