// A small command-line flag parser with messages meant for operators.
//
// Flags are --name=value or --name value; booleans also --name and
// --noname. Unknown flags and bad values are errors that name the flag and
// point at --help. Not thread-safe; use from main() only.
#ifndef NATSCOPE_COMMON_FLAGS_H_
#define NATSCOPE_COMMON_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace natscope {

class FlagSet {
 public:
  // `program` and `usage` head the --help text.
  FlagSet(std::string program, std::string usage);

  // Registers a flag bound to `*value`, whose current value is the default.
  // `value` must outlive this FlagSet.
  void String(const std::string& name, std::string* value, std::string help);
  void Int(const std::string& name, int64_t* value, std::string help);
  void Bool(const std::string& name, bool* value, std::string help);
  void Duration(const std::string& name, absl::Duration* value,
                std::string help);
  // A flag that may be given several times; each use appends.
  void StringList(const std::string& name, std::vector<std::string>* value,
                  std::string help);

  // Parses `args` (without the program name). Non-flag arguments are
  // appended to `*positional` (or rejected when it is null). "--" ends flag
  // parsing. Returns InvalidArgument with a one-line message on error; sets
  // help_requested() for --help/-h.
  absl::Status Parse(const std::vector<std::string>& args,
                     std::vector<std::string>* positional);

  bool help_requested() const { return help_requested_; }
  // The --help text: usage, then every flag with its default and help.
  std::string Help() const;

 private:
  enum class Kind { kString, kInt, kBool, kDuration, kStringList };
  struct Flag {
    std::string name;
    Kind kind;
    void* value;
    std::string help;
    std::string default_text;
  };
  const Flag* Find(absl::string_view name) const;
  absl::Status Set(const Flag& flag, absl::string_view text);
  void Add(const std::string& name, Kind kind, void* value, std::string help,
           std::string default_text);

  std::string program_;
  std::string usage_;
  std::vector<Flag> flags_;
  bool help_requested_ = false;
};

}  // namespace natscope

#endif  // NATSCOPE_COMMON_FLAGS_H_
