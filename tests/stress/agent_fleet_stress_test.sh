#!/usr/bin/env bash
# Stress: a fleet of natscope-agent daemons against one natscope-server,
# on more agents than cores, under CPU contention, with probes, network
# changes and delivery all under way at once. Built for the sanitizer
# passes (tools/test.sh runs it under --config=asan and --config=tsan),
# where a data race or a use-after-free between the agent's threads
# (reader, prober, delivery, status, network watcher) is reported even
# when it does not crash; it also catches a plain crash in any build.
#
# The lab (tests/natlab/natlab.sh rules: own namespaces, lab addresses,
# nothing routed to the host, all torn down on exit):
#   inet    natscope-server: gRPC with TLS on 203.0.113.20:7700, STUN on
#           203.0.113.20:3478 (alternate .21:3479, extra ports), QUIC .22:443
#   pubN    connectors on public addresses (no NAT), 198.51.100.0/24
#   rtr     a masquerading router (192.0.2.2), and behind it
#   natN    clients on 192.168.N.2
# Every agent runs `natscope-agent run --config=FILE` (TLS), follows its
# own log that the test keeps appending to, probes every 10 s, and sees its
# namespace's addresses change every second (its network watcher reads each
# change; the probe schedule debounces them to at most one probe per 30 s).
# Two busy loops (bounded by the run's length) keep both cores loaded.
#
# Passes when, after the run, every agent is still alive, no sanitizer
# wrote a report, every agent probed and had a batch acknowledged, and
# every line written reached PostgreSQL exactly once.
#
# Usage: agent_fleet_stress_test.sh AGENT SERVER [--agents=N] [--seconds=S]
#   (defaults 14 agents, 30 s; STRESS_AGENTS / STRESS_SECONDS also work)
set -euo pipefail
AGENT=${1:?usage: $0 NATSCOPE_AGENT NATSCOPE_SERVER [--agents=N] [--seconds=S]}
SERVER=${2:?usage: $0 NATSCOPE_AGENT NATSCOPE_SERVER [--agents=N] [--seconds=S]}
shift 2
AGENTS=${STRESS_AGENTS:-14}
RUN_SECONDS=${STRESS_SECONDS:-30}
for arg in "$@"; do
  case "$arg" in
    --agents=*) AGENTS=${arg#*=} ;;
    --seconds=*) RUN_SECONDS=${arg#*=} ;;
    *) echo "unknown argument: $arg (expected --agents=N or --seconds=S)" >&2; exit 2 ;;
  esac
done
[[ "$AGENTS" =~ ^[0-9]+$ && $AGENTS -ge 2 && $AGENTS -le 60 ]] ||
  { echo "--agents must be a number from 2 to 60" >&2; exit 2; }
[[ "$RUN_SECONDS" =~ ^[0-9]+$ && $RUN_SECONDS -ge 5 && $RUN_SECONDS -le 600 ]] ||
  { echo "--seconds must be a number from 5 to 600" >&2; exit 2; }

# shellcheck source=tests/natlab/natlab.sh
source "$(dirname "$0")/../natlab/natlab.sh"
for tool in openssl psql nft ip; do
  command -v "$tool" >/dev/null || fail "$tool is not installed: run tools/setup.sh"
done

# Sanitizer reports of every process this test starts go to one folder
# (the binaries' own defaults make each report fatal; see
# tools/sanitizers/sanitizer_options.cc). Options already set are kept.
REPORTS="$NL_SCRATCH/sanitizer-reports"
mkdir -p "$REPORTS"
chmod 777 "$REPORTS"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$REPORTS/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$REPORTS/ubsan"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$REPORTS/tsan"
reports() { find "$REPORTS" -type f -size +0 2>/dev/null; }
show_reports() {
  local f
  for f in $(reports); do echo "--- sanitizer report $f"; head -n 100 "$f"; done
}
# Whatever fails, the sanitizers' reports are the first thing to read.
fail() { show_reports >&2; echo "FAIL: $*" >&2; exit 1; }

TOKEN=stress-enrollment-token
GRPC="$NL_NATSCOPE_IP:7700"

# --- the lab ----------------------------------------------------------
nl_add_ns inet rtr
for ip in "$NL_NATSCOPE_IP" "$NL_NATSCOPE_ALT_IP" "$NL_QUIC_IP"; do
  ip -n "$(nl_ns inet)" addr add "$ip/32" dev lo
