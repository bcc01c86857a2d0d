#include "ingest/agent/parse_command.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/utf8.h"
#include "ingest/parse/event_json.h"

namespace natscope::ingest {
namespace {

constexpr size_t kBlockBytes = 256 * 1024;   // Stays in L2 while scanned.
constexpr size_t kMaxLineBytes = 64 * 1024;  // As the agent's tailer.
constexpr size_t kFlushBytes = 64 * 1024;
// Regular files are mapped this much at a time: large enough that the
// mmap/munmap calls cost nothing next to the scan, small enough to keep
// the peak RSS (which counts the mapped window) low.
constexpr size_t kWindowBytes = 4 * 1024 * 1024;
static_assert(kWindowBytes > 64 * 1024 + kMaxLineBytes + 1,
              "past a page (up to 64 KiB) of the line before, a window must "
              "hold more than a line's limit, or parsing could stall");

// Parses one file's lines, writing JSON to `out` and counting per rule.
class FileParser {
 public:
  FileParser(const LogParser& parser, std::ostream& out,
             absl::flat_hash_map<const RuleSpec*, uint64_t>* counts)
      : parser_(parser), out_(out), counts_(counts) {}
  ~FileParser() { Flush(); }

  // Reads `fd` to its end: mapped in windows when it is a regular file,
  // else (pipes, terminals, files such as /proc's that claim to be empty,
  // or when mmap fails) with read(). An error names `path` and what to do.
  absl::Status Run(int fd, const std::string& path);

 private:
  absl::Status RunRead(int fd, const std::string& path);
  // Maps the regular file `fd` a window at a time, munmapping each before
  // the next. Sets `*mapped` to false, having parsed nothing, when not
  // even the first window maps (RunRead can still read such files).
  absl::Status RunMapped(int fd, const std::string& path, bool* mapped);
  // Parses the complete lines at the start of `text`, which begins at the
  // start of a line (or inside an over-long line when skipping_), and
  // returns how many bytes were consumed; the rest starts the next call.
  // At the end of the input the rest is the last line and is parsed too.
  size_t Consume(absl::string_view text, bool at_end);
  void Parse(absl::string_view lines);
  void OnCandidate(absl::string_view line);
  void Flush() {
    out_.write(json_.data(), static_cast<std::streamsize>(json_.size()));
    json_.clear();
  }

