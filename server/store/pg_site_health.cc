// PostgresStore's site health and trends (migrations 0003_scale.sql and
// 0007_finding_trend.sql).
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "server/store/pg_connection_pool.h"
#include "server/store/pg_encoding.h"
#include "server/store/postgres_store.h"

namespace natscope::server {
namespace {

using natscope::v1::SiteSummary;

absl::StatusOr<SiteSummary> SummaryFromField(const pqxx::field& field) {
  const pqxx::binarystring bytes(field);
  SiteSummary summary;
  if (!summary.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        "a stored site health does not parse: the database was altered "
        "outside natscope");
  }
  return summary;
}

// The summary's finding counts as two PostgreSQL integer[] literals
// (codes, agents), each code once.
std::pair<std::string, std::string> FindingArrays(const SiteSummary& summary) {
  std::map<int, int64_t> agents;
  for (const natscope::v1::FindingCount& count : summary.finding_counts()) {
    if (count.code() != natscope::v1::FINDING_UNSPECIFIED && count.agents() > 0) {
      agents[count.code()] += count.agents();
    }
  }
  std::string codes = "{", counts = "{";
  for (const auto& [code, n] : agents) {
    absl::StrAppend(&codes, codes.size() > 1 ? "," : "", code);
    absl::StrAppend(&counts, counts.size() > 1 ? "," : "", n);
  }
  return {codes + "}", counts + "}"};
}

// The trend point of one site and hour with its finding counts, in one
// statement: the point is upserted unless a later analysis holds it, and
// only then (RETURNING) are its finding rows replaced, while the point's
// row lock keeps a concurrent refresher of the same site and hour out.
constexpr char kPutTrendPoint[] =
    "WITH point AS ("
    " INSERT INTO site_trend (site, bucket, clients, p2p_clients, connectors,"
    " computed_at) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (site, bucket) DO UPDATE SET clients = EXCLUDED.clients,"
    " p2p_clients = EXCLUDED.p2p_clients, connectors = EXCLUDED.connectors,"
    " computed_at = EXCLUDED.computed_at"
    " WHERE site_trend.computed_at <= EXCLUDED.computed_at"
    " RETURNING site, bucket),"
    " gone AS (DELETE FROM site_finding_trend f USING point"
    " WHERE f.site = point.site AND f.bucket = point.bucket"
    " AND f.code <> ALL ($7::integer[]))"
    " INSERT INTO site_finding_trend (site, bucket, code, agents)"
    " SELECT point.site, point.bucket, c.code, c.agents"
    " FROM point, unnest($7::integer[], $8::integer[]) AS c (code, agents)"
    " ON CONFLICT (site, bucket, code) DO UPDATE SET agents = EXCLUDED.agents";

// Agents per finding code and hour, summed over the sites of $1 (all when
// empty) from $2 to $3; per UTC day, the sum of the day's hours over the
// hours the day has trend points (a code absent from an hour counts 0),
// as SiteTrend averages the counts. Columns: micros, code, agents.
std::string FindingTrendQuery(bool daily) {
  const std::string window =
      "WHERE ($1 = '' OR site = $1) AND bucket >= $2 AND bucket <= $3";
  const std::string hourly = absl::StrCat(
      "SELECT bucket, code, sum(agents) AS agents FROM site_finding_trend ",
      window, " GROUP BY bucket, code");
  if (!daily) {
    return absl::StrCat("SELECT ", UnixMicrosSql("bucket"), ", code, agents FROM (",
                        hourly, ") x ORDER BY 1, 2");
  }
  return absl::StrCat(
      "WITH h AS (SELECT date_trunc('day', bucket, 'UTC') AS d, "
      "count(DISTINCT bucket) AS hours FROM site_trend ", window,
      " GROUP BY 1), f AS (SELECT date_trunc('day', bucket, 'UTC') AS d, code, "
      "sum(agents) AS agents FROM (", hourly, ") x GROUP BY 1, 2) SELECT ",
      UnixMicrosSql("f.d"), ", f.code, round(f.agents / h.hours) "
      "FROM f JOIN h USING (d) ORDER BY 1, 2");
}

// Adds the rows of FindingTrendQuery to the samples of their times
// (`samples` oldest first; every finding row has its point, a foreign key).
void AddFindings(const pqxx::result& rows, std::vector<TrendSample>* samples) {
  size_t i = 0;
  for (const pqxx::row& row : rows) {
    const absl::Time bucket = absl::FromUnixMicros(row[0].as<int64_t>());
    while (i < samples->size() && (*samples)[i].bucket < bucket) ++i;
    if (i == samples->size() || (*samples)[i].bucket != bucket) continue;
    const int64_t agents = row[2].as<int64_t>();
    if (agents <= 0) continue;  // A daily mean rounded to none.
    (*samples)[i].finding_agents[static_cast<natscope::v1::FindingCode>(
        row[1].as<int>())] = agents;
  }
}

}  // namespace

