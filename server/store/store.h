// The server's durable state, split by role: each caller takes the one
// interface it needs.
//
//   AgentRegistry    agent_registry.h     who an agent is; enrolment
//   TokenStore       token_store.h        API and enrollment tokens
//   FactStore        fact_store.h         ingested facts, latest states
//   SiteHealthStore  site_health_store.h  analysed site health, trends
//   ReportStore      report_store.h       report schedules and runs
//   Maintenance      maintenance.h        schema, partitions, retention
//
// A ServerStore is all of them at once, over one storage: what
// PostgresStore (postgres_store.h) and MemoryStore (memory_store.h)
// implement, what the server's main and the tests own, and what the
// conformance suite (store_conformance.h) checks role by role. No caller
// takes a ServerStore.
#ifndef NATSCOPE_SERVER_STORE_STORE_H_
#define NATSCOPE_SERVER_STORE_STORE_H_

#include "server/store/agent_registry.h"
#include "server/store/fact_store.h"
#include "server/store/maintenance.h"
#include "server/store/report_store.h"
#include "server/store/site_health_store.h"
#include "server/store/token_store.h"

namespace natscope::server {

class ServerStore : public Maintenance,
                    public AgentRegistry,
                    public TokenStore,
                    public FactStore,
                    public SiteHealthStore,
                    public ReportStore {};

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_STORE_STORE_H_
