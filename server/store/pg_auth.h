// Helpers shared by PostgresStore's access-control files. Internal to
// //server/store.
#ifndef NATSCOPE_SERVER_STORE_PG_AUTH_H_
#define NATSCOPE_SERVER_STORE_PG_AUTH_H_

#include <pqxx/transaction_base>
#include <string>

namespace natscope::server {

// Moves auth_generation (Store::AuthGeneration) within `tx`: call it in the
// transaction that makes a credential or token stop working.
void BumpAuthGeneration(pqxx::transaction_base& tx);

// Marks `site` for the health refresher (site_dirty), within `tx`.
void MarkSiteDirty(pqxx::transaction_base& tx, const std::string& site);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_PG_AUTH_H_
