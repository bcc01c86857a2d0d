#!/usr/bin/env bash
# /metrics of the real binaries through promtool: natscope-agent run
# --metrics_listen (with a real server to ship to and probe, so delivery
# and probe metrics have values), then natscope-server --http_listen, and
# its metrics after a reload of --aws_ip_ranges. Any promtool output (a
# format error or a lint warning) fails the test.
# Usage: promtool_test.sh AGENT SERVER
AGENT=$1 SERVER=$2
here=$(dirname "$0")
# shellcheck source=tests/e2e/lib.sh
source "$here/../e2e/lib.sh"

PROMTOOL=${PROMTOOL:-/usr/bin/promtool}
[[ -x "$PROMTOOL" ]] || fail "$PROMTOOL not found: run tools/setup.sh (Debian package prometheus)"

# check_metrics NAME URL: fetches URL into $SCRATCH/NAME.metrics, checks the
# content type, and fails on anything promtool prints.
check_metrics() {
  local name=$1 url=$2 out
  curl -sS -D "$SCRATCH/$name.headers" -o "$SCRATCH/$name.metrics" "$url" ||
    fail "$name: GET $url failed"
  grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$SCRATCH/$name.headers" ||
    fail "$name: wrong content type: $(cat "$SCRATCH/$name.headers")"
  local rc=0
  out=$("$PROMTOOL" check metrics <"$SCRATCH/$name.metrics" 2>&1) || rc=$?
  if [[ $rc -ne 0 || -n "$out" ]]; then
    echo "promtool (exit $rc) on $name's /metrics:"
    echo "$out"
    fail "$name: promtool check metrics found problems (above)"
  fi
  log "$name: $(grep -c '^# TYPE' "$SCRATCH/$name.metrics") metric families, promtool clean"
}

# has_metric NAME REGEX: a sample line of $SCRATCH/NAME.metrics matches.
has_metric() { grep -qE "$2" "$SCRATCH/$1.metrics" || fail "$1: no line matches /$2/"; }

# AWS ranges of a lab prefix, of createDate $1.
ranges() {
  printf '{"createDate": "%s", "prefixes": [{"ip_prefix": "192.0.2.0/24",
    "region": "us-east-1", "service": "EC2", "network_border_group": "us-east-1"}],
    "ipv6_prefixes": []}\n' "$1"
}
ranges 2026-08-22-15-17-05 >"$SCRATCH/ip-ranges.json"
start_server srv --http_listen=127.0.0.1:0 --aws_ip_ranges="$SCRATCH/ip-ranges.json" \
  --aws_ip_ranges_check=1s --syslog_listen=127.0.0.1:0

echo "[INFO] [libsdwan] stun_nat_type: endpoint-independent" >"$SCRATCH/app.log"
spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" \
  --server="127.0.0.1:$GRPC_PORT" --stun="127.0.0.1:$STUN_PORT" \
  --site=metrics --role=client --agent_id=metrics-1 \
  --log_file="$SCRATCH/app.log" --state_dir="$SCRATCH/state" \
  --probe_interval=1h --poll_interval=100ms \
  --metrics_listen=127.0.0.1:0 >"$SCRATCH/agent.log" 2>&1

agent_url() { grep -o 'serving metrics url=[^ ]*' "$SCRATCH/agent.log" | head -n1 | cut -d= -f2; }
wait_for 30 "the agent's metrics listener" bash -c "grep -q 'serving metrics url=' '$SCRATCH/agent.log'"
URL=$(agent_url)
log "agent metrics at $URL"

# The log line and the first probe shipped: every agent family has a value.
shipped() {
  curl -sS "$URL" >"$SCRATCH/poll.metrics" &&
    grep -qE '^natscope_agent_records_shipped_total [2-9]' "$SCRATCH/poll.metrics" &&
    grep -q '^natscope_agent_probe_duration_seconds_count' "$SCRATCH/poll.metrics"
}
wait_for 60 "the agent to ship its log line and its probe" shipped

check_metrics agent "$URL"
has_metric agent '^natscope_agent_lines_read_total 1$'
has_metric agent '^natscope_agent_records_spooled_total 2$'
has_metric agent '^natscope_agent_spool_bytes [0-9]+$'
has_metric agent '^natscope_agent_backlog_age_seconds 0$'
has_metric agent '^natscope_agent_probes_total\{result="ok",mapping="[a-z-]+"\} 1$'
has_metric agent '^natscope_agent_probe_duration_seconds_bucket\{le="\+Inf"\} 1$'

code=$(curl -sS -o /dev/null -w '%{http_code}' "${URL%/metrics}/elsewhere")
[[ "$code" == 404 ]] || fail "agent: GET /elsewhere answered $code, not 404"

[[ -n "$HTTP_PORT" ]] || fail "natscope-server wrote no http=PORT to --port_file: $(cat "$SCRATCH/srv.ports")"
check_metrics server "http://127.0.0.1:$HTTP_PORT/metrics"
has_metric server '^natscope_rpc_requests_total\{method="/natscope.v1.AgentService/Ingest",code="OK"\} [1-9]'
has_metric server '^natscope_rpc_duration_seconds_bucket\{method="/natscope.v1.AgentService/Enroll",le="\+Inf"\} 1$'
has_metric server '^natscope_ingest_batches_total\{result="accepted"\} [1-9]'
has_metric server '^natscope_ingest_records_total\{result="accepted"\} [2-9]'
has_metric server '^natscope_enrollments_total\{result="accepted"\} 1$'
has_metric server '^natscope_stun_requests_total\{protocol="stun"\} [1-9]'
has_metric server '^natscope_aws_ranges_created_timestamp_seconds 1787411825$'
has_metric server '^natscope_aws_ranges_reloads_total\{result="ok"\} 0$'
# Intake: the syslog listener's counters are there from the start; a bad
# OTLP request is counted by status.
has_metric server '^natscope_syslog_connections_open 0$'
curl -sS -o /dev/null -X POST --data-binary "" "http://127.0.0.1:$HTTP_PORT/v1/logs"
curl -sS "http://127.0.0.1:$HTTP_PORT/metrics" >"$SCRATCH/server.metrics"
has_metric server '^natscope_otlp_requests_total\{code="401"\} 1$'

# A new ranges file moved over the old one (what the daily download does,
# docs/probe.md) is in use within --aws_ip_ranges_check.
ranges 2026-12-01-00-00-00 >"$SCRATCH/ip-ranges.json.new"
mv "$SCRATCH/ip-ranges.json.new" "$SCRATCH/ip-ranges.json"
reloaded() {
  curl -sS "http://127.0.0.1:$HTTP_PORT/metrics" >"$SCRATCH/server.metrics" &&
    grep -q '^natscope_aws_ranges_created_timestamp_seconds 1796083200$' "$SCRATCH/server.metrics"
}
wait_for 30 "natscope-server to reload --aws_ip_ranges" reloaded
has_metric server '^natscope_aws_ranges_reloads_total\{result="ok"\} 1$'
log "PASS"
