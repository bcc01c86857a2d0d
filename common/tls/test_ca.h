// Throwaway certificates for tests that make real TLS handshakes on
// loopback, made by the openssl command (installed by tools/setup.sh).
#ifndef NATSCOPE_COMMON_TLS_TEST_CA_H_
#define NATSCOPE_COMMON_TLS_TEST_CA_H_

#include <string>

#include "absl/status/status.h"

namespace natscope::tls {

// Empties `dir` and writes into it: ca.pem/ca.key (a CA), other_ca.pem/
// other_ca.key (a CA that signed nothing), and server.pem/server.key
// (signed by ca.pem, CN and SAN localhost, SAN IP 127.0.0.1, serverAuth).
// Internal, naming the log file, when openssl fails.
absl::Status MakeTestCertificates(const std::string& dir);

}  // namespace natscope::tls

#endif  // NATSCOPE_COMMON_TLS_TEST_CA_H_
