#include "common/flags.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"

namespace natscope {

FlagSet::FlagSet(std::string program, std::string usage)
    : program_(std::move(program)), usage_(std::move(usage)) {}

void FlagSet::Add(const std::string& name, Kind kind, void* value,
                  std::string help, std::string default_text) {
  flags_.push_back({name, kind, value, std::move(help), std::move(default_text)});
}

void FlagSet::String(const std::string& name, std::string* value,
                     std::string help) {
  Add(name, Kind::kString, value, std::move(help),
      value->empty() ? "" : absl::StrCat("\"", *value, "\""));
}

void FlagSet::Int(const std::string& name, int64_t* value, std::string help) {
  Add(name, Kind::kInt, value, std::move(help), absl::StrCat(*value));
}

void FlagSet::Bool(const std::string& name, bool* value, std::string help) {
  Add(name, Kind::kBool, value, std::move(help), *value ? "true" : "false");
}

void FlagSet::Duration(const std::string& name, absl::Duration* value,
                       std::string help) {
  Add(name, Kind::kDuration, value, std::move(help),
      absl::FormatDuration(*value));
}

void FlagSet::StringList(const std::string& name,
                         std::vector<std::string>* value, std::string help) {
  Add(name, Kind::kStringList, value, std::move(help), "");
}

const FlagSet::Flag* FlagSet::Find(absl::string_view name) const {
  for (const Flag& flag : flags_) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

absl::Status FlagSet::Set(const Flag& flag, absl::string_view text) {
  auto bad = [&](absl::string_view expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad value \"", text, "\" for --", flag.name, ": expected ", expected,
        " (see ", program_, " --help)"));
  };
  switch (flag.kind) {
    case Kind::kString:
      *static_cast<std::string*>(flag.value) = std::string(text);
      return absl::OkStatus();
    case Kind::kStringList:
      static_cast<std::vector<std::string>*>(flag.value)
          ->push_back(std::string(text));
      return absl::OkStatus();
    case Kind::kInt:
      if (!absl::SimpleAtoi(text, static_cast<int64_t*>(flag.value))) {
        return bad("an integer");
      }
      return absl::OkStatus();
    case Kind::kBool:
      if (!absl::SimpleAtob(text, static_cast<bool*>(flag.value))) {
        return bad("true or false");
      }
      return absl::OkStatus();
    case Kind::kDuration:
      if (!absl::ParseDuration(text, static_cast<absl::Duration*>(flag.value))) {
        return bad("a duration such as 500ms, 30s or 5m");
      }
      return absl::OkStatus();
  }
  return absl::InternalError("unknown flag kind");
}

absl::Status FlagSet::Parse(const std::vector<std::string>& args,
                            std::vector<std::string>* positional) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      for (++i; i < args.size(); ++i) {
        if (positional == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("unexpected argument \"", args[i], "\" (see ",
                           program_, " --help)"));
        }
        positional->push_back(args[i]);
      }
      break;
    }
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      help_requested_ = true;
      continue;
    }
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      if (positional == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unexpected argument \"", arg, "\" (see ", program_, " --help)"));
      }
      positional->push_back(arg);
      continue;
    }
    absl::string_view body(arg);
    body.remove_prefix(absl::StartsWith(body, "--") ? 2 : 1);
    absl::string_view name = body, value;
    const size_t eq = body.find('=');
    const bool has_value = eq != absl::string_view::npos;
    if (has_value) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
    }
    const Flag* flag = Find(name);
    if (flag == nullptr && !has_value && absl::StartsWith(name, "no")) {
      const Flag* negated = Find(name.substr(2));
      if (negated != nullptr && negated->kind == Kind::kBool) {
        *static_cast<bool*>(negated->value) = false;
        continue;
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown flag --", name, " (see ", program_, " --help for the list)"));
    }
    if (!has_value) {
      if (flag->kind == Kind::kBool) {
        *static_cast<bool*>(flag->value) = true;
        continue;
      }
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " needs a value (see ", program_,
                         " --help)"));
      }
      value = args[++i];
    }
    absl::Status status = Set(*flag, value);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

std::string FlagSet::Help() const {
  std::string out = absl::StrCat(usage_, "\n\nFlags:\n");
  for (const Flag& flag : flags_) {
    absl::StrAppend(&out, "  --", flag.name);
    if (flag.kind != Kind::kBool) absl::StrAppend(&out, "=VALUE");
    absl::StrAppend(&out, "\n      ", flag.help);
    if (!flag.default_text.empty()) {
      absl::StrAppend(&out, " (default: ", flag.default_text, ")");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "  --help\n      Show this help and exit.\n");
  // Handled before parsing, by common/version.h in each main.
  absl::StrAppend(&out,
                  "  --version\n      Print the version and commit, and exit.\n");
  return out;
}

}  // namespace natscope
