#include "server/embedded_postgres/password_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace natscope::server {
namespace {

constexpr int kScramIterations = 4096;  // PostgreSQL's default.
constexpr size_t kSaltBytes = 16;       // Likewise.

std::string Hmac(absl::string_view key, absl::string_view message) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Sha256(absl::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

// One field of a pg_hba.conf record: where it is in its line, and whether
// it was quoted (a quoted "trust" is a name, not the method).
struct HbaField {
  size_t start;
  size_t size;
  bool quoted;
};

// The fields of one line, up to a comment.
std::vector<HbaField> HbaFields(absl::string_view line) {
  std::vector<HbaField> fields;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    if (line[i] == '#') break;
    HbaField field{i, 0, false};
    bool in_quotes = false;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '"') {
        in_quotes = !in_quotes;
        field.quoted = true;
      }
      if (!in_quotes && (c == ' ' || c == '\t' || c == '\r' || c == '#')) break;
    }
    field.size = i - field.start;
    fields.push_back(field);
  }
  return fields;
}

bool IsAuthMethod(absl::string_view word) {
  for (absl::string_view method :
       {"trust", "reject", "scram-sha-256", "md5", "password", "gss", "sspi",
        "ident", "peer", "ldap", "radius", "cert", "pam", "bsd"}) {
    if (word == method) return true;
  }
  return false;
}

// The method field of a record: the first unquoted method name after the
// connection type, database and user (and, for host records, the address,
// which may be followed by a mask). nullptr for other lines.
const HbaField* MethodField(absl::string_view line,
                            const std::vector<HbaField>& fields) {
  if (fields.empty()) return nullptr;
  const absl::string_view type = line.substr(fields[0].start, fields[0].size);
  const size_t first = type == "local"                  ? 3
                       : absl::StartsWith(type, "host") ? 4
                                                        : 0;
  if (first == 0) return nullptr;  // E.g. include directives.
  for (size_t i = first; i < fields.size(); ++i) {
    if (!fields[i].quoted &&
        IsAuthMethod(line.substr(fields[i].start, fields[i].size))) {
      return &fields[i];
    }
  }
  return nullptr;
}

}  // namespace

std::string ScramSha256Secret(absl::string_view password,
                              absl::string_view salt, int iterations) {
  unsigned char salted[SHA256_DIGEST_LENGTH];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                    sizeof(salted), salted);
  const absl::string_view salted_password(reinterpret_cast<char*>(salted),
                                          sizeof(salted));
  const std::string stored_key = Sha256(Hmac(salted_password, "Client Key"));
  const std::string server_key = Hmac(salted_password, "Server Key");
  return absl::StrCat(
      "SCRAM-SHA-256$", iterations, ":", absl::Base64Escape(salt), "$",
      absl::Base64Escape(stored_key), ":", absl::Base64Escape(server_key));
}

absl::StatusOr<std::string> NewScramSha256Secret(absl::string_view password) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof(salt)) != 1) {
    return absl::InternalError(
        "OpenSSL's random generator failed: cannot salt the PostgreSQL "
        "password; check the system's entropy source");
  }
  return ScramSha256Secret(
      password, absl::string_view(reinterpret_cast<char*>(salt), sizeof(salt)),
      kScramIterations);
}

bool PgHbaTrusts(absl::string_view conf) {
  return PgHbaWithoutTrust(conf) != conf;
}

std::string PgHbaWithoutTrust(absl::string_view conf) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(conf, '\n')) {
    const std::vector<HbaField> fields = HbaFields(line);
    const HbaField* method = MethodField(line, fields);
    if (method != nullptr &&
        line.substr(method->start, method->size) == "trust") {
      lines.push_back(absl::StrCat(line.substr(0, method->start),
                                   "scram-sha-256",
                                   line.substr(method->start + method->size)));
    } else {
      lines.emplace_back(line);
    }
  }
  return absl::StrJoin(lines, "\n");
}

}  // namespace natscope::server