done
# link UPPER IFACE LOWER UPPER_ADDR LOWER_ADDR/LEN: a veth pair from lab
# namespace UPPER (interface IFACE) to LOWER ("wan"), whose default route
# points at UPPER_ADDR.
link() {
  local upper lower; upper=$(nl_ns "$1"); lower=$(nl_ns "$3")
  ip -n "$upper" link add "$2" type veth peer name wan netns "$lower"
  ip -n "$upper" addr add "$4/${5#*/}" dev "$2"
  ip -n "$lower" addr add "$5" dev wan
  ip -n "$upper" link set "$2" up
  ip -n "$lower" link set wan up
  ip -n "$lower" route add default via "$4"
}
PUBLIC=$(((AGENTS + 1) / 2))
for ((k = 1; k <= AGENTS; k++)); do
  if ((k <= PUBLIC)); then
    # Connector on a public address: a /30 of 198.51.100.0/24 on inet.
    nl_add_ns "pub$k"
    link inet "p$k" "pub$k" "198.51.100.$((4 * k + 1))" "198.51.100.$((4 * k + 2))/30"
  else
    # Client behind rtr's masquerade, alone on 192.168.K.0/24.
    nl_add_ns "nat$k"
    link rtr "l$k" "nat$k" "192.168.$k.1" "192.168.$k.2/24"
  fi
done
# inet <-> rtr: 192.0.2.0/30; rtr masquerades its LANs.
link inet rtr0 rtr 192.0.2.1 192.0.2.2/30
nl_router rtr
nl_masquerade rtr
log "lab built: $PUBLIC public connector(s), $((AGENTS - PUBLIC)) client(s) behind NAT"

# --- natscope-server with TLS ---------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj /CN=natscope-stress -addext "subjectAltName=IP:$NL_NATSCOPE_IP" \
  -keyout "$NL_SCRATCH/server.key" -out "$NL_SCRATCH/server.crt" \
  >"$NL_SCRATCH/openssl.log" 2>&1 || fail "openssl: $(cat "$NL_SCRATCH/openssl.log")"
nl_spawn inet "$NL_SCRATCH/server.log" "$SERVER" --data_dir="$NL_SCRATCH/data" \
  --listen="$GRPC" --tls_cert="$NL_SCRATCH/server.crt" --tls_key="$NL_SCRATCH/server.key" \
  --stun_listen="$NL_NATSCOPE_IP:$NL_STUN_PORT" --stun_alt_ip="$NL_NATSCOPE_ALT_IP" \
  --stun_alt_port="$NL_STUN_ALT_PORT" --stun_ports="$NL_NATSCOPE_EXTRA_PORTS" \
  --quic_listen="$NL_QUIC_IP:443" --enrollment_token="$TOKEN" \
  --port_file="$NL_SCRATCH/server.ports"
SERVER_PID=$NL_LAST_PID
deadline=$((SECONDS + 120))
until [[ -f "$NL_SCRATCH/server.ports" ]]; do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "natscope-server exited: $(tail -n 30 "$NL_SCRATCH/server.log")"
  [[ $SECONDS -lt $deadline ]] || fail "natscope-server did not start in 120 s"
  sleep 0.2
done
log "natscope-server up on $GRPC (TLS)"

# --- the agents -------------------------------------------------------------
agent_ns() { if (($1 <= PUBLIC)); then echo "pub$1"; else echo "nat$1"; fi; }
line() {  # line K N: the Nth product line of agent K (unique, relevant).
  printf '2026-12-06T10:00:00Z [INFO] [libsdwan] stun_nat_type: endpoint-independent agent=%d line=%06d\n' "$1" "$2"
}
declare -A AGENT_PID WRITTEN
for ((k = 1; k <= AGENTS; k++)); do
  dir="$NL_SCRATCH/agent$k"
  mkdir -p "$dir/logs"
  for ((n = 1; n <= 20; n++)); do line "$k" "$n"; done >"$dir/logs/product.log"
  WRITTEN[$k]=20
  if ((k <= PUBLIC)); then role=ROLE_CONNECTOR; else role=ROLE_CLIENT; fi
  cat >"$dir/agent.textproto" <<CONF
server: "$GRPC"
tls { ca_file: "$NL_SCRATCH/server.crt" }
state_dir: "$dir/state"
identity { agent_id: "stress-$k" site: "stress-$(( (k - 1) % 3 ))" role: $role }
logs { path: "$dir/logs/product.log" from_start: true }
probe {
  stun_servers: "$NL_NATSCOPE_IP:$NL_STUN_PORT"
  quic_server: "$NL_QUIC_IP:443"
  interval: "10s"
  jitter: "1s"
  gateways: true
}
batch { max_records: 50 max_delay: "200ms" }
status_interval: "1s"
poll_interval: "50ms"
rpc_deadline: "10s"
CONF
  nl_spawn "$(agent_ns "$k")" "$dir/agent.log" "$AGENT" run --config="$dir/agent.textproto" \
    --token="$TOKEN"
  AGENT_PID[$k]=$NL_LAST_PID
