#!/usr/bin/env bash
# Item 1 of docs/security.md: an enrolled agent cannot be taken over.
#  - with the site's enrollment token alone, enrolling an id that is
#    enrolled is refused (ALREADY_EXISTS, saying what to do), and the real
#    agent keeps working;
#  - with its current credential the agent rotates it (the old one stops);
#  - `natscope agents reset ID` releases the id, `agents remove ID` removes
#    the agent;
#  - tokens expire (7 days by default) and may be limited in uses;
#  - the agent refuses a token file open to others, and an agent refused
#    for a conflict backs off instead of re-enrolling in a tight loop;
#  - the default agent id carries a digest of /etc/machine-id, so two hosts
#    named alike do not collide.
# Usage: enrollment_test.sh AGENT SERVER CLI HOSTILE
common="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/security/common.sh"
[[ -f "$common" ]] || common="$(dirname "$0")/common.sh"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$common" "$@"

start_server enroll
token=$(site_token lab)
admin tokens enroll list lab | grep -q "$(date -u -d '+7 days' +%Y-%m-%d)" ||
  fail "a new enrollment token does not expire in 7 days: $(admin tokens enroll list lab)"

log "takeover with the site token is refused; the real agent keeps working"
real=$(enroll_agent "$token" gw-1)
out=$(hostile enroll --token="$token" --agent_id=gw-1)
expect_code ALREADY_EXISTS "$out" "re-enrolling gw-1 without its credential"
[[ "$out" == *"natscope agents reset gw-1"* ]] || fail "the refusal does not say what to do: $out"
out=$(hostile ingest --credential="$real" --sequence=1)
expect_code OK "$out" "the real agent after the takeover attempt"

log "rotation with the current credential; the old one stops working"
out=$(hostile enroll --token="$token" --agent_id=gw-1 --current_credential="$real")
expect_code OK "$out" "rotation"
rotated=${out#OK }
sleep 1  # Cached lookups are dropped within 0.5 s of a change.
expect_code UNAUTHENTICATED "$(hostile ingest --credential="$real" --sequence=2)" "the old credential"
expect_code OK "$(hostile ingest --credential="$rotated" --sequence=2)" "the rotated credential"

log "agents reset releases the id; agents remove removes the agent"
admin agents reset gw-1 | grep -q released || fail "agents reset gw-1 did not say released"
sleep 1
expect_code UNAUTHENTICATED "$(hostile ingest --credential="$rotated" --sequence=3)" "a released agent's credential"
again=$(enroll_agent "$token" gw-1)
admin agents remove gw-1 | grep -q removed || fail "agents remove gw-1 did not say removed"
sleep 1
expect_code UNAUTHENTICATED "$(hostile ingest --credential="$again" --sequence=4)" "a removed agent's credential"
out=$(admin agents remove gw-1 2>&1 || true)
[[ "$out" == *'no agent "gw-1"'* ]] || fail "removing twice is not NOT_FOUND: $out"

log "a token limited to one use enrolls one agent; an expired token none"
once=$(site_token lab --uses=1)
enroll_agent "$once" one-1 >/dev/null
out=$(hostile enroll --token="$once" --agent_id=one-2)
expect_code PERMISSION_DENIED "$out" "a used-up token"
short=$(site_token lab --expires=1s)
sleep 2
out=$(hostile enroll --token="$short" --agent_id=late-1)
expect_code PERMISSION_DENIED "$out" "an expired token"
[[ "$out" == *expired* ]] || fail "the refusal does not say expired: $out"

log "the agent refuses a token file others may read"
mkdir -p "$SCRATCH/etc"
printf '%s\n' "$token" >"$SCRATCH/etc/token"
chmod 644 "$SCRATCH/etc/token"
cat >"$SCRATCH/agent.textproto" <<CONF
server: "127.0.0.1:$GRPC_PORT"
tls { plaintext: true }
state_dir: "$SCRATCH/file-state"
identity { agent_id: "file-1" site: "lab" role: ROLE_CLIENT }
enrollment_token_file: "$SCRATCH/etc/token"
CONF
if "$AGENT" enroll --config="$SCRATCH/agent.textproto" >"$SCRATCH/file.out" 2>&1; then
  fail "the agent enrolled with a token file of mode 644"
fi
grep -q "chmod 600 $SCRATCH/etc/token" "$SCRATCH/file.out" ||
  fail "the refusal does not give the chmod: $(cat "$SCRATCH/file.out")"
chmod 600 "$SCRATCH/etc/token"
"$AGENT" enroll --config="$SCRATCH/agent.textproto" >"$SCRATCH/file.out" 2>&1 ||
  fail "the agent did not enroll with a 0600 token file: $(cat "$SCRATCH/file.out")"

log "an agent refused for a conflict backs off"
enroll_agent "$token" taken-1 >/dev/null
refused_before=$(grep -c "enrolment refused" "$SCRATCH/enroll.log" || true)
run_agent conflict --token="$token" --agent_id=taken-1
wait_for 30 "the agent's refusal" grep -q "already enrolled" "$SCRATCH/conflict.log"
sleep 5
refusals=$(($(grep -c "enrolment refused" "$SCRATCH/enroll.log" || true) - refused_before))
log "the agent's enrolments refused in 5 s: $refusals"
((refusals == 1)) || fail "the refused agent tried $refusals times in 5 s (once, then wait a minute)"
grep -q "trying again in" "$SCRATCH/conflict.log" || fail "the agent does not say when it retries"
kill -0 "$AGENT_PID" || fail "the refused agent exited instead of waiting"

log "the default agent id is the hostname plus a digest of the machine id"
run_agent default --token="$token"
wait_for 30 "the default agent to enroll" grep -q "shipping to" "$SCRATCH/default.log"
id=$(grep -o "agent [^ ]* of site lab shipping" "$SCRATCH/default.log" | head -n1 | awk '{print $2}')
log "default agent id: $id"
[[ "$id" =~ ^$(hostname | tr -c 'A-Za-z0-9._\n-' -)-[0-9a-f]{8}$ ]] ||
  fail "default agent id $id is not <hostname>-<8 hex digits>"
log "PASS"
