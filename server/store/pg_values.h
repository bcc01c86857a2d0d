// Multi-row VALUES lists whose values travel as statement parameters, for
// the set-based statements of ingest (pg_ingest.h). Pure, not thread-safe.
// Internal to //server/store.
#ifndef NATSCOPE_SERVER_STORE_PG_VALUES_H_
#define NATSCOPE_SERVER_STORE_PG_VALUES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace natscope::server {

// Builds "($1, $2::timestamptz, NULL::bigint), ($3, ...)" and the
// parameters that go with it (all sent as text, cast in the SQL).
class ParamRows {
 public:
  // Starts the next row.
  void Row();
  // A value, cast to `cast` when given ("timestamptz").
  void Add(std::string value, absl::string_view cast = "");
  // SQL NULL, cast to `cast` when given.
  void AddNull(absl::string_view cast = "");
  // `value` when `present`, else SQL NULL.
  void AddIf(bool present, std::string value, absl::string_view cast = "");
  // A piece of SQL written as is ("now()"): never data from outside.
  void AddSql(absl::string_view sql);

  bool empty() const { return sql_.empty(); }
  // The VALUES rows, each row closed.
  std::string sql() const;
  const std::vector<std::string>& params() const { return params_; }

 private:
  void Separate();

  std::string sql_;
  bool row_open_ = false;
  bool first_in_row_ = true;
  std::vector<std::string> params_;
};

// bytea in its text input form ("\x0a1b..."), as a parameter or COPY's
// text format (before COPY's own escaping) wants it.
std::string ByteaText(absl::string_view bytes);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_VALUES_H_
