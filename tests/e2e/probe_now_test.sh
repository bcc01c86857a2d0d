#!/usr/bin/env bash
# Probe now, end to end on loopback: an agent that probes once an hour and
# has nothing else to send checks in every few seconds; `natscope probe`
# asks it (by site, then by id) for a probe at its next contact, and
# --wait prints the fresh result. Then `natscope agents reset|remove`.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

start_server srv
admin() { "$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$TOKEN_FILE" "$@"; }

: >"$SCRATCH/client.log"
spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" --server="127.0.0.1:$GRPC_PORT" \
  --stun="127.0.0.1:$STUN_PORT" --site=lyon --role=client --agent_id=lyon-client-1 \
  --log_file="$SCRATCH/client.log" --state_dir="$SCRATCH/state-client" \
  --probe_interval=1h --probe_request_gap=2s --checkin_interval=5s --poll_interval=100ms \
  >"$SCRATCH/agent-client.log" 2>&1

probes() { admin agent lyon-client-1 | grep -cE "^ *[0-9TZ:.+-]+ +ok +no-nat" || true; }
has_probes() { [[ $(probes) -ge $1 ]]; }
# The probe at start; the next scheduled one is an hour away.
wait_for 60 "the agent's first probe" has_probes 1

# Unknown targets are refused with what to do.
admin probe nowhere 2>"$SCRATCH/nowhere.err" && fail "probing an unknown site must fail"
grep -q 'site "nowhere" has no agent to ask' "$SCRATCH/nowhere.err" \
  || fail "unclear error: $(cat "$SCRATCH/nowhere.err")"

# A site: the agent hears the request at its next check-in and probes.
out=$(admin probe lyon --wait=60s)
echo "$out"
grep -q "asked 1 agent of site lyon to probe at their next contact" <<<"$out" || fail "probe lyon: $out"
grep -qE "^lyon-client-1  probed .*  mapping no-nat \(confident\)  filtering " <<<"$out" || fail "no fresh result: $out"
[[ $(probes) -ge 2 ]] || fail "no second probe stored: $(admin agent lyon-client-1)"
admin agent lyon-client-1 --json | grep -q '"probeRequestedAt"' && fail "the request is still pending"

# One agent by id, without waiting, in JSON; then wait for it (a requested
# probe comes at most once every probe.request_gap: 2 s here, 1 min by
# default).
json=$(admin probe lyon-client-1 --json)
echo "$json"
grep -q '"agentIds": \[' <<<"$json" || fail "probe --json: $json"
grep -q '"requestedAt"' <<<"$json" || fail "probe --json: $json"
out=$(admin probe lyon-client-1 --wait)
echo "$out"
grep -q "asked agent lyon-client-1 to probe at its next contact" <<<"$out" || fail "probe ID: $out"
grep -qE "^lyon-client-1  probed " <<<"$out" || fail "no fresh result: $out"

# A viewer may not ask.
tail -n 1 <<<"$(admin tokens api create viewer dashboard)" >"$SCRATCH/viewer"
"$CLI" --server="127.0.0.1:$GRPC_PORT" --token_file="$SCRATCH/viewer" probe lyon 2>"$SCRATCH/viewer.err" \
  && fail "a viewer asked for a probe"
cat "$SCRATCH/viewer.err"

# The agent's lifecycle: reset releases its id, remove deletes it.
admin agents reset lyon-client-1 | grep -q "lyon-client-1" || fail "agents reset"
admin agents remove lyon-client-1 | grep -q "lyon-client-1" || fail "agents remove"
log "PASS"
echo PASS
