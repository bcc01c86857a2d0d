// PostgresStore's access tokens (migrations 0002_access.sql, 0010_intake.sql)
// and AgentById.
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "server/store/pg_auth.h"
#include "server/store/pg_connection_pool.h"
#include "server/store/pg_encoding.h"
#include "server/store/postgres_store.h"

namespace natscope::server {
namespace {

using natscope::v1::ApiTokenInfo;
using natscope::v1::EnrollmentTokenInfo;

// "" for an unset Timestamp (NULLIF makes it NULL in SQL), else its
// timestamptz text.
std::string OptionalTime(const google::protobuf::Timestamp& t, bool has) {
  if (!has) return "";
  return TimestampText(TimeFromProto(t, true, absl::UnixEpoch()));
}

void ReadTime(const pqxx::field& field, google::protobuf::Timestamp* out) {
  if (!field.is_null()) MicrosToProto(field.as<int64_t>(), out);
}

const std::string& ApiColumns() {
  static const std::string* columns = new std::string(
      absl::StrCat("token_id, name, role, ", UnixMicrosSql("created_at"), ", ",
                   UnixMicrosSql("revoked_at")));
  return *columns;
}

ApiTokenInfo ApiTokenFromRow(const pqxx::row& row) {
  ApiTokenInfo info;
  info.set_token_id(row[0].as<std::string>());
  info.set_name(row[1].as<std::string>());
  info.set_role(static_cast<natscope::v1::ApiTokenRole>(row[2].as<int>()));
  ReadTime(row[3], info.mutable_created());
  if (!row[4].is_null()) ReadTime(row[4], info.mutable_revoked());
  return info;
}

const std::string& EnrollmentColumns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "token_id, site, ", UnixMicrosSql("created_at"), ", ",
      UnixMicrosSql("expires_at"), ", ", UnixMicrosSql("revoked_at"),
      ", max_uses, uses, purpose, default_role"));
  return *columns;
}

EnrollmentTokenInfo EnrollmentTokenFromRow(const pqxx::row& row) {
  EnrollmentTokenInfo info;
  info.set_token_id(row[0].as<std::string>());
  info.set_site(row[1].as<std::string>());
  ReadTime(row[2], info.mutable_created());
  if (!row[3].is_null()) ReadTime(row[3], info.mutable_expires());
  if (!row[4].is_null()) ReadTime(row[4], info.mutable_revoked());
  info.set_max_uses(row[5].as<uint32_t>());
  info.set_uses(row[6].as<uint32_t>());
  info.set_purpose(static_cast<natscope::v1::TokenPurpose>(row[7].as<int>()));
  info.set_default_role(static_cast<natscope::v1::Role>(row[8].as<int>()));
  return info;
}

}  // namespace

void BumpAuthGeneration(pqxx::transaction_base& tx) {
  tx.exec("UPDATE auth_generation SET generation = generation + 1");
}

void MarkSiteDirty(pqxx::transaction_base& tx, const std::string& site) {
  tx.exec_params(
      "INSERT INTO site_dirty (site, since) VALUES ($1, now()) "
      "ON CONFLICT DO NOTHING",
      site);
}

absl::Status PostgresStore::CreateApiToken(const ApiTokenInfo& info,
                                           absl::string_view token_hash) {
  if (info.token_id().empty() || token_hash.empty() || info.name().empty() ||
      info.role() == natscope::v1::API_TOKEN_ROLE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "CreateApiToken needs a token_id, a hash, a name and a role");
  }
  return pool_->Run("CreateApiToken", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_params(
        "INSERT INTO api_tokens (token_id, token_hash, name, role, "
        "created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)",
        info.token_id(), std::string(token_hash), SanitizeText(info.name()),
        static_cast<int>(info.role()), OptionalTime(info.created(), true));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<ApiTokenInfo> PostgresStore::ApiTokenByHash(
    absl::string_view token_hash) {
  ApiTokenInfo info;
  RETURN_IF_ERROR(
      pool_->Run("ApiTokenByHash", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", ApiColumns(),
                         " FROM api_tokens WHERE token_hash = $1"),
            std::string(token_hash));
        if (rows.empty()) return absl::NotFoundError("no such API token");
        info = ApiTokenFromRow(rows[0]);
        return absl::OkStatus();
      }));
  return info;
}

absl::StatusOr<ApiTokenInfo> PostgresStore::RevokeApiToken(
    absl::string_view token_id, absl::Time now) {
  ApiTokenInfo info;
  RETURN_IF_ERROR(
      pool_->Run("RevokeApiToken", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::work tx(conn);
        const pqxx::result rows =
            tx.exec_params(absl::StrCat("UPDATE api_tokens SET revoked_at = "
                                        "COALESCE(revoked_at, $2::timestamptz) "
                                        "WHERE token_id = $1 RETURNING ",
                                        ApiColumns()),
                           std::string(token_id), TimestampText(now));
        if (rows.empty()) {
          return absl::NotFoundError(
              absl::StrCat("no API token has id \"", token_id,
                           "\": see natscope tokens api list"));
        }
        info = ApiTokenFromRow(rows[0]);
        BumpAuthGeneration(tx);
        tx.commit();
        return absl::OkStatus();
      }));
  return info;
}

absl::StatusOr<std::vector<ApiTokenInfo>> PostgresStore::ListApiTokens() {
  std::vector<ApiTokenInfo> tokens;
  RETURN_IF_ERROR(pool_->Run("ListApiTokens", [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    const pqxx::result rows =
        tx.exec(absl::StrCat("SELECT ", ApiColumns(),
                             " FROM api_tokens ORDER BY created_at, token_id"));
    tokens.clear();
    for (const pqxx::row& row : rows) tokens.push_back(ApiTokenFromRow(row));
    return absl::OkStatus();
  }));
  return tokens;
}

