#!/usr/bin/env bash
# Agents -> server -> a generated report, on real parts: natscope-server on
# its embedded PostgreSQL, three natscope-agent daemons at two sites, the
# site-health refresher, a report schedule firing every two seconds (the
# server's --testonly_report_seconds), and `natscope report run` on demand.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

start_server srv --testonly_report_seconds
admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }

agent() {  # agent SITE ROLE ID [LOG LINE]
  local site=$1 role=$2 id=$3
  printf '%s\n' "${4:-}" >"$SCRATCH/$id.log"
  spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" \
    --server="127.0.0.1:$GRPC_PORT" --stun="127.0.0.1:$STUN_PORT" \
    --site="$site" --role="$role" --agent_id="$id" --log_file="$SCRATCH/$id.log" \
    --state_dir="$SCRATCH/state-$id" --probe_interval=1h --poll_interval=100ms \
    >"$SCRATCH/agent-$id.log" 2>&1
}
agent lyon client lyon-client-1
agent lyon connector lyon-connector-1
# Dated at the start: the analyzer weighs a stun_nat_type line while it is
# at most a week old (the log/probe disagreement below needs it).
agent aws connector aws-connector-1 \
  "$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ) [INFO] [libsdwan] stun_nat_type: endpoint-dependent"

# ListSites is served from the stored site health the refresher keeps.
both_sites() {
  local s
  s=$(admin sites --json)
  grep -q '"site": "lyon"' <<<"$s" && grep -q '"site": "aws"' <<<"$s" &&
    grep -q '"p2pCapableClients": 1' <<<"$s"
}
wait_for 90 "both sites analysed" both_sites
admin sites

# A viewer may read reports but not schedule one.
tail -n 1 <<<"$(admin tokens api create viewer dashboard)" >"$SCRATCH/viewer"
viewer() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$SCRATCH/viewer" "$@"; }
if viewer schedules create --name=nope --cron='* * * * *' --output_dir="$SCRATCH/x" \
  2>"$SCRATCH/viewer.err"; then
  fail "a viewer created a schedule"
fi
grep -qi "permission\|admin" "$SCRATCH/viewer.err" || fail "unclear refusal: $(cat "$SCRATCH/viewer.err")"

# Bad schedules are refused with the reason.
admin schedules create --name=bad --cron='61 * * * *' --output_dir="$SCRATCH/r" \
  2>"$SCRATCH/bad.err" && fail "a bad cron spec was accepted"
grep -q "minute" "$SCRATCH/bad.err" || fail "unclear cron error: $(cat "$SCRATCH/bad.err")"
admin schedules create --name=bad --cron='* * * * *' --time_zone=Mars/Olympus \
  --output_dir="$SCRATCH/r" 2>"$SCRATCH/bad.err" && fail "a bad time zone was accepted"
cat "$SCRATCH/bad.err"

# A schedule firing every two seconds writes a Markdown report to the
# directory; a viewer lists the run (RUN SCHEDULE FOR STATUS FORMAT FILE)
# and reads the stored report, the same as the file.
admin schedules create --name="Every two seconds" --cron='*/2 * * * * *' \
  --time_zone=Europe/Paris --format=markdown --output_dir="$SCRATCH/reports"
admin schedules |
  grep -qE "^every-two-seconds +Every two seconds +\*/2 \* \* \* \* \* +Europe/Paris" ||
  fail "schedule not listed: $(admin schedules)"
listed_run() {
  viewer reports every-two-seconds |
    grep -E "^[0-9]+ +every-two-seconds +.* ok +markdown +$SCRATCH/reports/[^ ]+\.md$" | head -n1
}
wait_for 60 "the scheduled report, listed for a viewer" listed_run
row=$(listed_run)
run=${row%% *} file=${row##* }
[[ -f "$file" ]] || fail "the run's report file $file is missing: $(ls "$SCRATCH/reports")"
cat "$file"
grep -q "^# Every two seconds" "$file" || fail "no title in $file"
grep -q "lyon" "$file" || fail "site lyon missing from the report"
grep -q "aws" "$file" || fail "site aws missing from the report"
grep -q "100%" "$file" || fail "lyon's peer-to-peer share missing"
# Each finding says which hosts it affects, on what evidence, and what to
# do: aws's connector logs a NAT type its probe contradicts.
grep -q "^#### Findings" "$file" || fail "no findings section in the report"
grep -q "aws-connector-1" "$file" || fail "the affected host is not named in the report"
grep -q "^- Evidence: " "$file" || fail "no evidence in the report"
grep -q "^- What to do: " "$file" || fail "no remediation in the report"
grep -q "^## Findings over time" "$file" || fail "no finding trend in the report"
viewer reports every-two-seconds --json | grep -q "\"runId\": \"$run\"" ||
  fail "run $run missing from the JSON listing: $(viewer reports every-two-seconds --json)"
viewer report show "$run" | cmp - "$file" || fail "the stored report differs from the file"

# On demand: JSON for one site, and HTML with its inline chart to a file.
json=$(admin report run --format=json --sites=lyon)
echo "$json"
grep -q '"site": "lyon"' <<<"$json" || fail "no lyon row in the JSON report"
grep -q '"site": "aws"' <<<"$json" && fail "site aws is outside the report's scope"
grep -q '"clients": 1' <<<"$json" || fail "no client count in the JSON report"
admin report run --format=html --title="Fleet now" --output="$SCRATCH/now.html"
grep -q "<svg" "$SCRATCH/now.html" || fail "no inline SVG chart in the HTML report"
grep -q "<h1>Fleet now</h1>" "$SCRATCH/now.html" || fail "no title in the HTML report"
grep -q "<script" "$SCRATCH/now.html" && fail "the HTML report must not carry scripts"
admin reports - | grep -c "(on demand)" | grep -q "^2$" || fail "on-demand runs: $(admin reports -)"

# The trend has the hour's point.
admin trend lyon | grep -qE "100% +#+" || fail "trend: $(admin trend lyon)"
admin schedules delete every-two-seconds
admin schedules | grep -q "no report schedules" || fail "schedule not deleted"
echo PASS
