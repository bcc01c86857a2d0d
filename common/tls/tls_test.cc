#include "common/tls/tls.h"

#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace natscope::tls {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(IsLoopbackAddressTest, LoopbackForms) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:7700"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3:0"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:7700"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:7700"));
  EXPECT_TRUE(IsLoopbackAddress("unix:/run/natscope.sock"));
}

TEST(IsLoopbackAddressTest, EverythingElseIsNot) {
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:7700"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:7700"));
  EXPECT_FALSE(IsLoopbackAddress(":7700"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.5:7700"));
  EXPECT_FALSE(IsLoopbackAddress("127.example.com:7700"));
  EXPECT_FALSE(IsLoopbackAddress("natscope.example.com:7700"));
}

TEST(MakeServerCredentialsTest, PlaintextOnLoopbackIsAllowed) {
  EXPECT_TRUE(MakeServerCredentials({}, "127.0.0.1:7700").ok());
}

TEST(MakeServerCredentialsTest, PlaintextOnPublicAddressIsRefused) {
  auto credentials = MakeServerCredentials({}, "0.0.0.0:7700");
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(credentials.status().message());
  EXPECT_NE(message.find("refusing to serve plaintext gRPC on 0.0.0.0:7700"),
            std::string::npos);
  EXPECT_NE(message.find("--tls_cert=FILE --tls_key=FILE"), std::string::npos);
  EXPECT_NE(message.find("--plaintext"), std::string::npos);
}

TEST(MakeServerCredentialsTest, ExplicitPlaintextFlagAllowsPublicAddress) {
  ServerTlsOptions options;
  options.plaintext = true;
  EXPECT_TRUE(MakeServerCredentials(options, "0.0.0.0:7700").ok());
}

TEST(MakeServerCredentialsTest, CertWithoutKeyIsRefused) {
  ServerTlsOptions options;
  options.cert_file = "/etc/natscope/server.pem";
  auto credentials = MakeServerCredentials(options, "0.0.0.0:7700");
  ASSERT_FALSE(credentials.ok());
  EXPECT_NE(credentials.status().message().find("--tls_cert needs --tls_key"),
            std::string::npos);
}

TEST(MakeServerCredentialsTest, PlaintextWithCertIsContradictory) {
  ServerTlsOptions options{"/a.pem", "/a.key", true};
  EXPECT_EQ(MakeServerCredentials(options, "0.0.0.0:7700").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MakeServerCredentialsTest, MissingCertFileNamesFlagAndPath) {
  ServerTlsOptions options{TempPath("absent.pem"), TempPath("absent.key"),
                           false};
  auto credentials = MakeServerCredentials(options, "0.0.0.0:7700");
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(
      credentials.status().message().find("--tls_cert " + options.cert_file),
      std::string::npos);
}

TEST(MakeServerCredentialsTest, GarbageCertIsRefused) {
  const std::string cert = TempPath("garbage.pem");
  std::ofstream(cert) << "not a certificate\n";
  ServerTlsOptions options{cert, cert, false};
  auto credentials = MakeServerCredentials(options, "0.0.0.0:7700");
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(credentials.status().message().find("holds no PEM certificate"),
            std::string::npos);
}

TEST(MakeChannelCredentialsTest, NeitherCaNorPlaintextIsRefused) {
  auto credentials = MakeChannelCredentials({});
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(credentials.status().message(),
            "tls: set ca_file, or plaintext: true to send in the clear");
}

TEST(MakeChannelCredentialsTest, BothCaAndPlaintextIsRefused) {
  ClientTlsOptions options;
  options.ca_file = "/etc/natscope/ca.pem";
  options.plaintext = true;
  EXPECT_EQ(MakeChannelCredentials(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MakeChannelCredentialsTest, ExplicitPlaintextIsInsecure) {
  ClientTlsOptions options;
  options.plaintext = true;
  EXPECT_TRUE(MakeChannelCredentials(options).ok());
}

TEST(MakeChannelCredentialsTest, UnreadableCaFileIsAClearError) {
  ClientTlsOptions options;
  options.ca_file = TempPath("no-such-ca.pem");
  auto credentials = MakeChannelCredentials(options);
  ASSERT_EQ(credentials.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(credentials.status().message().find("cannot read tls.ca_file " +
                                                options.ca_file),
            std::string::npos);
}

TEST(MakeChannelCredentialsTest, CaFileWithoutCertificateIsRefused) {
  ClientTlsOptions options;
  options.ca_file = TempPath("empty-ca.pem");
  std::ofstream(options.ca_file) << "\n";
  EXPECT_EQ(MakeChannelCredentials(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace natscope::tls
