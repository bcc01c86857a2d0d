# A small fleet for the dashboard's browser test: real natscope-agent
# daemons on loopback, in three sites that differ, against a server that
# start_server (tests/e2e/lib.sh) started. Source it after lib.sh; needs
# AGENT, CLI, SCRATCH, GRPC_PORT, STUN_PORT, TOKEN_FILE and ENROLL_TOKEN.
#
#   berlin   a client, and a connector whose only STUN server never
#            answers: UDP blocked, every pair relayed (the worst site)
#   aws-vpc  a client whose product log says endpoint-dependent (and a
#            hostile-looking NAT type on a second client) while the probes
#            measure no NAT: the log and the probe disagree
#   lyon     a client and a connector, both without NAT: all direct; and
#            a client whose state directory was cloned (a batch conflict:
#            an unhealthy agent)
#
# start_fleet starts them and returns once every site has been analysed.

# cli ARGS...: the natscope CLI against the test's server, as admin.
cli() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }

# run_agent ID SITE ROLE LOGFILE [STATE] [flags...]: a natscope-agent
# daemon; sets AGENT_PID. STATE defaults to $SCRATCH/ID-state.
run_agent() {
  local id=$1 site=$2 role=$3 logfile=$4 state=${5:-$SCRATCH/$1-state}
  shift 4
  if (($# > 0)); then shift; fi
  local stun=${AGENT_STUN:-127.0.0.1:$STUN_PORT}
  spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" \
    --server="127.0.0.1:$GRPC_PORT" --stun="$stun" --site="$site" \
    --role="$role" --agent_id="$id" --log_file="$logfile" --state_dir="$state" \
    --probe_interval=1h --poll_interval=100ms "$@" \
    >>"$SCRATCH/agent-$id.log" 2>&1
  AGENT_PID=$!
}

# fleet_log NAME LINES...: writes a product log file, one line per arg.
fleet_log() {
  local file="$SCRATCH/$1.product.log"; shift
  printf '%s\n' "$@" >"$file"
  echo "$file"
}

# agent_has SITE REGEX: the site's agents, as JSON, match REGEX. (Read
# whole first: grep -q closing the pipe early would fail under pipefail.)
agent_has() {
  local json
  json=$(cli agents "$1" --json 2>/dev/null) && grep -q "$2" <<<"$json"
}
# fleet_probed N: at least N agents of the fleet sent a probe report.
fleet_probed() {
  local json
  json=$(cli agents --json 2>/dev/null) && (($(grep -c '"latestProbe"' <<<"$json") >= $1))
}
# site_has SITE REGEX: SITE's row of ListSites, as JSON, matches REGEX.
site_has() {
  local json
  json=$(cli sites --json 2>/dev/null) || return 1
  awk -v site="\"site\": \"$1\"" 'index($0, "\"site\":") { on = index($0, site) > 0 } on' \
    <<<"$json" | grep -q "$2"
}
# worst_site_is SITE COUNT: COUNT sites analysed, SITE the worst.
worst_site_is() {
  local json
  json=$(cli sites --json 2>/dev/null) || return 1
  [[ $(grep -c '"site":' <<<"$json") -ge $2 ]] &&
    grep -m1 '"site":' <<<"$json" | grep -q "\"$1\""
}

# The cloned lyon client (the only lyon agent whose log names a NAT
# type): run it, stop it, clone its state directory and log as they are,
# let the original ship one more line, then start the clone, whose next
# batch reuses a committed (epoch, sequence): a batch conflict, which the
# server counts and the agent reports in its counters (its health).
start_cloned_agent() {
  local logfile=$SCRATCH/lyon-laptop-2.product.log
  local line='[INFO] [libsdwan] stun_nat_type:'
  echo "2026-12-01T10:00:00Z $line endpoint-independent" >"$logfile"
  run_agent lyon-laptop-2 lyon client "$logfile"
  wait_for 60 "lyon-laptop-2's first line" agent_has lyon '"logNatType": "endpoint-independent"'
  kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || true
  cp -a "$SCRATCH/lyon-laptop-2-state" "$SCRATCH/lyon-laptop-2-clone"
  cp "$logfile" "$SCRATCH/at-clone.log"
  echo "2026-12-01T10:00:01Z $line endpoint-dependent" >>"$logfile"
  run_agent lyon-laptop-2 lyon client "$logfile"
  wait_for 60 "the original's line" agent_has lyon '"logNatType": "endpoint-dependent"'
  kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || true
  # The clone's disk: the log as cloned plus its own, newer line.
  echo "2026-12-01T10:00:02Z $line endpoint-independent" >>"$SCRATCH/at-clone.log"
  cp "$SCRATCH/at-clone.log" "$logfile"
  run_agent lyon-laptop-2 lyon client "$logfile" "$SCRATCH/lyon-laptop-2-clone"
  wait_for 60 "the clone's batch conflict" agent_has lyon '"batchConflicts": "[1-9]'
  wait_for 60 "the clone's line" agent_has lyon '"logNatType": "endpoint-independent"'
}

start_fleet() {
  local dead_port
  dead_port=$(free_udp_port)
  run_agent berlin-laptop-7 berlin client "$(fleet_log berlin-laptop \
    '[INFO] [client] Starting client 2026.330.0' \
    '[INFO] [libsdwan] sdwan_state: Online')"
  AGENT_STUN="127.0.0.1:$dead_port" run_agent berlin-gw-1 berlin connector \
    "$(fleet_log berlin-gw '[INFO] [connector] State: Starting')"
  # Dated now: the analyzer weighs a stun_nat_type line only while it is
  # at most a week old.
  run_agent aws-laptop-1 aws-vpc client "$(fleet_log aws-laptop \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ) [INFO] [libsdwan] stun_nat_type: endpoint-dependent")"
  run_agent aws-laptop-2 aws-vpc client "$(fleet_log aws-laptop-2 \
    '2026-11-25T09:00:05Z [INFO] [libsdwan] stun_nat_type: <b>x</b>')"
  run_agent aws-connector-1 aws-vpc connector "$(fleet_log aws-connector \
    'Nov 25 08:40:20 ip-10-0-1-23 twingate-connector[812]: [INFO] [libsdwan] sdwan_state: Online')"
  run_agent lyon-laptop-1 lyon client "$(fleet_log lyon-laptop \
    '2026-11-25T09:00:03Z [INFO] [libsdwan] sdwan_state: Online')"
  run_agent lyon-gw-1 lyon connector "$(fleet_log lyon-gw \
    '[2026-11-25T08:50:02Z][Connector]: [INFO] [libsdwan] sdwan_state: Online')"
  start_cloned_agent
  wait_for 90 "berlin's UDP-blocked probe" agent_has berlin FINDING_UDP_BLOCKED
  wait_for 60 "every agent's probe" fleet_probed 8
  # The refresher (every 2 s) re-analyses sites marked by the last batches.
  wait_for 60 "three sites analysed, berlin the worst" worst_site_is berlin 3
  wait_for 60 "berlin's summary to name UDP blocked" site_has berlin '"worstFinding": "FINDING_UDP_BLOCKED"'
  # The server judges the clone unhealthy once its counters arrive (the
  # browser test asserts it; here only wait, up to 30 s).
  for _ in $(seq 1 150); do
    site_has lyon '"unhealthyAgents": 1' && break
    sleep 0.2
  done
  log "fleet up: $(cli sites | tail -n 4 | tr '\n' ';')"
}
