#!/usr/bin/env bash
# The main job, end to end on this machine: builds natscope, starts
# natscope-server on its embedded PostgreSQL, starts four agents on loopback
# (two sites plus an AWS VPC, clients and connectors) that follow sample logs
# from tests/testdata/ and probe the server's STUN port, waits until their
# data has arrived, prints `natscope sites`, and shuts everything down.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

say() { echo "demo: $*"; }

tools/setup.sh

say "building natscope-server, natscope-agent and natscope (bazel build)"
bazel build --noshow_progress //server:natscope-server //ingest/agent:natscope-agent //server/cli:natscope
bin=$(bazel info bazel-bin 2>/dev/null)
server_bin=$bin/server/natscope-server
agent_bin=$bin/ingest/agent/natscope-agent
cli_bin=$bin/server/cli/natscope

work=$(mktemp -d /tmp/natscope-demo.XXXXXX)
# The embedded PostgreSQL runs as an unprivileged user when we are root;
# it must be able to reach its data directory below this one.
chmod 711 "$work"
pids=()
server_pid=""

cleanup() {
  local rc=$?
  if [[ ${#pids[@]} -gt 0 ]]; then
    say "stopping ${#pids[@]} agent(s)"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if [[ -n "$server_pid" ]]; then
    say "stopping natscope-server (it stops its PostgreSQL)"
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if pgrep -f "$work" >/dev/null; then
    say "some processes did not stop; killing them:"
    pgrep -af "$work" || true
    pkill -KILL -f "$work" || true
    rc=1
  fi
  rm -rf "$work"
  [[ $rc -eq 0 ]] && say "done: nothing left running"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting natscope-server (embedded PostgreSQL in $work/data)"
# Agents enroll with the site enrollment token the demo gives the server;
# the CLI authenticates with the admin token the server writes on first start.
"$server_bin" --data_dir="$work/data" --listen=127.0.0.1:0 --enrollment_token=demo-token \
  --stun_listen=127.0.0.1:0 --port_file="$work/ports" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  [[ -f "$work/ports" ]] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    say "natscope-server failed to start:"
    cat "$work/server.log"
    server_pid=""
    exit 1
  fi
  sleep 0.1
done
[[ -f "$work/ports" ]] || { say "natscope-server did not start in 60 s:"; cat "$work/server.log"; exit 1; }
grpc_port=$(sed -n 's/^grpc=//p' "$work/ports")
stun_port=$(sed -n 's/^stun=//p' "$work/ports")
say "natscope-server is up: gRPC 127.0.0.1:$grpc_port, STUN 127.0.0.1:$stun_port"

# The agents skip the gateway queries (--nogateways): the demo keeps all
# its traffic on loopback.
start_agent() {  # site role agent_id log
  local site=$1 role=$2 id=$3 log=$4
  cp "tests/testdata/$log" "$work/$log"
  "$agent_bin" run --nogateways --plaintext --token=demo-token --server="127.0.0.1:$grpc_port" --stun="127.0.0.1:$stun_port" \
    --site="$site" --role="$role" --agent_id="$id" --log_file="$work/$log" \
    --state_dir="$work/state-$id" \
    --probe_interval=1h >"$work/agent-$id.log" 2>&1 &
  pids+=($!)
  say "started agent $id ($role at site $site) following $log"
}
start_agent paris client paris-laptop-1 paris-laptop.log
start_agent paris connector paris-gateway-1 paris-gateway.log
start_agent aws-vpc connector aws-connector-1 aws-vpc-connector.log
start_agent berlin client berlin-laptop-7 berlin-laptop.log

say "waiting for the agents' logs and probes to arrive"
expected=(
  "aws-vpc +connector +1 +endpoint-dependent: 1"
  "berlin +client +1 +endpoint-dependent: 1"
  "paris +client +1 +endpoint-independent: 1"
  "paris +connector +1 +endpoint-independent: 1"
)
arrived=false
for _ in $(seq 1 120); do
  table=$("$cli_bin" sites --token_file="$work/data/admin_token" --server="127.0.0.1:$grpc_port" 2>/dev/null || true)
  ok=true
  for row in "${expected[@]}"; do
    grep -qE "^$row\$" <<<"$table" || { ok=false; break; }
  done
  if $ok; then arrived=true; break; fi
  sleep 0.5
done
if ! $arrived; then
  say "the agents' data did not arrive in 60 s; last table:"
  echo "$table"
  for f in "$work"/agent-*.log "$work/server.log"; do echo "--- $f"; tail -n 20 "$f"; done
  exit 1
fi
say "all four agents have reported; natscope sites says:"
echo
"$cli_bin" sites --token_file="$work/data/admin_token" --server="127.0.0.1:$grpc_port"
echo
say "and one site analysed (natscope site paris):"
echo
"$cli_bin" site paris --token_file="$work/data/admin_token" --server="127.0.0.1:$grpc_port"
echo
