// A fresh directory for a test's PostgreSQL cluster.
//
// Normally under $TEST_TMPDIR. When the test runs as root, PostgreSQL runs
// as an unprivileged user that cannot enter Bazel's output base below /root
// (mode 0700), so the directory is made under /tmp instead. Either way it
// is removed, recursively, on destruction. Not thread-safe.
#ifndef NATSCOPE_SERVER_EMBEDDED_POSTGRES_TEST_SCRATCH_DIR_H_
#define NATSCOPE_SERVER_EMBEDDED_POSTGRES_TEST_SCRATCH_DIR_H_

#include <string>

namespace natscope::server {

class TestScratchDir {
 public:
  // Creates the directory; aborts the test binary when it cannot.
  TestScratchDir();
  ~TestScratchDir();
  TestScratchDir(const TestScratchDir&) = delete;
  TestScratchDir& operator=(const TestScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Removes `path` and everything below it (not following symlinks).
void RemoveRecursively(const std::string& path);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_EMBEDDED_POSTGRES_TEST_SCRATCH_DIR_H_
