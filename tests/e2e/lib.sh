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
  if [[ -n "${PG_DATA:-}" && -f "$PG_DATA/postmaster.pid" ]]; then pg_down || true; fi
  if [[ -n "${CITUS_DIR:-}" ]]; then "$(_citus_script)" stop "$CITUS_DIR" || true; fi
  if pgrep -f "$SCRATCH" >/dev/null; then
    echo "leftover processes:"; pgrep -af "$SCRATCH" || true
    pkill -KILL -f "$SCRATCH" || true
    rc=1
  fi
  if [[ $rc -ne 0 ]]; then
    for f in "$SCRATCH"/*.log; do
      [[ -f "$f" ]] && { echo "--- $f"; tail -n 40 "$f"; }
    done
    for f in "$SCRATCH"/citus/node*/server.log; do
      [[ -f "$f" ]] && { echo "--- errors in $f"; grep -A1 'ERROR:' "$f" | tail -n 40 || true; }
    done
  fi
  rm -rf "$SCRATCH"
  exit $rc
}
trap _cleanup EXIT
# A signal (Ctrl-C, a test runner's timeout) cleans up too: exit runs it.
trap 'exit 130' INT
trap 'exit 143' TERM

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

# The enrollment token every test server accepts for every site.
ENROLL_TOKEN=e2e-enrollment-token

