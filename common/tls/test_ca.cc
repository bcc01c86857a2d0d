#include "common/tls/test_ca.h"

#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace natscope::tls {

absl::Status MakeTestCertificates(const std::string& dir) {
  const std::string script = dir + ".sh";
  std::ofstream(script) << "set -e; rm -rf '" << dir << "'; mkdir -p '" << dir
                        << "'; cd '" << dir << "'" << R"(
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
key ca.key; key other_ca.key; key server.key
openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=natscope-test-ca
openssl req -x509 -new -key other_ca.key -out other_ca.pem -days 2 -subj /CN=other-ca
openssl req -new -key server.key -out server.csr -subj /CN=localhost
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
    -out server.pem -days 2 -extfile ext.cnf
)";
  const std::string log = dir + ".log";
  if (std::system(absl::StrCat("bash '", script, "' >'", log, "' 2>&1").c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("openssl failed; see ", log, " (is openssl installed?)"));
  }
  return absl::OkStatus();
}

}  // namespace natscope::tls