absl::Status PostgresStore::CreateEnrollmentToken(
    const EnrollmentTokenInfo& info, absl::string_view token_hash) {
  if (info.token_id().empty() || token_hash.empty() || info.site().empty()) {
    return absl::InvalidArgumentError(
        "CreateEnrollmentToken needs a token_id, a hash and a site");
  }
  return pool_->Run("CreateEnrollmentToken", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_params(
        "INSERT INTO enrollment_tokens (token_id, token_hash, site, "
        "created_at, expires_at, max_uses, purpose, default_role) VALUES "
        "($1, $2, $3, $4::timestamptz, NULLIF($5, '')::timestamptz, $6, $7, "
        "$8)",
        info.token_id(), std::string(token_hash), info.site(),
        OptionalTime(info.created(), true),
        OptionalTime(info.expires(), info.has_expires()),
        static_cast<int64_t>(info.max_uses()), static_cast<int>(info.purpose()),
        static_cast<int>(info.default_role()));
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<EnrollmentTokenInfo> PostgresStore::EnrollmentTokenByHash(
    absl::string_view token_hash) {
  EnrollmentTokenInfo info;
  RETURN_IF_ERROR(pool_->Run(
      "EnrollmentTokenByHash", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", EnrollmentColumns(),
                         " FROM enrollment_tokens WHERE token_hash = $1"),
            std::string(token_hash));
        if (rows.empty()) {
          return absl::NotFoundError("no such enrollment token");
        }
        info = EnrollmentTokenFromRow(rows[0]);
        return absl::OkStatus();
      }));
  return info;
}

absl::StatusOr<EnrollmentTokenInfo> PostgresStore::RevokeEnrollmentToken(
    absl::string_view token_id, absl::Time now) {
  EnrollmentTokenInfo info;
  RETURN_IF_ERROR(pool_->Run(
      "RevokeEnrollmentToken", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::work tx(conn);
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("UPDATE enrollment_tokens SET revoked_at = "
                         "COALESCE(revoked_at, $2::timestamptz) "
                         "WHERE token_id = $1 RETURNING ",
                         EnrollmentColumns()),
            std::string(token_id), TimestampText(now));
        if (rows.empty()) {
          return absl::NotFoundError(
              absl::StrCat("no enrollment token has id \"", token_id,
                           "\": see natscope tokens enroll list"));
        }
        info = EnrollmentTokenFromRow(rows[0]);
        BumpAuthGeneration(tx);
        tx.commit();
        return absl::OkStatus();
      }));
  return info;
}

absl::StatusOr<EnrollmentTokenInfo> PostgresStore::UseEnrollmentToken(
    absl::string_view token_hash) {
  EnrollmentTokenInfo info;
  RETURN_IF_ERROR(pool_->Run(
      "UseEnrollmentToken", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::work tx(conn);
        // One statement: concurrent enrolments cannot both take the last use.
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("UPDATE enrollment_tokens SET uses = uses + 1 "
                         "WHERE token_hash = $1 AND (max_uses = 0 OR "
                         "uses < max_uses) RETURNING ",
                         EnrollmentColumns()),
            std::string(token_hash));
        if (rows.empty()) {
          const pqxx::result exists = tx.exec_params(
              "SELECT 1 FROM enrollment_tokens WHERE token_hash = $1",
              std::string(token_hash));
          if (exists.empty()) {
            return absl::NotFoundError("no such enrollment token");
          }
          return absl::FailedPreconditionError(
              "the enrollment token has enrolled as many agents as it may");
        }
        info = EnrollmentTokenFromRow(rows[0]);
        tx.commit();
        return absl::OkStatus();
      }));
  return info;
}
absl::StatusOr<std::vector<EnrollmentTokenInfo>>
PostgresStore::ListEnrollmentTokens(absl::string_view site) {
  std::vector<EnrollmentTokenInfo> tokens;
  RETURN_IF_ERROR(
      pool_->Run("ListEnrollmentTokens", [&](pqxx::connection& conn) {
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", EnrollmentColumns(),
                         " FROM enrollment_tokens WHERE ($1 = '' OR site = "
                         "$1) ORDER BY site, created_at, token_id"),
            std::string(site));
        tokens.clear();
        for (const pqxx::row& row : rows) {
          tokens.push_back(EnrollmentTokenFromRow(row));
        }
        return absl::OkStatus();
      }));
  return tokens;
}

absl::StatusOr<natscope::v1::AgentIdentity> PostgresStore::AgentById(
    absl::string_view agent_id) {
  natscope::v1::AgentIdentity identity;
  RETURN_IF_ERROR(
      pool_->Run("AgentById", [&](pqxx::connection& conn) -> absl::Status {
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec_params(
            "SELECT agent_id, site, role, hostname, version FROM agents "
            "WHERE agent_id = $1",
            std::string(agent_id));
        if (rows.empty()) {
          return absl::NotFoundError(
              absl::StrCat("no agent \"", agent_id, "\" is registered"));
        }
        identity.set_agent_id(rows[0][0].as<std::string>());
        identity.set_site(rows[0][1].as<std::string>());
        identity.set_role(
            static_cast<natscope::v1::Role>(rows[0][2].as<int>()));
        identity.set_hostname(rows[0][3].as<std::string>());
        identity.set_version(rows[0][4].as<std::string>());
        return absl::OkStatus();
      }));
  return identity;
}

}  // namespace natscope::server
