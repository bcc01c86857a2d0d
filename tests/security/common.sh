# Shared set-up of the tests/security shell tests. Source it after setting
# nothing: it takes the binaries from the arguments (agent, server, CLI,
# hostile client), sources tests/e2e/lib.sh and defines helpers.
AGENT=$1 SERVER=$2 CLI=$3 HOSTILE=$4
# Under bazel the helpers are in the runfiles tree; elsewhere beside us.
lib="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/e2e/lib.sh"
[[ -f "$lib" ]] || lib="$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$lib"

# hostile COMMAND [flags]: the hostile client against the server started
# last; prints its output (one "CODE message" line per call).
hostile() { "$HOSTILE" "$1" --server="127.0.0.1:$GRPC_PORT" "${@:2}" 2>>"$SCRATCH/hostile.log" || true; }

# admin ARGS...: the natscope CLI with the server's bootstrap admin token.
admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }

# expect_code CODE OUTPUT WHAT: fails unless OUTPUT starts with CODE.
expect_code() {
  [[ "$2" == "$1"* ]] || fail "$3: expected $1, got: $2"
}

# site_token SITE [flags]: a new enrollment token of SITE (admin).
site_token() {
  admin tokens enroll create "$@" | tail -n 1
}

# enroll_agent TOKEN ID [SITE]: enrolls with the hostile client; prints the
# credential.
enroll_agent() {
  local out
  out=$(hostile enroll --token="$1" --agent_id="$2" --site="${3:-lab}")
  expect_code OK "$out" "enrolling $2"
  echo "${out#OK }"
}

# rss_kib PID FIELD: a memory figure (VmRSS, VmHWM) of PID in KiB.
rss_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# sql NAME QUERY: QUERY's rows on the embedded PostgreSQL of the server
# started as NAME (unaligned, no headers), with the server's password file.
sql() {
  local data="$SCRATCH/$1-data" socket
  socket=$(sed -n 5p "$data/postgres/postmaster.pid")
  psql -X -w -A -t -q \
    "host=$socket port=5432 dbname=postgres user=natscope passfile=$data/postgres.password" \
    -c "$2"
}

# run_agent NAME [flags...]: natscope-agent `run` in flag mode against the
# server started last, state in $SCRATCH/NAME-state, log $SCRATCH/NAME.log;
# sets AGENT_PID.
run_agent() {
  local name=$1
  shift
  "$AGENT" run --plaintext --nogateways --server="127.0.0.1:$GRPC_PORT" \
    --site=lab --role=client --state_dir="$SCRATCH/$name-state" \
    --poll_interval=50ms "$@" >>"$SCRATCH/$name.log" 2>&1 &
  AGENT_PID=$!
  _pids+=("$AGENT_PID")
}
