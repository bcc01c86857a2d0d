#include "ingest/spool/mem_spool_fs.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace natscope::ingest {

class MemSpoolFile final : public SpoolFile {
 public:
  MemSpoolFile(MemSpoolFs* fs, std::string path)
      : fs_(fs), path_(std::move(path)) {}
  absl::Status Append(absl::string_view data) override {
    return fs_->AppendTo(path_, data);
  }
  absl::Status Sync() override { return fs_->SyncFile(path_); }

 private:
  MemSpoolFs* fs_;
  std::string path_;
};

namespace {

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

absl::Status MemSpoolFs::CreateDir(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  dirs_.insert(dir);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemSpoolFs::ListDir(
    const std::string& dir) {
  absl::MutexLock lock(&mu_);
  if (!dirs_.count(dir))
    return absl::NotFoundError(absl::StrCat("no directory ", dir));
  std::vector<std::string> names;
  for (const auto& [path, file] : files_) {
    if (DirOf(path) == dir) names.push_back(path.substr(dir.size() + 1));
  }
  return names;
}

absl::StatusOr<uint64_t> MemSpoolFs::FileSize(const std::string& path) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(path);
  if (it == files_.end())
    return absl::NotFoundError(absl::StrCat("no file ", path));
  return it->second.data.size();
}

absl::Status MemSpoolFs::ReadAt(const std::string& path, uint64_t offset,
                                size_t n, std::string* out) {
  absl::MutexLock lock(&mu_);
  out->clear();
  auto it = files_.find(path);
  if (it == files_.end())
    return absl::NotFoundError(absl::StrCat("no file ", path));
  const std::string& data = it->second.data;
  if (offset < data.size()) *out = data.substr(offset, n);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SpoolFile>> MemSpoolFs::OpenAppend(
    const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (!dirs_.count(DirOf(path))) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", path, ": no directory"));
  }
  files_[path];  // creates it
  return std::unique_ptr<SpoolFile>(new MemSpoolFile(this, path));
}

absl::Status MemSpoolFs::Truncate(const std::string& path, uint64_t size) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(path);
  if (it == files_.end())
    return absl::NotFoundError(absl::StrCat("no file ", path));
  it->second.data.resize(size);
  it->second.synced = std::min<size_t>(it->second.synced, size);
  return absl::OkStatus();
}

absl::Status MemSpoolFs::Remove(const std::string& path) {
  absl::MutexLock lock(&mu_);
  if (files_.erase(path) == 0)
    return absl::NotFoundError(absl::StrCat("no file ", path));
  return absl::OkStatus();
}

absl::Status MemSpoolFs::Rename(const std::string& from,
                                const std::string& to) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(from);
  if (it == files_.end())
    return absl::NotFoundError(absl::StrCat("no file ", from));
  File moved = std::move(it->second);
  files_.erase(it);
  files_[to] = std::move(moved);
  return absl::OkStatus();
}

absl::Status MemSpoolFs::SyncDir(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  ++syncs_;
  return absl::OkStatus();
}

void MemSpoolFs::SetCapacity(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  capacity_ = bytes;
}

void MemSpoolFs::FailAppends(absl::Status status) {
  absl::MutexLock lock(&mu_);
  append_failure_ = std::move(status);
}

void MemSpoolFs::DropUnsynced() {
  absl::MutexLock lock(&mu_);
  for (auto& [path, file] : files_) file.data.resize(file.synced);
  // What survived is on the disk now.
}

void MemSpoolFs::LoseUnsyncedTail(const std::function<size_t(size_t)>& keep) {
  absl::MutexLock lock(&mu_);
  for (auto& [path, file] : files_) {
    const size_t unsynced = file.data.size() - file.synced;
    file.data.resize(file.synced + std::min(unsynced, keep(unsynced)));
    file.synced = file.data.size();  // what survived is on the disk now
  }
}

std::vector<std::string> MemSpoolFs::Files() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> paths;
  for (const auto& [path, file] : files_) paths.push_back(path);
  return paths;
}

std::string MemSpoolFs::Contents(const std::string& path) const {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(path);
  return it == files_.end() ? "" : it->second.data;
}

void MemSpoolFs::SetContents(const std::string& path, std::string contents) {
  absl::MutexLock lock(&mu_);
  File& file = files_[path];
  file.data = std::move(contents);
  file.synced = file.data.size();
}

uint64_t MemSpoolFs::syncs() const {
  absl::MutexLock lock(&mu_);
  return syncs_;
}

uint64_t MemSpoolFs::UsedLocked() const {
  uint64_t used = 0;
  for (const auto& [path, file] : files_) used += file.data.size();
  return used;
}

absl::Status MemSpoolFs::AppendTo(const std::string& path,
                                  absl::string_view data) {
  absl::MutexLock lock(&mu_);
  if (!append_failure_.ok()) return append_failure_;
  auto it = files_.find(path);
  if (it == files_.end())
    return absl::NotFoundError(absl::StrCat("no file ", path));
  const uint64_t used = UsedLocked();
  const uint64_t room = used >= capacity_ ? 0 : capacity_ - used;
  if (data.size() > room) {
    it->second.data.append(data.data(), room);
    return absl::ResourceExhaustedError(absl::StrCat(
        "disk full: cannot write ", path, ": No space left on device"));
  }
  it->second.data.append(data.data(), data.size());
  return absl::OkStatus();
}

absl::Status MemSpoolFs::SyncFile(const std::string& path) {
  absl::MutexLock lock(&mu_);
  auto it = files_.find(path);
  if (it == files_.end())
    return absl::NotFoundError(absl::StrCat("no file ", path));
  it->second.synced = it->second.data.size();
  ++syncs_;
  return absl::OkStatus();
}

}  // namespace natscope::ingest
