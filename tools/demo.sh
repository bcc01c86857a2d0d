#!/usr/bin/env bash
# The main job, end to end on this machine. Builds natscope optimised
# (bazel build -c opt), then:
# - as root: runs tools/demo_fleet.sh, a fleet of four sites behind real
#   NATs in network namespaces on documentation addresses (a home router,
#   an AWS NAT gateway look-alike, a double NAT, a UDP-blocking firewall),
#   built with the NAT lab's helpers (tests/natlab/natlab.sh), around
#   natscope-server on the lab's internet; prints the per-site table, the
#   fleet's findings with what to do, the worst site's analysis and a
#   screenshot of the dashboard; tears everything down and checks nothing
#   is left;
# - otherwise (network namespaces need root): the loopback demo, four
#   agents on 127.0.0.1 that follow the sample logs in tests/testdata/
#   (every probe there sees no NAT).
# Usage: tools/demo.sh [--keep]   (--keep: as root, wait for Enter before
# the teardown; DEMO_SCREENSHOT=FILE moves or, empty, skips the screenshot)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "demo: $*"; }

keep=""
for arg in "$@"; do
  case "$arg" in
    --keep) keep=--keep ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown argument \"$arg\" (usage: tools/demo.sh [--keep])"; exit 2 ;;
  esac
done

# Why the fleet behind real NATs cannot run here (empty: it can).
lab_blocker() {
  if [[ $EUID -ne 0 ]]; then
    echo "not root (network namespaces need it: sudo tools/demo.sh)"
  elif ! unshare --net true 2>/dev/null; then
    echo "cannot create a network namespace here (a container or sandbox without CAP_SYS_ADMIN?)"
  fi
}
blocker=$(lab_blocker)

tools/setup.sh

say "building natscope-server, natscope-agent and natscope, optimised (bazel build -c opt;" \
  "a first build takes several minutes)"
build_start=$SECONDS
bazel build -c opt --show_progress_rate_limit=15 //server:natscope-server \
  //ingest/agent:natscope-agent //server/cli:natscope
bin=$(bazel info -c opt bazel-bin 2>/dev/null)
say "built in $((SECONDS - build_start)) s"
server_bin=$bin/server/natscope-server
agent_bin=$bin/ingest/agent/natscope-agent
cli_bin=$bin/server/cli/natscope

if [[ -z "$blocker" ]]; then
  # The fleet runs as a child (its lab is named after its PID); every
  # process it starts carries NATSCOPE_DEMO_RUN in its environment, so
  # survivors can be found afterwards.
  run_start=$SECONDS
  run_mark="natscope-demo-$$-$RANDOM"
  exec 3<&0  # A background job's stdin is /dev/null; --keep reads Enter.
  NATSCOPE_DEMO_RUN=$run_mark tools/demo_fleet.sh "$agent_bin" "$server_bin" "$cli_bin" $keep <&3 &
  fleet_pid=$!
  # An async child ignores SIGINT: pass Ctrl-C (or a TERM) on once, as a
  # TERM, on which the lab tears down (a second one would interrupt that).
  trap 'trap : INT TERM; kill -TERM "$fleet_pid" 2>/dev/null || true' INT TERM
  rc=0
  wait "$fleet_pid" || rc=$?
  # A signal interrupts wait; the fleet is still tearing down.
  while kill -0 "$fleet_pid" 2>/dev/null; do wait "$fleet_pid" || rc=$?; done
  left=$(ip netns list | grep "^nl$fleet_pid-" || true)
  survivors=$(grep -lsz "^NATSCOPE_DEMO_RUN=$run_mark\$" /proc/[0-9]*/environ |
    cut -d/ -f3 || true)
  if [[ -n "$left" || -n "$survivors" ]]; then
    say "left behind: namespaces ${left//$'\n'/ }; processes ${survivors//$'\n'/ }"
    exit 1
  fi
  if ((rc == 130 || rc == 143)); then say "interrupted; the lab is torn down"; exit "$rc"; fi
  ((rc == 0)) || { say "the fleet demo failed (exit $rc); see its output above"; exit "$rc"; }
  say "done in $((SECONDS - run_start)) s (plus $((run_start - build_start)) s to build):" \
    "no namespace and no process left"
  exit 0
fi

say "running the loopback demo instead of the fleet behind real NATs: $blocker"
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
