#!/usr/bin/env bash
# natscope benchmarks. Usage: tools/bench.sh MODE [flags]
#
# Modes:
#   probe   per NAT-lab topology (tests/natlab/), the median wall time of
#           `natscope-agent probe` and of coturn's `turnutils_natdiscovery
#           -m -f` over several runs, their ratio, and whether their
#           verdicts agree. Needs root (network namespaces).
#           Flags: --runs=N (default 5), --jobs=N topologies at a time
#           (default 4; 1 gives the quietest timings), --topologies=a,b,...
#   agent   `natscope-agent parse` on a synthetic 1 GiB product log (about
#           1% relevant lines) against ripgrep extracting the same lines,
#           both pinned to one core (taskset -c 0), best of --runs; prints
#           both throughputs, their ratio (target >= 0.8) and natscope's
#           peak RSS (target < 32 MiB). Needs rg (ripgrep) and GNU time.
#           Flags: --size=BYTES (default 1073741824), --runs=N (default 3),
#           --binary=PATH: measure that natscope-agent (e.g. the packaged
#           /usr/bin/natscope-agent) instead of building one
#   server  natscope-server (-c opt) on a PostgreSQL cluster of the
#           bench's own (scratch directory, Unix socket only; gRPC on
#           127.0.0.1 only; all removed on exit), two parts:
#           ingest: --agents simulated agents enroll and send --batches
#           batches of --records parsed log lines each over gRPC, as fast
#           as the server commits them; then psql \copy of the same rows
#           into the same table; both rows/s, their ratio (target
#           >= 0.8), what a batch costs beyond \copy of its rows, and how
#           many batches each transaction stored (group commit).
#           queries: --fleet_sites sites and --fleet_agents agents (with
#           probe reports) are COPYed into the database; once the server's
#           site-health refresher has analysed every site, p50/p99 of
#           QueryService ListSites, GetSiteHealth and GetSiteAnalysis
#           (random sites), one call at a time (target p99 < 50 ms).
#           Flags: --agents=N (default 1000), --sites=N (50), --batches=N
#           (5), --records=N (100), --threads=N client threads (4),
#           --inflight=N Ingest calls at once (64), --fleet_sites=N (10000),
#           --fleet_agents=N (200000), --list_iterations=N (200),
#           --site_iterations=N (1000), --health_timeout=SECONDS (1800),
#           --only=ingest|queries, --nocompress (plain records instead of
#           the zlib-compressed ones agents send). NATSCOPE_BENCH_SERVER=PATH
#           measures that natscope-server (an older build) instead.
#   citus   the server mode's two parts (same flags) on one PostgreSQL,
#           then on a Citus cluster on loopback (coordinator + 2 workers,
#           tools/citus_cluster.sh, Citus's default 32 shards), the same
#           data in both; prints both side by side with their ratios.
#           Needs Citus (tools/build_citus.sh; tools/setup.sh runs it).
#   intake  natscope-server (-c opt, TLS with a throwaway CA) on a
#           PostgreSQL cluster of the bench's own: --lines matched log lines
#           (stun_nat_type, each with its own timestamp, so none dedups)
#           from --hosts hosts into one site's intake, lines/s until every
#           line is in log_events: (i) syslog over TLS, octet-counted RFC
#           5424 frames on --connections connections; (ii) OTLP/HTTP
#           protobuf over HTTPS, --records records a request, from
#           --connections threads; against (iii) psql \copy of the same
#           rows (exported from what (ii) stored) into the same table.
#           Flags: --lines=N (default 200000), --hosts=N (100),
#           --connections=N (4), --records=N (500)
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
}