  const LogParser& parser_;
  std::ostream& out_;
  absl::flat_hash_map<const RuleSpec*, uint64_t>* counts_;
  std::string source_;     // The path, as valid UTF-8.
  bool skipping_ = false;  // Inside the cut-off tail of an over-long line.
  absl::Time read_time_;
  ParsedLine parsed_;
  std::string json_;
};

void FileParser::OnCandidate(absl::string_view line) {
  if (line.size() > kMaxLineBytes) line = line.substr(0, kMaxLineBytes);
  if (!parser_.Match(line, read_time_, &parsed_)) return;
  ++(*counts_)[parsed_.rule];
  AppendLogEventJson(parsed_, source_, &json_);
  if (json_.size() >= kFlushBytes) Flush();
}

void FileParser::Parse(absl::string_view lines) {
  parser_.ForEachCandidate(
      lines, [this](absl::string_view line) { OnCandidate(line); });
}

size_t FileParser::Consume(absl::string_view text, bool at_end) {
  size_t done = 0;
  if (skipping_) {
    const void* nl = std::memchr(text.data(), '\n', text.size());
    if (nl == nullptr) return text.size();
    done = static_cast<const char*>(nl) - text.data() + 1;
    skipping_ = false;
  }
  absl::string_view rest = text.substr(done);
  const void* last = memrchr(rest.data(), '\n', rest.size());
  if (last != nullptr) {
    const size_t complete = static_cast<const char*>(last) - rest.data() + 1;
    Parse(rest.substr(0, complete));
    rest.remove_prefix(complete);
  }
  if (at_end) {
    if (!rest.empty()) Parse(rest);
    return text.size();
  }
  if (rest.size() <= kMaxLineBytes) return text.size() - rest.size();
  // A line longer than the limit: its head is all that will be matched.
  // One byte past the cut keeps a '\r' there from being taken for the
  // line's end (ForEachCandidate drops a trailing '\r').
  Parse(rest.substr(0, kMaxLineBytes + 1));
  skipping_ = true;
  return text.size();
}

absl::Status FileParser::Run(int fd, const std::string& path) {
  source_ = SanitizeUtf8(path);
  skipping_ = false;
  struct stat st;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    bool mapped = true;
    absl::Status status = RunMapped(fd, path, &mapped);
    if (mapped) return status;
  }
  return RunRead(fd, path);
}

absl::Status FileParser::RunRead(int fd, const std::string& path) {
  auto buffer = std::make_unique<char[]>(kBlockBytes);
  size_t used = 0;  // Bytes held in buffer: the start of a line.
  while (true) {
    const ssize_t n = read(fd, buffer.get() + used, kBlockBytes - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::InternalError(
          absl::StrCat("cannot read ", path, ": ", strerror(errno),
                       " (check the file and the disk)"));
    }
    read_time_ = absl::Now();
    const absl::string_view text(buffer.get(), used + static_cast<size_t>(n));
    const size_t consumed = Consume(text, n == 0);
    if (n == 0) return absl::OkStatus();
    used = text.size() - consumed;
    std::memmove(buffer.get(), buffer.get() + consumed, used);
  }
}

absl::Status FileParser::RunMapped(int fd, const std::string& path,
                                   bool* mapped) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t line_start = 0;  // File offset of the first unconsumed byte.
  while (true) {
    // Re-read the size every window: a file that grows is read to its new
    // end, as read() would; one that shrinks ends where it now ends.
    struct stat st;
    if (fstat(fd, &st) != 0) {
      return absl::InternalError(
          absl::StrCat("cannot read ", path, ": ", strerror(errno),
                       " (check the file and the disk)"));
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (line_start >= size) break;
    const uint64_t offset = line_start / page * page;
    const size_t length =
        static_cast<size_t>(std::min<uint64_t>(kWindowBytes, size - offset));
    void* window = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd,
                        static_cast<off_t>(offset));
    if (window == MAP_FAILED) {
      if (line_start == 0) *mapped = false;  // RunRead starts over.
      return absl::InternalError(
          absl::StrCat("cannot map ", path, ": ", strerror(errno),
                       " (check the file and the free memory)"));
    }
    madvise(window, length, MADV_SEQUENTIAL);
    read_time_ = absl::Now();
    const absl::string_view text(
        static_cast<const char*>(window) + (line_start - offset),
        length - (line_start - offset));
    const bool at_end = offset + length == size;
    line_start += Consume(text, at_end);
    munmap(window, length);
    if (at_end) break;  // As read() stops at the first end of file.
  }
  return absl::OkStatus();
}

absl::Status ParseFile(const std::string& path, FileParser& parser) {
  if (path == "-") return parser.Run(STDIN_FILENO, "standard input");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string fix = err == ENOENT   ? "check the path"
                      : err == EACCES ? "run as a user who may read it"
                                      : "check the file";
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ",
                                            strerror(err), " (", fix, ")"));
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  absl::Status status = parser.Run(fd, path);
  close(fd);
  return status;
}

}  // namespace

int RunParseCommand(const std::vector<std::string>& files,
                    const std::vector<RuleSpec>& extra_rules, std::ostream& out,
                    std::ostream& err) {
  if (files.empty()) {
    err << "natscope-agent parse: give the log files to parse "
           "(natscope-agent parse [--config FILE] FILE...)\n";
    return 2;
  }
  std::vector<RuleSpec> rules = BuiltinRules();
  rules.insert(rules.end(), extra_rules.begin(), extra_rules.end());
  auto parser = LogParser::Create(std::move(rules));
  if (!parser.ok()) {
    err << "natscope-agent parse: " << parser.status().message() << "\n";
    return 2;
  }
  absl::flat_hash_map<const RuleSpec*, uint64_t> counts;
  int failed = 0;
  {
    FileParser file_parser(**parser, out, &counts);
    for (const std::string& path : files) {
      absl::Status status = ParseFile(path, file_parser);
      if (!status.ok()) {
        err << "natscope-agent parse: " << status.message() << "\n";
        ++failed;
      }
    }
  }
  out.flush();
  uint64_t total = 0;
  for (const auto& [rule, count] : counts) total += count;
  err << absl::StrFormat(
      "natscope-agent parse: %d of %d files read, %d records\n",
      files.size() - failed, files.size(), total);
  for (const RuleSpec* rule : (*parser)->rules()) {
    err << absl::StrFormat("  %-24s %d\n", rule->name, counts[rule]);
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace natscope::ingest