absl::Status PostgresStore::MarkSitesDirty(
    const std::vector<std::string>& sites, absl::Time now) {
  return pool_->Run("MarkSitesDirty", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    if (sites.empty()) {
      tx.exec_params(
          "INSERT INTO site_dirty (site, since) SELECT DISTINCT site, $1::timestamptz "
          "FROM agents ON CONFLICT DO NOTHING",
          TimestampText(now));
    } else {
      for (const std::string& site : sites) {
        tx.exec_params(
            "INSERT INTO site_dirty (site, since) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING",
            site, TimestampText(now));
      }
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> PostgresStore::ClaimDirtySites(
    int limit) {
  std::vector<std::string> sites;
  RETURN_IF_ERROR(pool_->Run("ClaimDirtySites", [&](pqxx::connection& conn) {
    sites.clear();
    pqxx::work tx(conn);
    const pqxx::result rows = tx.exec_params(
        "DELETE FROM site_dirty WHERE site IN (SELECT site FROM site_dirty "
        "ORDER BY since, site LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING site",
        limit);
    for (const pqxx::row& row : rows) sites.push_back(row[0].as<std::string>());
    tx.commit();
    return absl::OkStatus();
  }));
  return sites;
}

absl::StatusOr<int64_t> PostgresStore::CountDirtySites() {
  int64_t count = 0;
  RETURN_IF_ERROR(pool_->Run("CountDirtySites", [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    count = tx.exec1("SELECT count(*) FROM site_dirty")[0].as<int64_t>();
    return absl::OkStatus();
  }));
  return count;
}

absl::StatusOr<std::map<std::string, analyzer::AgentActivity>>
PostgresStore::RecentActivity(
    absl::string_view site, absl::Time since) {
  std::map<std::string, analyzer::AgentActivity> activity;
  // Counted per hour at ingest (agent_activity), so this reads about 24
  // rows an agent whatever the log volume.
  RETURN_IF_ERROR(pool_->Run("RecentActivity", [&](pqxx::connection& conn) {
    activity.clear();
    pqxx::read_transaction tx(conn);
    const pqxx::result counts = tx.exec_params(
        absl::StrCat("SELECT agent_id, sum(direct), sum(relayed), "
                     "sum(relay_unavailable), sum(relay_listener_errors), ",
                     UnixMicrosSql("max(last_tunnel)"),
                     " FROM agent_activity WHERE site = $1 AND hour >= $2 "
                     "GROUP BY agent_id"),
        std::string(site), TimestampText(StartOfUtcHour(since)));
    for (const pqxx::row& row : counts) {
      const uint32_t direct = row[1].as<uint32_t>();
      const uint32_t relayed = row[2].as<uint32_t>();
      const uint32_t relay_unavailable = row[3].as<uint32_t>();
      const uint32_t listener_errors = row[4].as<uint32_t>();
      if (direct == 0 && relayed == 0 && relay_unavailable == 0 &&
          listener_errors == 0) {
        continue;
      }
      analyzer::AgentActivity& a = activity[row[0].as<std::string>()];
      a.direct = direct;
      a.relayed = relayed;
      a.relay_unavailable = relay_unavailable;
      a.relay_listener_errors = listener_errors;
      if (!row[5].is_null()) a.last_tunnel = absl::FromUnixMicros(row[5].as<int64_t>());
    }
    const pqxx::result states = tx.exec_params(
        absl::StrCat("SELECT agent_id, sdwan_state, ", UnixMicrosSql("sdwan_state_time"),
                     " FROM agent_state WHERE site = $1 AND sdwan_state IS NOT NULL"),
        std::string(site));
    for (const pqxx::row& row : states) {
      analyzer::AgentActivity& a = activity[row[0].as<std::string>()];
      a.sdwan_state = row[1].as<std::string>();
      a.sdwan_state_time = absl::FromUnixMicros(row[2].as<int64_t>());
    }
    return absl::OkStatus();
  }));
  return activity;
}

absl::Status PostgresStore::PutSiteHealth(
    const std::vector<SiteSummary>& summaries, absl::Time computed) {
  const std::string computed_text = TimestampText(computed);
  const std::string bucket_text = TimestampText(StartOfUtcHour(computed));
  return pool_->Run("PutSiteHealth", [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    for (const SiteSummary& summary : summaries) {
      if (summary.clients() == 0 && summary.connectors() == 0) {
        tx.exec_params("DELETE FROM site_health WHERE site = $1",
                       summary.site());
        continue;
      }
      // A slower refresher must not overwrite a newer analysis.
      tx.exec_params(
          "INSERT INTO site_health (site, severity_score, summary, "
          "computed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (site) DO UPDATE "
          "SET severity_score = EXCLUDED.severity_score, "
          "summary = EXCLUDED.summary, computed_at = EXCLUDED.computed_at "
          "WHERE site_health.computed_at <= EXCLUDED.computed_at",
          summary.site(), summary.severity_score(),
          pqxx::binarystring(summary.SerializeAsString()), computed_text);
      const auto [codes, agents] = FindingArrays(summary);
      tx.exec_params(kPutTrendPoint, summary.site(), bucket_text,
                     summary.clients(), summary.p2p_capable_clients(),
                     summary.connectors(), computed_text, codes, agents);
    }
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<SiteSummary>> PostgresStore::ListSiteHealth(
    bool by_name) {
  std::vector<SiteSummary> sites;
  RETURN_IF_ERROR(
      pool_->Run("ListSiteHealth", [&](pqxx::connection& conn) -> absl::Status {
        sites.clear();
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec(absl::StrCat(
            "SELECT summary FROM site_health ORDER BY ",
            by_name ? "site" : "severity_score DESC, site"));
        sites.reserve(rows.size());
        for (const pqxx::row& row : rows) {
          ASSIGN_OR_RETURN(SiteSummary summary, SummaryFromField(row[0]));
          sites.push_back(std::move(summary));
        }
        return absl::OkStatus();
      }));
  return sites;
}

absl::StatusOr<std::vector<SiteSummary>> PostgresStore::ListSiteHealthPage(
    bool by_name, const SiteCursor& after, int limit) {
  if (limit < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("ListSiteHealthPage limit must be at least 1, not ", limit));
  }
  std::vector<SiteSummary> sites;
  // Row comparisons follow the index site_health_worst (severity_score
  // DESC, site) and the primary key.
  const std::string where =
      after.site.empty() ? "true"
      : by_name          ? "site > $2"
                         : "(severity_score < $1 OR (severity_score = $1 AND site > $2))";
  RETURN_IF_ERROR(
      pool_->Run("ListSiteHealthPage", [&](pqxx::connection& conn) -> absl::Status {
        sites.clear();
        pqxx::read_transaction tx(conn);
        const pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT summary FROM site_health WHERE ", where,
                         // Both cursor parameters are always sent; naming them
                         // keeps their types known when `where` does not.
                         " AND $1::bigint IS NOT NULL AND $2::text IS NOT NULL"
                         " ORDER BY ",
                         by_name ? "site" : "severity_score DESC, site", " LIMIT $3"),
            after.severity_score, after.site, limit);
        for (const pqxx::row& row : rows) {
          ASSIGN_OR_RETURN(SiteSummary summary, SummaryFromField(row[0]));
          sites.push_back(std::move(summary));
        }
        return absl::OkStatus();
      }));
  return sites;
}

absl::StatusOr<std::vector<TrendSample>> PostgresStore::SiteTrend(
    absl::string_view site, absl::Time from, absl::Time to, bool daily) {
  std::vector<TrendSample> samples;
  const std::string finding_query = FindingTrendQuery(daily);
  // Per hour: the fleet's sum over sites. Per day: the mean of the hours.
  const std::string hourly =
      "SELECT bucket, sum(clients) AS clients, sum(p2p_clients) AS p2p, "
      "sum(connectors) AS connectors FROM site_trend "
      "WHERE ($1 = '' OR site = $1) AND bucket >= $2 AND bucket <= $3 "
      "GROUP BY bucket";
  const std::string query =
      daily ? absl::StrCat(
                  "SELECT ", UnixMicrosSql("d"),
                  ", round(avg(clients)), round(avg(p2p)), "
                  "round(avg(connectors)) FROM (SELECT date_trunc('day', "
                  "bucket, 'UTC') AS d, clients, p2p, connectors FROM (",
                  hourly, ") h) x GROUP BY d ORDER BY d")
            : absl::StrCat("SELECT ", UnixMicrosSql("bucket"),
                           ", clients, p2p, connectors FROM (", hourly,
                           ") h ORDER BY bucket");
  RETURN_IF_ERROR(pool_->Run("SiteTrend", [&](pqxx::connection& conn) {
    samples.clear();
    // Repeatable read: the points and their findings from one snapshot.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(conn);
    const pqxx::result rows = tx.exec_params(
        query, std::string(site), TimestampText(from), TimestampText(to));
    for (const pqxx::row& row : rows) {
      TrendSample& sample = samples.emplace_back();
      sample.bucket = absl::FromUnixMicros(row[0].as<int64_t>());
      sample.clients = row[1].as<int64_t>();
      sample.p2p_clients = row[2].as<int64_t>();
      sample.connectors = row[3].as<int64_t>();
    }
    AddFindings(tx.exec_params(finding_query, std::string(site),
                               TimestampText(from), TimestampText(to)),
                &samples);
    return absl::OkStatus();
  }));
  return samples;
}

}  // namespace natscope::server