# start_server NAME [flags...]: starts natscope-server with its embedded
# PostgreSQL in $SCRATCH/NAME-data, waits for its ports, and sets
# GRPC_PORT, STUN_PORT, HTTP_PORT, SYSLOG_PORT, SERVER_PID and TOKEN_FILE (its
# admin token, for the natscope CLI's --token_file).
# In Citus mode (NATSCOPE_E2E_CITUS=1) a server started without --postgres
# uses the test's Citus cluster (started on first use) instead, and writes
# its admin token where the embedded database's server would.
start_server() {
  local name=$1; shift
  rm -f "$SCRATCH/$name.ports"
  if [[ "${NATSCOPE_E2E_CITUS:-0}" == 1 ]] && ! [[ " $* " == *" --postgres="* ]]; then
    [[ -n "${CITUS_DIR:-}" ]] || start_citus
    mkdir -p "$SCRATCH/$name-data"
    set -- --postgres="$PG_URI" --admin_token_file="$SCRATCH/$name-data/admin_token" "$@"
  fi
  "$SERVER" --data_dir="$SCRATCH/$name-data" --listen=127.0.0.1:0 \
    --stun_listen=127.0.0.1:0 --port_file="$SCRATCH/$name.ports" \
    --enrollment_token="$ENROLL_TOKEN" "$@" \
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
  TOKEN_FILE="$SCRATCH/$name-data/admin_token"
  STUN_PORT=$(sed -n 's/^stun=//p' "$SCRATCH/$name.ports")
  # Set when started with --http_listen.
  HTTP_PORT=$(sed -n 's/^http=//p' "$SCRATCH/$name.ports")
  # Set when started with --syslog_listen.
  SYSLOG_PORT=$(sed -n 's/^syslog=//p' "$SCRATCH/$name.ports")
  log "natscope-server up: grpc=$GRPC_PORT stun=$STUN_PORT"
  if [[ -n "${CITUS_DIR:-}" ]]; then
    # The server placed the tables itself (server/store/pg_distribute.cc),
    # in the database (or schema) of its --postgres.
    local uri=$PG_URI arg
    for arg in "$@"; do [[ "$arg" == --postgres=* ]] && uri=${arg#--postgres=}; done
    [[ $(psql -X -A -t -q "$uri" -c "SELECT count(*) FROM pg_dist_partition WHERE partmethod = 'h' AND logicalrelid = 'ingest_ledger'::regclass") == 1 ]] ||
      fail "natscope-server did not distribute ingest_ledger on Citus"
  fi
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

# A PostgreSQL cluster owned by the test (so it can stop and restart it),
# Unix socket only, run as the unprivileged "postgres" user when root.
# start_postgres NAME sets PG_URI (libpq conninfo) and PG_DATA. In Citus
# mode (NATSCOPE_E2E_CITUS=1) it starts the Citus cluster instead (no
# PG_DATA: pg_up and pg_down do not apply).
_pg_bin() {
  local dir
  dir=$(pg_config --bindir 2>/dev/null || true)
  [[ -x "$dir/initdb" ]] || dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [[ -x "$dir/initdb" ]] || fail "PostgreSQL binaries not found: run tools/setup.sh"
  echo "$dir"
}
_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
start_postgres() {
  if [[ "${NATSCOPE_E2E_CITUS:-0}" == 1 ]]; then start_citus; return; fi
  local name=$1 bin
  bin=$(_pg_bin)
  PG_DATA="$SCRATCH/$name-pg"
  PG_SOCK="$SCRATCH/$name-sock"
  mkdir -p "$PG_DATA" "$PG_SOCK"
  [[ $(id -u) -eq 0 ]] && chown postgres "$PG_DATA" "$PG_SOCK"
  chmod 700 "$PG_DATA"
  _as_pg "$bin/initdb" -D "$PG_DATA" -U natscope --auth=trust -E UTF8 >"$SCRATCH/$name-initdb.log" 2>&1 ||
    fail "initdb failed: $(cat "$SCRATCH/$name-initdb.log")"
  PG_BIN=$bin
  pg_up
  PG_URI="host=$PG_SOCK dbname=postgres user=natscope"
}
pg_up() {
  _as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -l "$PG_SOCK/postgres.log" \
    -o "-c listen_addresses='' -c unix_socket_directories='$PG_SOCK'" start >/dev/null ||
    fail "PostgreSQL did not start: $(tail -n 20 "$PG_SOCK/postgres.log")"
}
pg_down() { _as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null; }
psql_q() { psql -X -A -t -q "$PG_URI" -c "$1"; }

# Citus (tools/citus_cluster.sh, installed by tools/build_citus.sh): a
# coordinator and two workers on loopback TCP, removed on exit.
# start_citus sets CITUS_DIR and PG_URI (the coordinator, 4 shards a
# distributed table so that the server's placement stays quick).
_citus_script() {
  local script=${TEST_SRCDIR:-}/natscope/tools/citus_cluster.sh
  [[ -x "$script" ]] || script=$(dirname "${BASH_SOURCE[0]}")/../../tools/citus_cluster.sh
  echo "$script"
}
# A port P with P, P+1 and P+2 free for TCP on this host.
_free_tcp_port_triple() {
  local port i
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    for i in 0 1 2; do
      ss -Htln "sport = :$((port + i))" | grep -q . && continue 2
    done
    echo "$port"; return
  done
  fail "no three free TCP ports found"
}
start_citus() {
  local script port uri=""
  script=$(_citus_script)
  [[ -f /usr/lib/postgresql/15/lib/citus.so ]] ||
    fail "Citus is not installed: run sudo tools/build_citus.sh (tools/setup.sh does)"
  CITUS_DIR="$SCRATCH/citus"
  # A port taken between the check and the start fails the start: retry.
  for _ in 1 2 3; do
    port=$(_free_tcp_port_triple)
    uri=$("$script" start "$CITUS_DIR" "$port" 2>"$SCRATCH/citus-start.log" | tail -n 1) && break
    uri=""
    "$script" stop "$CITUS_DIR" || true
    rm -rf "$CITUS_DIR"
  done
  [[ -n "$uri" ]] || fail "the Citus cluster did not start: $(cat "$SCRATCH/citus-start.log")"
  PG_URI="$uri?options=-ccitus.shard_count%3D4"
  log "Citus up: coordinator 127.0.0.1:$port, workers :$((port + 1)) :$((port + 2))"
}

# start_ngtcp2: a real QUIC server (ngtcp2's, Debian package ngtcp2-server)
# on loopback with a throwaway certificate; sets NGTCP2_PORT.
start_ngtcp2() {
  local server
  server=$(command -v gtlsserver || echo /usr/sbin/gtlsserver)
  [[ -x "$server" ]] || fail "ngtcp2's gtlsserver is not installed: run tools/setup.sh (package ngtcp2-server)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=localhost -keyout "$SCRATCH/quic.key" -out "$SCRATCH/quic.crt" \
    >"$SCRATCH/openssl.log" 2>&1 || fail "openssl could not make a test certificate: $(cat "$SCRATCH/openssl.log")"
  NGTCP2_PORT=$(free_udp_port)
  spawn "$server" -q -d "$SCRATCH" 127.0.0.1 "$NGTCP2_PORT" "$SCRATCH/quic.key" \
    "$SCRATCH/quic.crt" >"$SCRATCH/ngtcp2.log" 2>&1
  wait_for 20 "ngtcp2 to listen on $NGTCP2_PORT" bash -c "ss -Huln 'sport = :$NGTCP2_PORT' | grep -q ."
}
