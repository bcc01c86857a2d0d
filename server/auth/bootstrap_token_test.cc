#include "server/auth/bootstrap_token.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "server/auth/authenticator.h"
#include "server/store/memory_store.h"

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
  MemoryStore store;
  auto result = EnsureBootstrapAdminToken(store, path, kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->created_file);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::ifstream in(path);
  std::string secret;
  in >> secret;
  Authenticator authenticator(&store, &store);
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
  MemoryStore store;
  auto result = EnsureBootstrapAdminToken(store, path, kNow);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(store.RevokeApiToken(result->token_id, kNow).ok());
  EXPECT_EQ(EnsureBootstrapAdminToken(store, path, kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);

  const std::string short_path = TempPath("admin_token_short");
  std::ofstream(short_path) << "short\n";
  ASSERT_EQ(chmod(short_path.c_str(), 0600), 0);
  EXPECT_EQ(EnsureBootstrapAdminToken(store, short_path, kNow).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// A token file made by an earlier start (mode 0600, ours).
std::string ExistingTokenFile(const std::string& name, MemoryStore& store) {
  const std::string path = TempPath(name);
  std::remove(path.c_str());
  EXPECT_TRUE(EnsureBootstrapAdminToken(store, path, kNow).ok());
  return path;
}

TEST(BootstrapTokenTest, TokenFileOthersMayReadStopsTheStartWithChmodAdvice) {
  MemoryStore store;
  const std::string path = ExistingTokenFile("admin_token_open", store);
  for (mode_t mode : {0640, 0604, 0660}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    const absl::Status status = EnsureBootstrapAdminToken(store, path, kNow).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "chmod 600 " + path)) << status;
    EXPECT_EQ(status.message().find('\n'), absl::string_view::npos) << status;
  }
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  EXPECT_TRUE(EnsureBootstrapAdminToken(store, path, kNow).ok());
}

TEST(BootstrapTokenTest, SymlinkedTokenFileIsRefusedNotFollowed) {
  MemoryStore store;
  const std::string target = ExistingTokenFile("admin_token_target", store);
  const std::string link = TempPath("admin_token_link");
  std::remove(link.c_str());
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  const absl::Status status = EnsureBootstrapAdminToken(store, link, kNow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "symbolic link")) << status;
}

TEST(BootstrapTokenTest, AnotherUsersTokenFileStopsTheStartWithChownAdvice) {
  MemoryStore store;
  const std::string path = ExistingTokenFile("admin_token_theirs", store);
  if (chown(path.c_str(), 65534, 65534) != 0) {
    GTEST_SKIP() << "chown needs root outside a user namespace";
  }
  const absl::Status status = EnsureBootstrapAdminToken(store, path, kNow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), "chown")) << status;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace natscope::server::auth
