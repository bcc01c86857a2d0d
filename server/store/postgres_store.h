// The Store on PostgreSQL (libpqxx), for the embedded cluster and for
// --postgres=URI alike.
#ifndef NATSCOPE_SERVER_STORE_POSTGRES_STORE_H_
#define NATSCOPE_SERVER_STORE_POSTGRES_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/store/store.h"

namespace natscope::server {

class PgConnectionPool;

// Thread-safe: up to `pool_size` calls run at once, each on a connection of
// its own; further calls wait. No libpqxx exception leaves this class.
class PostgresStore final : public Store {
 public:
  // Connects to `conninfo` (a libpq URI or key=value string) and returns a
  // store that uses up to `pool_size` connections. Does not migrate: call
  // Migrate(). Errors: Unavailable "cannot connect to PostgreSQL at
  // <conninfo without password>: <reason>: ..." when the first connection
  // fails; InvalidArgument for a malformed conninfo or pool_size < 1.
  static absl::StatusOr<std::unique_ptr<Store>> Connect(
      const std::string& conninfo, int pool_size);

  ~PostgresStore() override;

  absl::Status Migrate() override;
  absl::Status UpsertAgent(const natscope::v1::AgentIdentity& agent,
                           absl::string_view credential_hash) override;
  absl::StatusOr<natscope::v1::AgentIdentity> AgentByCredentialHash(
      absl::string_view credential_hash) override;
  absl::StatusOr<IngestResult> Ingest(const natscope::v1::AgentIdentity& agent,
                                      const natscope::v1::IngestRequest& batch,
                                      absl::Time received) override;
  absl::StatusOr<std::vector<natscope::v1::SiteSummary>> ListSites() override;
  absl::StatusOr<std::vector<natscope::v1::AgentState>> ListAgents(
      absl::string_view site, absl::string_view after_agent_id,
      int limit) override;
  absl::StatusOr<int64_t> CountRecords(absl::string_view agent_id) override;
  absl::StatusOr<std::vector<natscope::v1::ProbeReport>> ProbeHistory(
      absl::string_view agent_id, int limit) override;

  // Access tokens and AgentById: pg_tokens.cc.
  absl::Status CreateApiToken(const natscope::v1::ApiTokenInfo& info,
                              absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::ApiTokenInfo> ApiTokenByHash(
      absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::ApiTokenInfo> RevokeApiToken(
      absl::string_view token_id, absl::Time now) override;
  absl::StatusOr<std::vector<natscope::v1::ApiTokenInfo>> ListApiTokens()
      override;
  absl::Status CreateEnrollmentToken(
      const natscope::v1::EnrollmentTokenInfo& info,
      absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::EnrollmentTokenInfo> EnrollmentTokenByHash(
      absl::string_view token_hash) override;
  absl::StatusOr<natscope::v1::EnrollmentTokenInfo> RevokeEnrollmentToken(
      absl::string_view token_id, absl::Time now) override;
  absl::StatusOr<std::vector<natscope::v1::EnrollmentTokenInfo>>
  ListEnrollmentTokens(absl::string_view site) override;
  absl::StatusOr<natscope::v1::AgentIdentity> AgentById(
      absl::string_view agent_id) override;

 private:
  explicit PostgresStore(std::unique_ptr<PgConnectionPool> pool);

  std::unique_ptr<PgConnectionPool> pool_;
};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_POSTGRES_STORE_H_
