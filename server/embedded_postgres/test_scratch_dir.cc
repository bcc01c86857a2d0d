#include "server/embedded_postgres/test_scratch_dir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace natscope::server {
namespace {

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  remove(path);
  return 0;
}

}  // namespace

TestScratchDir::TestScratchDir() {
  const char* test_tmpdir = getenv("TEST_TMPDIR");
  const std::string base =
      geteuid() != 0 && test_tmpdir != nullptr ? test_tmpdir : "/tmp";
  std::string name = absl::StrCat(base, "/natscope-test-XXXXXX");
  if (mkdtemp(name.data()) == nullptr) {
    fprintf(stderr, "mkdtemp %s: %s\n", name.c_str(), strerror(errno));
    abort();
  }
  // mkdtemp makes it 0700; the unprivileged PostgreSQL user must enter it.
  chmod(name.c_str(), 0755);
  path_ = name;
}

TestScratchDir::~TestScratchDir() { RemoveRecursively(path_); }

void RemoveRecursively(const std::string& path) {
  nftw(path.c_str(), &RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

}  // namespace natscope::server
