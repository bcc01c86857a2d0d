// The schema migrations compiled into this binary, from migrations/*.sql
// (embedded at build time by embed_migrations.sh; nothing is read at run
// time). Migration N brings the schema from version N-1 to N.
#ifndef NATSCOPE_SERVER_STORE_MIGRATIONS_H_
#define NATSCOPE_SERVER_STORE_MIGRATIONS_H_

#include "absl/types/span.h"

namespace natscope::server {

struct Migration {
  int version;       // 1, 2, 3, ...
  const char* name;  // File name, e.g. "0001_init.sql".
  const char* sql;   // One or more SQL statements.
};

// Every migration, ascending by version, numbered from 1 without gaps.
absl::Span<const Migration> AllMigrations();

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_MIGRATIONS_H_
