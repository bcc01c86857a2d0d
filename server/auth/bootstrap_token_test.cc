#include "server/auth/bootstrap_token.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"
#include "server/auth/authenticator.h"
#include "server/auth/fake_token_store.h"

namespace natscope::server::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(BootstrapTokenTest, MissingFileIsCreated0600AndTokenIsAnAdmin) {
  const std::string path = TempPath("admin_token_new");
  std::remove(path.c_str());
  FakeTokenStore store;
  auto result = EnsureBootstrapAdminToken(store, path, kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->created_file);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(path);
  std::string secret;
  in >> secret;
  Authenticator authenticator(&store);
  auto caller = authenticator.Identify("Bearer " + secret);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->kind, CallerKind::kAdmin);

  // A restart reuses the file and registers nothing new.
  result = EnsureBootstrapAdminToken(store, path, kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->created_file);
  EXPECT_EQ(store.ListApiTokens()->size(), 1u);
}

TEST(BootstrapTokenTest, RevokedOrShortTokenRefusesToStart) {
  const std::string path = TempPath("admin_token_revoked");
  std::remove(path.c_str());
  FakeTokenStore store;
  auto result = EnsureBootstrapAdminToken(store, path, kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(store.RevokeApiToken(result->token_id, kNow).ok());
  EXPECT_EQ(EnsureBootstrapAdminToken(store, path, kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const std::string short_path = TempPath("admin_token_short");
  std::ofstream(short_path) << "short\n";
  EXPECT_EQ(EnsureBootstrapAdminToken(store, short_path, kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace natscope::server::auth
