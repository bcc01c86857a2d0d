#include "server/store/pg_values.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace natscope::server {

void ParamRows::Row() {
  if (row_open_) sql_ += "), (";
  else sql_ += "(";
  row_open_ = true;
  first_in_row_ = true;
}

void ParamRows::Separate() {
  if (!first_in_row_) sql_ += ", ";
  first_in_row_ = false;
}

void ParamRows::Add(std::string value, absl::string_view cast) {
  Separate();
  params_.push_back(std::move(value));
  absl::StrAppend(&sql_, "$", params_.size());
  if (!cast.empty()) absl::StrAppend(&sql_, "::", cast);
}

void ParamRows::AddNull(absl::string_view cast) {
  Separate();
  sql_ += "NULL";
  if (!cast.empty()) absl::StrAppend(&sql_, "::", cast);
}

void ParamRows::AddIf(bool present, std::string value, absl::string_view cast) {
  if (present) {
    Add(std::move(value), cast);
  } else {
    AddNull(cast);
  }
}

void ParamRows::AddSql(absl::string_view sql) {
  Separate();
  absl::StrAppend(&sql_, sql);
}

std::string ParamRows::sql() const {
  return row_open_ ? sql_ + ")" : sql_;
}

std::string ByteaText(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + 2 * bytes.size());
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace natscope::server
