# Shared helpers for natscope's end-to-end shell tests. Source it.
# Every test works in a scratch directory under /tmp (the embedded
# PostgreSQL runs as an unprivileged user when the test is root, and must
# reach its data directory; Bazel's TEST_TMPDIR lives under /root) and
# removes it, and every process it started, on exit.
set -euo pipefail

SCRATCH=$(mktemp -d /tmp/natscope-test.XXXXXX)
chmod 711 "$SCRATCH"
_pids=()

log() { echo "[$(date +%H:%M:%S)] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

_cleanup() {
  local rc=$?
  for pid in "${_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if pgrep -f "$SCRATCH" >/dev/null; then
    echo "leftover processes:"; pgrep -af "$SCRATCH" || true
    pkill -KILL -f "$SCRATCH" || true
    rc=1
  fi
  if [[ $rc -ne 0 ]]; then
    for f in "$SCRATCH"/*.log; do
      [[ -f "$f" ]] && { echo "--- $f"; tail -n 40 "$f"; }
    done
  fi
  rm -rf "$SCRATCH"
  exit $rc
}
trap _cleanup EXIT

# Runs a command in the background and remembers it for cleanup.
spawn() { "$@" & _pids+=($!); }

# A UDP port nobody on this host listens on.
free_udp_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! ss -Huln "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
  fail "no free UDP port found"
}

# start_server NAME [flags...]: starts natscope-server with its embedded
# PostgreSQL in $SCRATCH/NAME-data, waits for its ports, and sets
# GRPC_PORT, STUN_PORT and SERVER_PID.
start_server() {
  local name=$1; shift
  rm -f "$SCRATCH/$name.ports"
  "$SERVER" --data_dir="$SCRATCH/$name-data" --listen=127.0.0.1:0 \
    --stun_listen=127.0.0.1:0 --port_file="$SCRATCH/$name.ports" "$@" \
    >"$SCRATCH/$name.log" 2>&1 &
  SERVER_PID=$!
  _pids+=("$SERVER_PID")
  for _ in $(seq 1 600); do
    [[ -f "$SCRATCH/$name.ports" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "natscope-server exited: $(cat "$SCRATCH/$name.log")"
    sleep 0.1
  done
  [[ -f "$SCRATCH/$name.ports" ]] || fail "natscope-server did not start in 60 s"
  GRPC_PORT=$(sed -n 's/^grpc=//p' "$SCRATCH/$name.ports")
  STUN_PORT=$(sed -n 's/^stun=//p' "$SCRATCH/$name.ports")
  log "natscope-server up: grpc=$GRPC_PORT stun=$STUN_PORT"
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND until it succeeds.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [[ $SECONDS -lt $deadline ]] || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.2
  done
}
