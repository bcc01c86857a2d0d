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
#           Flags: --size=BYTES (default 1073741824), --runs=N (default 3)
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

  echo "bench probe: building natscope-agent and natscope-server" >&2
  bazel build //ingest/agent:natscope-agent //server:natscope-server >&2
  local agent=bazel-bin/ingest/agent/natscope-agent server=bazel-bin/server/natscope-server

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

# bench_agent [--size=BYTES] [--runs=N]
bench_agent() {
  local size=1073741824 runs=3 arg
  for arg in "$@"; do
    case "$arg" in
      --size=*) size=${arg#*=} ;;
      --runs=*) runs=${arg#*=} ;;
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

  echo "bench agent: building natscope-agent (-c opt)" >&2
  bazel build -c opt //ingest/agent:natscope-agent //tests/bench:log_gen >&2
  # bazel-bin follows whichever configuration built last; ask for opt's.
  local bin agent
  bin=$(bazel info -c opt bazel-bin 2>/dev/null)
  agent=("$bin/ingest/agent/natscope-agent" parse)
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

case "${1:-}" in
  probe) shift; bench_probe "$@" ;;
  agent) shift; bench_agent "$@" ;;
  *)
    [[ -n "${1:-}" ]] && echo "bench: unknown mode \"$1\"" >&2
    usage
    exit 2
    ;;
esac
