#include "ingest/agent/parse_command.h"

#include <fcntl.h>
#include <unistd.h>

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

// Parses one file's lines, writing JSON to `out` and counting per rule.
class FileParser {
 public:
  FileParser(const LogParser& parser, std::ostream& out,
             absl::flat_hash_map<const RuleSpec*, uint64_t>* counts)
      : parser_(parser), out_(out), counts_(counts) {
    buffer_ = std::make_unique<char[]>(kBlockBytes);
  }
  ~FileParser() { Flush(); }

  // Reads `fd` to its end. An error names `path` and what to do.
  absl::Status Run(int fd, const std::string& path);

 private:
  void Parse(absl::string_view lines);
  void OnCandidate(absl::string_view line);
  void Flush() {
    out_.write(json_.data(), static_cast<std::streamsize>(json_.size()));
    json_.clear();
  }

  const LogParser& parser_;
  std::ostream& out_;
  absl::flat_hash_map<const RuleSpec*, uint64_t>* counts_;
  std::unique_ptr<char[]> buffer_;
  std::string source_;  // The path, as valid UTF-8.
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

absl::Status FileParser::Run(int fd, const std::string& path) {
  source_ = SanitizeUtf8(path);
  size_t used = 0;        // Bytes held in buffer_: the start of a line.
  bool skipping = false;  // Inside the cut-off tail of an over-long line.
  while (true) {
    if (used == kBlockBytes) {
      // One line fills the block: parse its head, drop the rest of it.
      if (!skipping) Parse(absl::string_view(buffer_.get(), kMaxLineBytes));
      skipping = true;
      used = 0;
    }
    const ssize_t n = read(fd, buffer_.get() + used, kBlockBytes - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return absl::InternalError(
          absl::StrCat("cannot read ", path, ": ", strerror(errno),
                       " (check the file and the disk)"));
    }
    read_time_ = absl::Now();
    if (n == 0) break;
    used += static_cast<size_t>(n);
    absl::string_view block(buffer_.get(), used);
    const void* last = memrchr(block.data(), '\n', block.size());
    if (last == nullptr) continue;
    const size_t complete = static_cast<const char*>(last) - block.data() + 1;
    absl::string_view lines = block.substr(0, complete);
    if (skipping) {
      lines.remove_prefix(lines.find('\n') + 1);
      skipping = false;
    }
    Parse(lines);
    used -= complete;
    std::memmove(buffer_.get(), buffer_.get() + complete, used);
  }
  if (used > 0 && !skipping) Parse(absl::string_view(buffer_.get(), used));
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