# bench_probe [--runs=N] [--jobs=N] [--topologies=a,b]
bench_probe() {
  local runs=5 jobs=4 topologies="" arg
  for arg in "$@"; do
    case "$arg" in
      --runs=*) runs=${arg#*=} ;;
      --jobs=*) jobs=${arg#*=} ;;
      --topologies=*) topologies=${arg#*=} ;;
      *) echo "bench probe: unknown flag $arg" >&2; usage; exit 2 ;;
    esac
  done
  [[ "$runs" =~ ^[1-9][0-9]?$ && "$jobs" =~ ^[1-9][0-9]?$ ]] ||
    { echo "bench probe: --runs and --jobs take a number from 1 to 99" >&2; exit 2; }
  [[ $(id -u) -eq 0 ]] || { echo "bench probe: the NAT lab needs root (network namespaces): run it with sudo" >&2; exit 1; }
  if [[ -z "$topologies" ]]; then
    topologies=$(bash -c 'source tests/natlab/topologies.sh; echo "${NL_TOPOLOGIES[*]}"')
  fi
  topologies=${topologies//,/ }

  echo "bench probe: building natscope-agent and natscope-server (-c opt)" >&2
  bazel build -c opt //ingest/agent:natscope-agent //server:natscope-server >&2
  local bin
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
  local agent=$bin/ingest/agent/natscope-agent server=$bin/server/natscope-server

  local topology
  BENCH_OUT=$(mktemp -d /tmp/natscope-bench.XXXXXX) BENCH_PIDS=()
  # Workers tear down their own labs on TERM (tests/natlab/natlab.sh).
  trap 'for p in "${BENCH_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
        wait; rm -rf "$BENCH_OUT"' EXIT
  local out=$BENCH_OUT
  echo "bench probe: $runs runs per topology, $jobs topologies at a time" >&2
  for topology in $topologies; do
    while [[ $(jobs -rp | wc -l) -ge $jobs ]]; do wait -n || true; done
    bash tests/natlab/bench_topology.sh "$agent" "$server" "$topology" "$runs" \
      >"$out/$topology.result" 2>"$out/$topology.log" &
    BENCH_PIDS+=($!)
  done
  wait || true

  printf '\n%-16s %13s %13s %9s  %-10s %-10s %s\n' topology "natdiscovery" "natscope" \
    "ratio" "nd verdict" "natscope" "agree"
  local line nd ag ndv agv failed=0
  for topology in $topologies; do
    line=$(cat "$out/$topology.result")
    if [[ -z "$line" ]]; then
      printf '%-16s  error: %s\n' "$topology" "$(grep -m1 -E 'FAIL|error' "$out/$topology.log" || tail -n 1 "$out/$topology.log")"
      failed=1
      continue
    fi
    read -r _ nd ag ndv agv <<<"$line"
    printf '%-16s %12.3fs %12.3fs %9s  %-10s %-10s %s\n' "$topology" "$nd" "$ag" \
      "$(awk -v a="$ag" -v n="$nd" 'BEGIN { printf (n > 0 ? "%.3f" : "-"), a / n }')" \
      "$ndv" "$agv" "$([[ "$ndv" == "$agv" && "$ndv" != varies ]] && echo yes || echo NO)"
  done
  echo "(median wall time of $runs runs; ratio = natscope / natdiscovery; verdict = mapping/filtering)"
  return "$failed"
}

# Seconds and peak RSS (KiB) of one run of "$@", stdout counted into $3:
# run_timed OUTFILE TIMEFILE CMD...; prints nothing.
run_timed() {
  local count=$1 timing=$2
  shift 2
  /usr/bin/time -o "$timing" -f '%e %M' taskset -c 0 "$@" 2>/dev/null | wc -l >"$count"
}

