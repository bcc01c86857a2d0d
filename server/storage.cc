#include "server/storage.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace natscope::server {

absl::Status OpenStorage(const ServerFlags& flags, Storage* storage) {
  std::string conninfo = flags.postgres;
  if (conninfo.empty()) {
    EmbeddedPostgres::Options options;
    // The cluster lives in a subdirectory: initdb wants an empty one, and
    // --data_dir may hold more of natscope-server's state later.
    options.data_dir = DataDirOf(flags) + "/postgres";
    options.bin_dir = flags.postgres_bin_dir;
    auto started = EmbeddedPostgres::Start(options);
    if (!started.ok()) return started.status();
    storage->postgres = std::move(started).value();
    LogEvent(LogLevel::kInfo,
             absl::StrCat("embedded PostgreSQL running in ", options.data_dir));
    conninfo = storage->postgres->ConnectionUri();
  }
  auto store =
      PostgresStore::Connect(conninfo, static_cast<int>(flags.pool_size));
  if (!store.ok()) return store.status();
  storage->store = std::move(store).value();
  return storage->store->Migrate();
}

void CloseStorage(Storage& storage) {
  storage.store.reset();
  if (storage.postgres) {
    absl::Status stopped = storage.postgres->Stop();
    if (!stopped.ok()) LogEvent(LogLevel::kInfo, std::string(stopped.message()));
  }
}

}  // namespace natscope::server