done
log "started $AGENTS agents"

# --- load: CPU burners, log lines, network changes --------------------------
END=$((SECONDS + RUN_SECONDS))
for _ in 1 2; do
  timeout "$RUN_SECONDS" sh -c 'while :; do :; done' &
  NL_PIDS+=($!)
done
round=0
alive_check() {
  local k
  for ((k = 1; k <= AGENTS; k++)); do
    kill -0 "${AGENT_PID[$k]}" 2>/dev/null ||
      fail "agent $k ($(agent_ns "$k")) died during the run: $(tail -n 20 "$NL_SCRATCH/agent$k/agent.log")"
  done
}
while ((SECONDS < END)); do
  round=$((round + 1))
  for ((k = 1; k <= AGENTS; k++)); do
    n=${WRITTEN[$k]}
    for ((j = 1; j <= 5; j++)); do line "$k" $((n + j)); done >>"$NL_SCRATCH/agent$k/logs/product.log"
    WRITTEN[$k]=$((n + 5))
    # A secondary lab address comes and goes: the agent's network watcher
    # sees an address change each second (its schedule debounces probes).
    ns=$(nl_ns "$(agent_ns "$k")")
    if ((round % 2)); then
      ip -n "$ns" addr add "203.0.113.$((100 + k))/32" dev lo 2>/dev/null || true
    else
      ip -n "$ns" addr del "203.0.113.$((100 + k))/32" dev lo 2>/dev/null || true
    fi
  done
  alive_check
  sleep 1
done
log "load done after $round rounds"

# --- checks -----------------------------------------------------------------
[[ -z "$(reports)" ]] || fail "a sanitizer reported an error (above)"
alive_check

status_of() { cat "$NL_SCRATCH/agent$1/state/status.json" 2>/dev/null || true; }
# The embedded cluster's socket directory is line 5 of its postmaster.pid.
PG_SOCKET=$(sed -n 5p "$NL_SCRATCH/data/postgres/postmaster.pid")
# Its superuser's password is in the file beside the data directory.
PG_URI="host=$PG_SOCKET port=5432 dbname=postgres user=natscope passfile=$NL_SCRATCH/data/postgres.password"
# Every line written reached PostgreSQL exactly once.
stored_of() {
  psql -X -A -t -q "$PG_URI" -c \
    "SELECT count(*), count(DISTINCT raw_line) FROM log_events WHERE agent_id = 'stress-$1'" 2>/dev/null || echo "?|?"
}
deadline=$((SECONDS + 120))
for ((k = 1; k <= AGENTS; k++)); do
  while :; do
    got=$(stored_of "$k")
    [[ "$got" == "${WRITTEN[$k]}|${WRITTEN[$k]}" ]] && break
    kill -0 "${AGENT_PID[$k]}" 2>/dev/null || fail "agent $k died after the run: $(tail -n 20 "$NL_SCRATCH/agent$k/agent.log")"
    [[ $SECONDS -lt $deadline ]] ||
      fail "agent $k: PostgreSQL holds (rows|distinct) $got of ${WRITTEN[$k]} lines written"
    sleep 0.5
  done
  grep -q '"probes": "[1-9]' <<<"$(status_of "$k")" ||
    fail "agent $k never probed: $(status_of "$k")"
done
log "every agent probed; all $(( ${WRITTEN[*]/%/+} 0 )) lines stored exactly once"

# Stop everything with SIGTERM and let the sanitizers' exit checks
# (leaks, races at shutdown) run, then look once more. A process that does
# not exit in time fails the test (teardown then kills it).
# stop NAME PID LOG SECONDS: SIGTERM, then its exit status must be 0.
stop() {
  local name=$1 pid=$2 log_file=$3 deadline=$((SECONDS + $4)) rc=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    [[ $SECONDS -lt $deadline ]] || fail "$name did not exit within $4 s of SIGTERM: $(tail -n 20 "$log_file")"
    sleep 0.2
  done
  wait "$pid" || rc=$?
  [[ $rc -eq 0 ]] || fail "$name exited with status $rc on SIGTERM: $(tail -n 20 "$log_file")"
}
for ((k = 1; k <= AGENTS; k++)); do kill -TERM "${AGENT_PID[$k]}" 2>/dev/null || true; done
for ((k = 1; k <= AGENTS; k++)); do
  stop "agent $k" "${AGENT_PID[$k]}" "$NL_SCRATCH/agent$k/agent.log" 60
done
stop natscope-server "$SERVER_PID" "$NL_SCRATCH/server.log" 90
[[ -z "$(reports)" ]] || fail "a sanitizer reported an error at shutdown (above)"
log "PASS: $AGENTS agents, $RUN_SECONDS s, no crash, no sanitizer report"
