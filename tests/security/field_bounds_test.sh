#!/usr/bin/env bash
# Item 4 of docs/security.md: every field has a bound.
#  - a 6 MiB raw_line is refused with INVALID_ARGUMENT naming the field
#    (a 64 KiB one, the agent's own limit, is stored);
#  - an oversize hostname in a batch is refused the same way;
#  - errors quoting user input stay short: a 10 KB agent id is refused
#    with a message under 1 KiB;
#  - Enroll's current_credential and ResetAgent's agent id are bounded.
# Usage: field_bounds_test.sh AGENT SERVER CLI HOSTILE
common="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/security/common.sh"
[[ -f "$common" ]] || common="$(dirname "$0")/common.sh"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$common" "$@"

start_server bounds
credential=$(enroll_agent "$ENROLL_TOKEN" big-1)

out=$(hostile ingest --credential="$credential" --sequence=1 --raw_line_bytes=$((6 << 20)))
expect_code INVALID_ARGUMENT "$out" "a 6 MiB raw line"
[[ "$out" == *"records[0].log.raw_line is 6291456 bytes; the limit is 65536"* ]] ||
  fail "the refusal does not name the field: $out"
expect_code OK "$(hostile ingest --credential="$credential" --sequence=2 --raw_line_bytes=65536)" "a 64 KiB raw line"
longest=$(sql bounds "SELECT max(length(raw_line)) FROM log_events")
[[ "$longest" == 65536 ]] || fail "the longest stored line is $longest bytes"

out=$(hostile ingest --credential="$credential" --sequence=3 --hostname_bytes=300)
expect_code INVALID_ARGUMENT "$out" "a 300-byte hostname"
[[ "$out" == *"agent.hostname is 300 bytes"* ]] || fail "the refusal does not name the field: $out"

out=$(hostile enroll --token="$ENROLL_TOKEN" --agent_id="$(head -c 10000 /dev/zero | tr '\0' a)")
expect_code INVALID_ARGUMENT "$out" "a 10 KB agent id"
((${#out} < 1024)) || fail "the refusal of a 10 KB agent id is ${#out} bytes long"
out=$(hostile enroll --token="$ENROLL_TOKEN" --agent_id=big-2 \
  --current_credential="$(head -c 300 /dev/zero | tr '\0' c)")
expect_code INVALID_ARGUMENT "$out" "a 300-byte current_credential"

out=$(admin agents reset "$(head -c 200 /dev/zero | tr '\0' a)" 2>&1 || true)
[[ "$out" == *"agent_id must be 1 to 128 characters"* ]] ||
  fail "an oversize agent id to agents reset is not refused: $out"
log "PASS"