# bench_agent [--size=BYTES] [--runs=N] [--binary=PATH]
bench_agent() {
  local size=1073741824 runs=3 binary="" arg
  for arg in "$@"; do
    case "$arg" in
      --size=*) size=${arg#*=} ;;
      --runs=*) runs=${arg#*=} ;;
      --binary=*) binary=${arg#*=} ;;
      *) echo "bench agent: unknown flag $arg" >&2; usage; exit 2 ;;
    esac
  done
  [[ "$size" =~ ^[1-9][0-9]*$ && "$runs" =~ ^[1-9]$ ]] ||
    { echo "bench agent: --size takes bytes, --runs a number from 1 to 9" >&2; exit 2; }
  command -v rg >/dev/null ||
    { echo "bench agent: ripgrep is missing: apt-get install ripgrep (tools/setup.sh)" >&2; exit 1; }
  [[ -x /usr/bin/time ]] ||
    { echo "bench agent: GNU time is missing: apt-get install time (tools/setup.sh)" >&2; exit 1; }
  command -v taskset >/dev/null ||
    { echo "bench agent: taskset is missing: apt-get install util-linux" >&2; exit 1; }

  if [[ -n "$binary" ]]; then
    [[ -x "$binary" ]] || { echo "bench agent: --binary=$binary is not an executable file" >&2; exit 2; }
    echo "bench agent: measuring $binary ($("$binary" --version 2>&1 | head -n 1))" >&2
    bazel build -c opt //tests/bench:log_gen >&2
  else
    echo "bench agent: building natscope-agent (-c opt)" >&2
    bazel build -c opt //ingest/agent:natscope-agent //tests/bench:log_gen >&2
  fi
  # bazel-bin follows whichever configuration built last; ask for opt's.
  local bin agent
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
  agent=("${binary:-$bin/ingest/agent/natscope-agent}" parse)
  "${agent[@]}" /dev/null >/dev/null 2>&1 ||
    { echo "bench agent: \`${agent[*]} /dev/null\` failed: run it to see why" >&2; exit 1; }

  BENCH_OUT=$(mktemp -d /tmp/natscope-bench.XXXXXX)
  trap 'rm -rf "$BENCH_OUT"' EXIT
  local out=$BENCH_OUT log=$BENCH_OUT/synthetic.log
  echo "bench agent: writing a $size-byte synthetic log" >&2
  local relevant
  relevant=$("$bin/tests/bench/log_gen" "$size" 2>&1 >"$log")
  cat "$log" >/dev/null  # Both tools read from the page cache.
  # The lines natscope's built-in rules extract, as one regular expression.
  local pattern='stun_nat_type:\s*\S|sdwan_state:\s*\S|maintain_relay_connectivity: relay .+ is not available|ANALYTICS \{'

  local best_ns=999999 best_rg=999999 rss=0 n_ns n_rg t m i
  for ((i = 0; i < runs; i++)); do
    run_timed "$out/ns.count" "$out/ns.time" "${agent[@]}" "$log"
    read -r t m <"$out/ns.time"
    best_ns=$(awk -v a="$t" -v b="$best_ns" 'BEGIN { print (a < b ? a : b) }')
    ((m > rss)) && rss=$m
    run_timed "$out/rg.count" "$out/rg.time" rg -a -j1 --no-line-number "$pattern" "$log"
    read -r t m <"$out/rg.time"
    best_rg=$(awk -v a="$t" -v b="$best_rg" 'BEGIN { print (a < b ? a : b) }')
  done
  n_ns=$(cat "$out/ns.count") n_rg=$(cat "$out/rg.count")
  awk -v size="$size" -v ns="$best_ns" -v rg="$best_rg" -v rss="$rss" \
    -v nns="$n_ns" -v nrg="$n_rg" -v rel="$relevant" 'BEGIN {
    mb = size / 1e6
    printf "\n%-22s %10s %10s %10s\n", "", "seconds", "MB/s", "lines"
    printf "%-22s %10.2f %10.0f %10d\n", "natscope-agent parse", ns, mb / ns, nns
    printf "%-22s %10.2f %10.0f %10d\n", "rg", rg, mb / rg, nrg
    printf "ratio natscope/rg: %.2f (target >= 0.80)\n", rg / ns
    printf "natscope peak RSS: %.1f MiB (target < 32 MiB)\n", rss / 1024
    printf "relevant lines generated: %d\n", rel
  }'
  local failed=0
  if [[ "$n_ns" != "$n_rg" || "$n_ns" != "$relevant" ]]; then
    echo "bench agent: line counts differ (natscope $n_ns, rg $n_rg, generated $relevant)" >&2
    failed=1
  fi
  awk -v ns="$best_ns" -v rg="$best_rg" -v rss="$rss" \
    'BEGIN { exit !(rg / ns >= 0.8 && rss < 32 * 1024) }' || failed=1
  return "$failed"
}

# The bench's databases: on one PostgreSQL (start_postgres) a database
# each; on a Citus cluster (BENCH_CITUS_URI, the coordinator) a schema each
# in its one database, reached through search_path.
# bench_db_uri NAME: the connection string of database NAME.
bench_db_uri() {
  if [[ -n "${BENCH_CITUS_URI:-}" ]]; then
    echo "$BENCH_CITUS_URI?options=-csearch_path%3D$1"
  else
    echo "host=$PG_SOCK dbname=$1 user=natscope"
  fi
}
# bench_create_db NAME
bench_create_db() {
  if [[ -n "${BENCH_CITUS_URI:-}" ]]; then
    psql -X -q "$BENCH_CITUS_URI" -c "CREATE SCHEMA $1" >/dev/null
  else
    psql_q "CREATE DATABASE $1" >/dev/null
  fi
}

