#!/usr/bin/env bash
# A Citus cluster on loopback for natscope's scale-out tests and benches:
# a coordinator and two workers, each a PostgreSQL 15 cluster of its own
# with Citus preloaded, reachable over TCP on 127.0.0.1 and a Unix socket.
#
#   tools/citus_cluster.sh start DIR PORT   # ports PORT (coordinator),
#                                           # PORT+1, PORT+2 (workers)
#   tools/citus_cluster.sh stop DIR
#
# start prints the coordinator's connection URI on its last line (database
# natscope, user natscope, trust authentication on loopback only). Needs
# Citus installed (tools/build_citus.sh) and runs the servers as the user
# postgres when started as root. stop is idempotent; removing DIR after it
# removes everything.
set -euo pipefail

readonly BIN=/usr/lib/postgresql/15/bin
fail() { echo "citus_cluster: $*" >&2; exit 1; }
# From /: the caller's directory (Bazel's runfiles under /root) may be
# closed to postgres, and psql and pg_ctl would complain about it.
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

start_node() {
  local dir=$1 port=$2
  as_pg "$BIN/initdb" -D "$dir" -A trust -U postgres >/dev/null
  cat >>"$dir/postgresql.conf" <<CONF
shared_preload_libraries = 'citus'
max_prepared_transactions = 100
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
CONF
  as_pg "$BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w start >/dev/null ||
    fail "node on port $port did not start: $(tail -n 20 "$dir/server.log")"
}

sql() {  # sql PORT DB STATEMENT
  psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

start() {
  local dir=$1 port=$2 i
  [[ -x $BIN/initdb ]] || fail "PostgreSQL 15 is missing (tools/setup.sh)"
  [[ -f "$("$BIN/pg_config" --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)/citus.so" ]] ||
    fail "Citus is not installed: run tools/build_citus.sh as root"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$dir"
    as_pg test -x "$dir" ||
      fail "the user postgres cannot reach $dir: make its parents traversable (chmod 711)"
  fi
  for i in 0 1 2; do
    start_node "$dir/node$i" $((port + i))
    sql $((port + i)) postgres "CREATE ROLE natscope LOGIN SUPERUSER" >/dev/null
    sql $((port + i)) postgres "CREATE DATABASE natscope OWNER natscope" >/dev/null
    sql $((port + i)) natscope "CREATE EXTENSION citus" >/dev/null
  done
  sql "$port" natscope "SELECT citus_set_coordinator_host('127.0.0.1', $port)" >/dev/null
  sql "$port" natscope "SELECT citus_add_node('127.0.0.1', $((port + 1)))" >/dev/null
  sql "$port" natscope "SELECT citus_add_node('127.0.0.1', $((port + 2)))" >/dev/null
  echo "postgresql://natscope@127.0.0.1:$port/natscope"
}

stop() {
  local dir=$1 node
  [[ -d "$dir" ]] || return 0
  dir=$(cd "$dir" && pwd)
  for node in "$dir"/node*; do
    [[ -f "$node/postmaster.pid" ]] || continue
    as_pg "$BIN/pg_ctl" -D "$node" -m fast -w stop >/dev/null || true
  done
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || fail "usage: $0 start DIR PORT"; start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || fail "usage: $0 stop DIR"; stop "$2" ;;
  *) fail "usage: $0 start DIR PORT | stop DIR" ;;
esac
