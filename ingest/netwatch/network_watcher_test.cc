#include "ingest/netwatch/network_watcher.h"

#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace natscope::ingest {
namespace {

// The change happens in a network namespace of the test's own (never the
// host's): unshare(CLONE_NEWNET) needs root, as the test runs in CI.
TEST(NetworkWatcherTest, AddressChangeInOwnNamespaceIsSeen) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a private netns";
  ASSERT_EQ(unshare(CLONE_NEWNET), 0);
  auto watcher = NetworkWatcher::Open();
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  EXPECT_FALSE((*watcher)->Changed(absl::Milliseconds(50)));
  ASSERT_EQ(std::system("ip link set lo up && ip addr add 192.0.2.1/32 dev lo"), 0);
  EXPECT_TRUE((*watcher)->Changed(absl::Seconds(5)));
}

}  // namespace
}  // namespace natscope::ingest
