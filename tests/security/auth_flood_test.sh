#!/usr/bin/env bash
# Item 6 of docs/security.md: unauthenticated callers are cheap to refuse.
#  - a flood of bogus tokens from one address is refused, past the failure
#    limit, with RESOURCE_EXHAUSTED before any lookup, while an enrolled
#    agent and a known viewer keep working;
#  - a revoked token stops working within a second, although lookups are
#    cached.
# Usage: auth_flood_test.sh AGENT SERVER CLI HOSTILE
common="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/security/common.sh"
[[ -f "$common" ]] || common="$(dirname "$0")/common.sh"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$common" "$@"

start_server flood
credential=$(enroll_agent "$ENROLL_TOKEN" steady-1)
viewer=$(admin tokens api create viewer dashboard | tail -n 1)
expect_code OK "$(hostile call --token="$viewer")" "the viewer before the flood"
expect_code OK "$(hostile ingest --credential="$credential" --sequence=1)" "the agent before the flood"

log "8 threads, 4000 calls with bogus tokens"
hostile flood --threads=8 --calls=4000 >"$SCRATCH/flood.out" &
flood=$!
seq=2
while kill -0 "$flood" 2>/dev/null; do
  expect_code OK "$(hostile ingest --credential="$credential" --sequence=$seq)" "the agent during the flood"
  expect_code OK "$(hostile call --token="$viewer")" "the viewer during the flood"
  seq=$((seq + 1))
  sleep 0.1  # Under the agent's own ingest rate (10/s).
done
wait "$flood"
out=$(cat "$SCRATCH/flood.out")
log "flood: $out; the agent's batches during it: $((seq - 2)), all stored"
exhausted=$(grep -o 'RESOURCE_EXHAUSTED=[0-9]*' <<<"$out" | cut -d= -f2)
unauthenticated=$(grep -o 'UNAUTHENTICATED=[0-9]*' <<<"$out" | cut -d= -f2)
((${exhausted:-0} > 3500)) || fail "the flood was not cut off by the failure limit: $out"
((${unauthenticated:-0} <= 100)) || fail "$unauthenticated bogus tokens were looked up: $out"

log "a revoked viewer token stops working within a second"
id=$(admin tokens api list | awk '$3 == "dashboard" {print $1}')
admin tokens api revoke "$id" >/dev/null
sleep 1
expect_code UNAUTHENTICATED "$(hostile call --token="$viewer")" "a viewer token revoked 1 s ago"
log "PASS"
