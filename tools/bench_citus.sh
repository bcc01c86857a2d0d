# tools/bench.sh citus: sourced by tools/bench.sh, which holds the parts.
#
# The server bench's two parts (ingest against psql \copy; queries on a
# fleet analysed by the refresher) run twice in one go, with the same
# flags and the same generated data: first on one PostgreSQL 15 (the
# bench's own, Unix socket), then on a Citus 13.2 cluster on loopback (a
# coordinator and two workers, tools/citus_cluster.sh, Citus's default 32
# shards a table; natscope-server distributes its schema itself). All
# four processes share this machine's cores, so the cluster shows what
# distribution costs here, not what more machines would give. Prints both
# side by side with cluster/one-node ratios.

# bench_citus_part NAME: runs the parts on the current backend and keeps
# their figures as NAME_* variables and $SCRATCH/NAME-query.out.
bench_citus_part() {
  local name=$1
  [[ "$only" == queries ]] || bench_server_ingest
  [[ "$only" == ingest ]] || bench_server_queries
  printf -v "${name}_copy" '%s' "${copy_rows:-0} ${copy_seconds:-0}"
  printf -v "${name}_ingest" '%s' "${ingest_rows:-0} ${ingest_seconds:-0}"
  printf -v "${name}_health" '%s' "${health_seconds:-0}"
  [[ "$only" == ingest ]] || cp "$SCRATCH/query.out" "$SCRATCH/$name-query.out"
}

bench_citus() {
  local mode=citus
  eval "$bench_server_locals"
  local single_copy single_ingest single_health citus_copy citus_ingest citus_health
  bench_server_parse "$@"
  [[ -f /usr/lib/postgresql/15/lib/citus.so ]] ||
    { echo "bench citus: Citus is not installed: run sudo tools/build_citus.sh (tools/setup.sh does)" >&2; exit 1; }
  bench_server_setup

  log "one node: PostgreSQL (Unix socket)"
  start_postgres bench
  bench_citus_part single
  pg_down

  log "Citus: coordinator and two workers on loopback"
  start_citus
  # Citus's default shard count, not the tests' 4 (lib.sh's PG_URI).
  BENCH_CITUS_URI=${PG_URI%%\?*}
  bench_citus_part citus

  echo
  echo "one PostgreSQL vs Citus (coordinator + 2 workers, same machine), same flags and data"
  if [[ "$only" != queries ]]; then
    echo "ingest: $agents agents in $sites sites, $batches batches of $records log lines each"
    awk -v sc="$single_copy" -v si="$single_ingest" -v cc="$citus_copy" -v ci="$citus_ingest" 'BEGIN {
      split(sc, a); split(si, b); split(cc, c); split(ci, d)
      printf "%-26s %14s %14s %14s\n", "rows/s", "one node", "Citus", "Citus/one"
      printf "%-26s %14.0f %14.0f %14.2f\n", "psql \\copy", a[1] / a[2], c[1] / c[2], (c[1] / c[2]) / (a[1] / a[2])
      printf "%-26s %14.0f %14.0f %14.2f\n", "natscope over gRPC", b[1] / b[2], d[1] / d[2], (d[1] / d[2]) / (b[1] / b[2])
      printf "%-26s %14.2f %14.2f\n", "natscope/copy", (b[1] / b[2]) / (a[1] / a[2]), (d[1] / d[2]) / (c[1] / c[2]) }'
  fi
  if [[ "$only" != ingest ]]; then
    echo "queries: $fleet_sites sites, $fleet_agents agents; site health computed in ${single_health}s on one node, ${citus_health}s on Citus"
    printf '%-18s %12s %12s %12s %12s %10s\n' "" "p50 one" "p50 Citus" "p99 one" "p99 Citus" "p99 ratio"
    join <(sort "$SCRATCH/single-query.out") <(sort "$SCRATCH/citus-query.out") |
      awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); k = kv[1]; if (k in one) two[k] = kv[2]; else one[k] = kv[2] }
        printf "%-18s %12.2f %12.2f %12.2f %12.2f %10.2f\n", $1, one["p50_ms"], two["p50_ms"], one["p99_ms"], two["p99_ms"], two["p99_ms"] / one["p99_ms"]
        if (one["errors"] > 0 || two["errors"] > 0) { print "  errors: " one["errors"] " one node, " two["errors"] " Citus"; bad = 1 }
        delete one; delete two }
      END { exit bad }'
  fi
}
