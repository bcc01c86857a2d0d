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

case "${1:-}" in
  probe) shift; bench_probe "$@" ;;
  *)
    [[ -n "${1:-}" ]] && echo "bench: unknown mode \"$1\"" >&2
    usage
    exit 2
    ;;
esac