# psql_db DB SQL: one query against database DB of the bench's cluster,
# unaligned, tuples only ("a|b").
psql_db() { psql -X -A -t -q "$(bench_db_uri "$1")" -c "$2"; }

# Seconds since the epoch, with nanoseconds.
now_s() { date +%s.%N; }

# no_dirty_sites DB: true when DB's site_dirty is empty.
no_dirty_sites() { [[ $(psql_db "$1" "SELECT count(*) FROM site_dirty") == 0 ]]; }

# key_of FILE KEY: the value of KEY=VALUE in FILE.
key_of() { sed -n "s/^$2=//p" "$1"; }

# bench_server_ingest: part (a). Uses the flags of bench_server.
bench_server_ingest() {
  local db=bench_ingest uri
  uri=$(bench_db_uri "$db")
  bench_create_db "$db"
  # More threads than calls in flight: a call waiting for its group
  # holds one (the default 64 would refuse calls once the database lags).
  start_server ingest --postgres="$uri" --plaintext --ingest_rate=0 \
    --ingest_burst=1000000 --admin_token_file="$SCRATCH/ingest-admin_token" \
    --http_listen=127.0.0.1:0 --max_threads=$((inflight + 64))
  local addr=127.0.0.1:$GRPC_PORT base
  base=$(date +%s)
  local shape=(--agents="$agents" --sites="$sites" --batches="$batches"
               --records="$records" --event_base="$base")

  # One batch first: the server creates today's partition of log_events
  # (the \copy needs it), and every connection is warm.
  "$LOAD" ingest --server="$addr" --enrollment_token="$ENROLL_TOKEN" --prefix=warmup \
    --agents=1 --sites=1 --batches=1 --records=1 >"$SCRATCH/warmup.out" ||
    fail "the warm-up batch was not stored: see $SCRATCH/ingest.log"
  [[ $(psql_db "$db" "SELECT to_regclass('log_events_p' ||
        to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD')) IS NOT NULL") == t ]] ||
    fail "natscope-server did not create today's partition of log_events"

  log "writing the rows for psql \\copy (the same rows, epoch 2)"
  "$LOAD" tsv "${shape[@]}" --epoch=2 --out="$SCRATCH/rows.tsv" >"$SCRATCH/tsv.out"
  copy_rows=$(key_of "$SCRATCH/tsv.out" rows)

  log "natscope: $agents agents send $batches batches of $records records each over gRPC"
  psql_db "$db" CHECKPOINT >/dev/null
  "$LOAD" ingest --server="$addr" --enrollment_token="$ENROLL_TOKEN" "${shape[@]}" "$compress" \
    --epoch=1 --threads="$threads" --inflight="$inflight" >"$SCRATCH/ingest.out" ||
    fail "the ingest load failed: $(cat "$SCRATCH/ingest.out")"
  ingest_rows=$(key_of "$SCRATCH/ingest.out" rows)
  ingest_seconds=$(key_of "$SCRATCH/ingest.out" seconds)
  log "calls refused and retried (RESOURCE_EXHAUSTED, UNAVAILABLE): $(key_of "$SCRATCH/ingest.out" retries)"
  # Group commit: transactions and the Ingest calls they stored (including
  # the warm-up's one), from the server's /metrics.
  local metrics
  metrics=$(curl -s "http://127.0.0.1:$HTTP_PORT/metrics" || true)
  ingest_groups=$(awk '$1 == "natscope_ingest_groups_total" { print $2 }' <<<"$metrics")
  ingest_grouped=$(awk '$1 == "natscope_ingest_group_calls_total" { print $2 }' <<<"$metrics")
  local stored
  stored=$(psql_db "$db" "SELECT count(*) FROM log_events WHERE epoch = 1 AND site LIKE 'ingest-%'")
  [[ "$stored" == "$ingest_rows" ]] ||
    fail "natscope acknowledged $ingest_rows rows but log_events holds $stored"

  # The copy runs on a quiet server: its site-health refresher has caught up.
  wait_for 120 "the site-health refresher to catch up" no_dirty_sites "$db"
  log "psql \\copy of $copy_rows rows into log_events"
  psql_db "$db" CHECKPOINT >/dev/null
  local t0 t1
  t0=$(now_s)
  psql -X -q "$uri" -c "\\copy log_events (site, agent_id, epoch, sequence, event_time, \
source_file, severity, component, kind, fields, raw_line, received_at) FROM '$SCRATCH/rows.tsv'"
  t1=$(now_s)
  copy_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  rm -f "$SCRATCH/rows.tsv"
  [[ $(psql_db "$db" "SELECT count(*) FROM log_events WHERE epoch = 2") == "$copy_rows" ]] ||
    fail "psql \\copy stored a different number of rows than $copy_rows"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
}

# bench_server_queries: part (b). Uses the flags of bench_server.
bench_server_queries() {
  local db=bench_fleet uri
  uri=$(bench_db_uri "$db")
  bench_create_db "$db"
  start_server fleet --postgres="$uri" --plaintext --http_listen=127.0.0.1:0 \
    --admin_token_file="$SCRATCH/fleet-admin_token"
  local addr=127.0.0.1:$GRPC_PORT
  log "loading $fleet_sites sites and $fleet_agents agents (COPY)"
  "$LOAD" load-fleet --postgres="$uri" --sites="$fleet_sites" --agents="$fleet_agents" \
    >"$SCRATCH/fleet.out" || fail "load-fleet failed"
  log "loaded in $(key_of "$SCRATCH/fleet.out" seconds) s: $(key_of "$SCRATCH/fleet.out" clients) clients, $(key_of "$SCRATCH/fleet.out" connectors) connectors"

  log "waiting for natscope-server's site-health refresher to analyse every site"
  local start=$SECONDS last=-1 health dirty counts
  while :; do
    counts=$(psql_db "$db" "SELECT (SELECT count(*) FROM site_health), (SELECT count(*) FROM site_dirty)")
    health=${counts%|*} dirty=${counts#*|}
    [[ "$health" == "$fleet_sites" && "$dirty" == 0 ]] && break
    if ((SECONDS - start >= health_timeout)); then
      fail "after ${health_timeout}s site_health has $health of $fleet_sites sites and site_dirty $dirty rows: is the site-health refresher running? (see $SCRATCH/fleet.log)"
    fi
    if ((SECONDS - last >= 10)); then
      log "  site_health: $health of $fleet_sites sites, site_dirty: $dirty ($((SECONDS - start)) s)"
      last=$SECONDS
    fi
    sleep 1
  done
  health_seconds=$((SECONDS - start))
  log "every site analysed in ${health_seconds}s; timing queries"
  "$LOAD" query --server="$addr" --http_server="127.0.0.1:$HTTP_PORT" \
    --token_file="$SCRATCH/fleet-admin_token" \
    --list_iterations="$list_iterations" --site_iterations="$site_iterations" \
    >"$SCRATCH/query.out" || fail "the query load failed: $(cat "$SCRATCH/query.out")"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
}

# bench_server_parse FLAGS...: sets the flags of bench_server (its locals).
bench_server_parse() {
  local arg name
  for arg in "$@"; do
    name=${arg%%=*}
    case "$name" in
      --agents | --sites | --batches | --records | --threads | --inflight | \
        --fleet_sites | --fleet_agents | --list_iterations | --site_iterations | \
        --health_timeout)
        [[ "${arg#*=}" =~ ^[1-9][0-9]*$ ]] ||
          { echo "bench $mode: $name takes a positive number" >&2; exit 2; }
        printf -v "${name#--}" '%s' "${arg#*=}" ;;
      --nocompress) compress=--nocompress ;;
      --only)
        only=${arg#*=}
        [[ "$only" == ingest || "$only" == queries ]] ||
          { echo "bench $mode: --only takes ingest or queries" >&2; exit 2; } ;;
      *) echo "bench $mode: unknown flag $arg" >&2; usage; exit 2 ;;
    esac
  done
  ((fleet_agents >= fleet_sites)) ||
    { echo "bench $mode: --fleet_agents must be at least --fleet_sites (every site needs an agent)" >&2; exit 2; }
  command -v psql >/dev/null ||
    { echo "bench $mode: psql is missing: run tools/setup.sh (postgresql-15)" >&2; exit 1; }
}

# bench_server_setup: builds (-c opt), sets SERVER and LOAD, and sources
# tests/e2e/lib.sh (scratch directory; its EXIT trap stops every process
# it started and removes the directory).
bench_server_setup() {
  echo "bench $mode: building natscope-server and server_load (-c opt)" >&2
  bazel build -c opt //server:natscope-server //tests/bench:server_load >&2
  # bazel-bin follows whichever configuration built last; ask for opt's.
  local bin
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
  SERVER=$bin/server/natscope-server LOAD=$bin/tests/bench/server_load
  # Another natscope-server to compare (an older build), same load.
  if [[ -n "${NATSCOPE_BENCH_SERVER:-}" ]]; then
    SERVER=$NATSCOPE_BENCH_SERVER
    echo "bench $mode: natscope-server from NATSCOPE_BENCH_SERVER=$SERVER" >&2
  fi
  source tests/e2e/lib.sh
  # Interrupted (Ctrl-C, kill): exit, so that the EXIT trap cleans up.
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# bench_server_report: the tables of the parts run; false when a target
# was missed.
bench_server_report() {
  local failed=0
  echo
  if [[ "$only" != queries ]]; then
    echo "ingest: $agents agents in $sites sites, $batches batches of $records log lines each (epoch 1); $inflight calls at once from $threads client threads"
    awk -v cr="$copy_rows" -v cs="$copy_seconds" -v nr="$ingest_rows" -v ns="$ingest_seconds" \
      -v nb="$((agents * batches))" -v groups="$ingest_groups" -v grouped="$ingest_grouped" 'BEGIN {
      printf "%-26s %10s %9s %11s\n", "", "rows", "seconds", "rows/s"
      printf "%-26s %10d %9.2f %11.0f\n", "psql \\copy (baseline)", cr, cs, cr / cs
      printf "%-26s %10d %9.2f %11.0f\n", "natscope over gRPC", nr, ns, nr / ns
      # What a batch costs beyond \copy of its rows: natscope'"'"'s time less
      # the copy'"'"'s time for as many rows, per batch.
      printf "per-batch cost beyond \\copy of its rows: %.3f ms (%d batches", \
        1000 * (ns - cs * nr / cr) / nb, nb
      if (groups > 0) printf "; stored in %d transactions, %.1f batches each", groups, grouped / groups
      printf ")\n"
      ratio = (nr / ns) / (cr / cs)
      printf "ratio natscope/copy: %.2f (target >= 0.80)\n", ratio
      exit !(ratio >= 0.8) }' || failed=1
  fi
  if [[ "$only" != ingest ]]; then
    [[ "$only" == queries ]] || echo
    echo "queries: $fleet_sites sites, $fleet_agents agents (site health computed in ${health_seconds}s); one call at a time"
    awk 'BEGIN { printf "%-18s %7s %7s %9s %9s %9s %11s\n", "", "calls", "errors", "p50 ms", "p99 ms", "max ms", "mean bytes" }
      { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%-18s %7d %7d %9.2f %9.2f %9.2f %11d\n", $1, v["count"], v["errors"], v["p50_ms"], v["p99_ms"], v["max_ms"], v["mean_bytes"]
        if (v["errors"] > 0) bad = 1
        # The target is for gRPC; the JSON API is shown beside it.
        if ($1 !~ /^HTTP:/ && v["p99_ms"] >= 50) bad = 1 }
      END { print "target: p99 < 50 ms over gRPC (HTTP rows: the same ListSites as JSON over the HTTP API, one kept-alive connection)"; exit bad }' "$SCRATCH/query.out" || failed=1
  fi
  return "$failed"
}

# The flags of bench_server and bench_citus, with their defaults.
bench_server_locals='local agents=1000 sites=50 batches=5 records=100 threads=4 inflight=64
  local fleet_sites=10000 fleet_agents=200000 list_iterations=200
  local site_iterations=1000 health_timeout=1800 only="" compress=--compress
  local copy_rows copy_seconds ingest_rows ingest_seconds health_seconds
  local ingest_groups=0 ingest_grouped=0'

# bench_server [--agents=N] ... (see the header)
bench_server() {
  local mode=server
  eval "$bench_server_locals"
  bench_server_parse "$@"
  bench_server_setup
  start_postgres bench
  log "PostgreSQL $(psql_q 'SHOW server_version') in $PG_DATA (Unix socket only)"
  [[ "$only" == queries ]] || bench_server_ingest
  [[ "$only" == ingest ]] || bench_server_queries
  bench_server_report || { echo "bench server: a target was missed" >&2; return 1; }
}

# intake_rows PREFIX: rows of log_events from hosts PREFIX-*.
intake_rows() { psql_db bench_intake "SELECT count(*) FROM log_events WHERE agent_id LIKE '$1-%'"; }

# intake_wait PREFIX N START: waits until N rows of PREFIX-* are stored;
# prints the seconds since START (now_s) when they were.
intake_wait() {
  local prefix=$1 n=$2 t0=$3 got
  local deadline=$((SECONDS + 600))
  while :; do
    got=$(intake_rows "$prefix")
    [[ "$got" == "$n" ]] && break
    ((got <= n)) || fail "$prefix: $got rows stored, more than the $n lines sent"
    ((SECONDS < deadline)) || fail "$prefix: only $got of $n lines stored after 600 s (see $SCRATCH/intake.log)"
    sleep 0.05
  done
  awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.3f", b - a }'
}

# bench_intake [--lines=N] [--hosts=N] [--connections=N] [--records=N]
bench_intake() {
  local lines=200000 hosts=100 connections=4 records=500 arg name
  for arg in "$@"; do
    name=${arg%%=*}
    case "$name" in
      --lines | --hosts | --connections | --records)
        [[ "${arg#*=}" =~ ^[1-9][0-9]*$ ]] ||
          { echo "bench intake: $name takes a positive number" >&2; exit 2; }
        printf -v "${name#--}" '%s' "${arg#*=}" ;;
      *) echo "bench intake: unknown flag $arg" >&2; usage; exit 2 ;;
    esac
  done
  command -v psql >/dev/null ||
    { echo "bench intake: psql is missing: run tools/setup.sh (postgresql-15)" >&2; exit 1; }

  echo "bench intake: building natscope-server, natscope and intake_load (-c opt)" >&2
  bazel build -c opt //server:natscope-server //server/cli:natscope //tests/bench:intake_load >&2
  # bazel-bin follows whichever configuration built last; ask for opt's.
  local bin
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
  SERVER=$bin/server/natscope-server
  local cli=$bin/server/cli/natscope load=$bin/tests/bench/intake_load
  # Scratch directory, PostgreSQL and natscope-server helpers; its EXIT
  # trap stops every process it started and removes the directory.
  source tests/e2e/lib.sh
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_postgres bench
  log "PostgreSQL $(psql_q 'SHOW server_version') in $PG_DATA (Unix socket only)"
  local db=bench_intake uri="host=$PG_SOCK dbname=bench_intake user=natscope"
  psql_q "CREATE DATABASE $db" >/dev/null

  # A throwaway CA and a certificate for 127.0.0.1 it signs.
  local ssl_log=$SCRATCH/openssl.log
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=bench-ca -keyout "$SCRATCH/ca.key" -out "$SCRATCH/ca.crt" >>"$ssl_log" 2>&1 &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
      -keyout "$SCRATCH/tls.key" -out "$SCRATCH/tls.csr" >>"$ssl_log" 2>&1 &&
    echo "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$SCRATCH/san.ext" &&
    openssl x509 -req -in "$SCRATCH/tls.csr" -CA "$SCRATCH/ca.crt" -CAkey "$SCRATCH/ca.key" \
      -CAcreateserial -days 1 -extfile "$SCRATCH/san.ext" -out "$SCRATCH/tls.crt" >>"$ssl_log" 2>&1 ||
    fail "openssl could not make the bench's certificate: $(cat "$ssl_log")"

  start_server intake --postgres="$uri" --tls_cert="$SCRATCH/tls.crt" --tls_key="$SCRATCH/tls.key" \
    --http_listen=127.0.0.1:0 --syslog_listen=127.0.0.1:0 --stun_listen= \
    --admin_token_file="$SCRATCH/intake-admin_token"
  local syslog_port
  syslog_port=$(key_of "$SCRATCH/intake.ports" syslog)
  [[ -n "$syslog_port" && -n "$HTTP_PORT" ]] || fail "no syslog= or http= line in $SCRATCH/intake.ports"
  local token
  token=$("$cli" --server="127.0.0.1:$GRPC_PORT" --ca_file="$SCRATCH/ca.crt" \
    --token_file="$SCRATCH/intake-admin_token" tokens enroll create bench --intake | tail -n 1)
  [[ -n "$token" ]] || fail "could not create an intake token"
  local base
  base=$(date +%s)
  local common=(--ca_file="$SCRATCH/ca.crt" --token="$token" --lines="$lines" --hosts="$hosts"
                --connections="$connections" --records="$records" --time_base="$base")

  # One line first: today's partition of log_events exists and the token
  # is known; every later line is new.
  "$load" syslog --server="127.0.0.1:$syslog_port" "${common[@]}" --lines=1 --connections=1 \
    --prefix=warmup --time_base=$((base + 10)) >"$SCRATCH/warmup.out" ||
    fail "the warm-up line was not sent: $(cat "$SCRATCH/warmup.out")"
  intake_wait warmup 1 "$(now_s)" >/dev/null

  local t0 syslog_seconds syslog_sent otlp_seconds copy_seconds
  log "natscope: $lines lines over syslog/TLS on $connections connections"
  psql_db "$db" CHECKPOINT >/dev/null
  t0=$(now_s)
  "$load" syslog --server="127.0.0.1:$syslog_port" --prefix=sys "${common[@]}" \
    >"$SCRATCH/syslog.out" || fail "the syslog load failed: $(cat "$SCRATCH/syslog.out")"
  syslog_sent=$(key_of "$SCRATCH/syslog.out" seconds)
  syslog_seconds=$(intake_wait sys "$lines" "$t0")

  log "natscope: $lines lines over OTLP/HTTP protobuf, $records a request, $connections threads"
  psql_db "$db" CHECKPOINT >/dev/null
  "$load" otlp --server="127.0.0.1:$HTTP_PORT" --prefix=otlp "${common[@]}" \
    >"$SCRATCH/otlp.out" || fail "the OTLP load failed: $(cat "$SCRATCH/otlp.out")"
  otlp_seconds=$(key_of "$SCRATCH/otlp.out" seconds)
  [[ $(intake_rows otlp) == "$lines" ]] || fail "OTLP: 200s for $lines lines, but $(intake_rows otlp) rows stored"
  # Both stored the same lines, each once, parsed by the same rule.
  [[ $(psql_db "$db" "SELECT count(DISTINCT (substr(agent_id, 1, 4), raw_line)) FROM log_events
        WHERE kind = 'stun_nat_type' AND (agent_id LIKE 'sys-%' OR agent_id LIKE 'otlp-%')") == $((2 * lines)) ]] ||
    fail "the stored rows are not $lines distinct stun_nat_type lines from each of syslog and OTLP"

  wait_for 120 "the site-health refresher to catch up" no_dirty_sites "$db"
  log "psql \\copy of the $lines rows OTLP stored into log_events"
  local columns="site, agent_id, epoch, sequence, event_time, source_file, severity, component, kind, fields, raw_line, received_at"
  psql -X -q "$uri" -c "\\copy (SELECT $columns FROM log_events WHERE agent_id LIKE 'otlp-%') TO '$SCRATCH/rows.tsv'"
  psql_db "$db" CHECKPOINT >/dev/null
  local t1
  t0=$(now_s)
  psql -X -q "$uri" -c "\\copy log_events ($columns) FROM '$SCRATCH/rows.tsv'"
  t1=$(now_s)
  copy_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  [[ $(intake_rows otlp) == $((2 * lines)) ]] || fail "psql \\copy stored a different number of rows than $lines"
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true

  echo
  echo "intake: $lines stun_nat_type lines from $hosts hosts (each its own timestamp), TLS; $connections connections"
  awk -v n="$lines" -v cs="$copy_seconds" -v ss="$syslog_seconds" -v sw="$syslog_sent" \
    -v os="$otlp_seconds" -v r="$records" 'BEGIN {
    printf "%-36s %9s %11s %8s\n", "", "seconds", "lines/s", "ratio"
    printf "%-36s %9.2f %11.0f %8s\n", "psql \\copy (baseline)", cs, n / cs, "1.00"
    printf "%-36s %9.2f %11.0f %8.2f\n", "natscope syslog/TLS (RFC 5424)", ss, n / ss, cs / ss
    printf "%-36s %9.2f %11.0f %8.2f\n", "natscope OTLP/HTTP protobuf", os, n / os, cs / os
    printf "(ratio = natscope lines/s / copy rows/s; syslog: until the last row was in log_events, its client wrote everything in %.2f s; OTLP: %d records a request, each 200 after its commit)\n", sw, r
  }'
}

case "${1:-}" in
  probe) shift; bench_probe "$@" ;;
  agent) shift; bench_agent "$@" ;;
  server) shift; bench_server "$@" ;;
  intake) shift; bench_intake "$@" ;;
  citus) shift; source tools/bench_citus.sh; bench_citus "$@" ;;
  *)
    [[ -n "${1:-}" ]] && echo "bench: unknown mode \"$1\"" >&2
    usage
    exit 2
    ;;
esac
