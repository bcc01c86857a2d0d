#!/usr/bin/env bash
# Item 5 of docs/security.md: time is not taken on trust.
#  - a line dated 9999-12-30 is stored dated when it arrived, and does not
#    freeze the agent's NAT type: a later line changes it;
#  - the agent's clock skew (from the batch's send time) is recorded.
# Usage: time_test.sh AGENT SERVER CLI HOSTILE
common="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/security/common.sh"
[[ -f "$common" ]] || common="$(dirname "$0")/common.sh"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$common" "$@"

start_server time
credential=$(enroll_agent "$ENROLL_TOKEN" clock-1)
future=$(date -u -d '9999-12-30' +%s)
expect_code OK "$(hostile ingest --credential="$credential" --sequence=1 \
  --time="$future" --nat_type=symmetric)" "a line dated 9999-12-30"
year=$(sql time "SELECT extract(year FROM max(event_time)) FROM log_events")
[[ "$year" == "$(date -u +%Y)" ]] || fail "the line dated 9999 is stored in year $year"
expect_code OK "$(hostile ingest --credential="$credential" --sequence=2 \
  --time=$(($(date +%s) + 2)) --nat_type=endpoint-independent --sent=$(($(date +%s) + 3600)))" "a later line"
agents=$(admin agents lab --json)
grep -q '"logNatType": "endpoint-independent"' <<<"$agents" ||
  fail "one line dated 9999 froze the agent's NAT type: $agents"
skew=$(grep -o '"clockSkewSeconds": "[0-9-]*"' <<<"$agents" | grep -o '[0-9-]*' | tail -n1)
log "recorded clock skew: ${skew}s"
((skew > 3500 && skew < 3700)) || fail "clock skew $skew s recorded for an agent 3600 s ahead"
log "PASS"
