#!/usr/bin/env bash
# natscope-server's HTTP surface, on the real binary with curl: the JSON
# API with the tokens and policy of gRPC (an admin creates a viewer token
# over HTTP, which then reads but cannot write), paging, refusals of bad
# input with JSON errors, /healthz, /readyz, the dashboard's headers, and
# the refusal of a plaintext --http_listen on a public address.
AGENT=$1 SERVER=$2 CLI=$3
source "$(dirname "$0")/lib.sh"

# Refused before anything starts: plaintext HTTP on a public address.
if "$SERVER" --data_dir="$SCRATCH/refused" --http_listen=0.0.0.0:0 2>"$SCRATCH/refused.err"; then
  fail "plaintext --http_listen on 0.0.0.0 must be refused"
fi
grep -q "refusing to serve plaintext HTTP on 0.0.0.0:0" "$SCRATCH/refused.err" ||
  fail "unclear refusal: $(cat "$SCRATCH/refused.err")"
[[ ! -d "$SCRATCH/refused/postgres" ]] || fail "the database was started before the flag was checked"
"$SERVER" --data_dir="$SCRATCH/refused" --http_listen=localhost 2>"$SCRATCH/refused.err" &&
  fail "--http_listen without a port must be refused"
grep -q -- "--http_listen=localhost: no port" "$SCRATCH/refused.err" || fail "$(cat "$SCRATCH/refused.err")"

start_server srv --http_listen=127.0.0.1:0
[[ -n "$HTTP_PORT" ]] || fail "no http= line in the port file"
BASE="http://127.0.0.1:$HTTP_PORT"
ADMIN=$(cat "$TOKEN_FILE")

# code METHOD PATH TOKEN [BODY]: prints the HTTP status; the body goes to
# $SCRATCH/body.
code() {
  local args=(-s -o "$SCRATCH/body" -w '%{http_code}' -X "$1" "$BASE$2")
  [[ -n "$3" ]] && args+=(-H "Authorization: Bearer $3")
  [[ $# -ge 4 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
  curl "${args[@]}"
}
expect() {  # expect STATUS METHOD PATH TOKEN [BODY]
  local want=$1; shift
  local got
  got=$(code "$@")
  [[ "$got" == "$want" ]] || fail "$1 $2: HTTP $got, expected $want: $(cat "$SCRATCH/body")"
}

expect 200 GET /healthz ""
expect 200 GET /readyz ""
expect 401 GET /v1/sites ""
grep -q '"status":"UNAUTHENTICATED"' "$SCRATCH/body" || fail "401 without a JSON error: $(cat "$SCRATCH/body")"
expect 401 GET /v1/sites "not-a-token"
expect 200 GET /v1/sites "$ADMIN"
grep -q '"sites":\[\]' "$SCRATCH/body" || fail "a new server has no sites: $(cat "$SCRATCH/body")"

# An admin makes a viewer token over HTTP; the viewer reads, never writes.
expect 200 POST /v1/api-tokens "$ADMIN" '{"role":"API_TOKEN_ROLE_VIEWER","name":"dashboard"}'
VIEWER=$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$SCRATCH/body")
[[ -n "$VIEWER" ]] || fail "no token in $(cat "$SCRATCH/body")"
expect 200 GET /v1/findings "$VIEWER"
expect 200 GET /v1/schedules "$VIEWER"
expect 403 POST /v1/api-tokens "$VIEWER" '{"role":"API_TOKEN_ROLE_ADMIN","name":"escalate"}'
grep -q '"status":"PERMISSION_DENIED"' "$SCRATCH/body" || fail "$(cat "$SCRATCH/body")"
expect 403 GET /v1/api-tokens "$VIEWER"
expect 403 POST /v1/enrollment-tokens "$VIEWER" '{"site":"paris"}'

# Agents in two sites, enrolled and reporting over gRPC, read over HTTP.
for id in paris-1 paris-2 paris-3 lyon-1; do
  echo "2026-11-25T09:00:05Z [INFO] [libsdwan] stun_nat_type: endpoint-dependent" >"$SCRATCH/$id.log"
  spawn "$AGENT" run --nogateways --plaintext --token="$ENROLL_TOKEN" --server="127.0.0.1:$GRPC_PORT" \
    --stun="127.0.0.1:$STUN_PORT" --site="${id%-*}" --role=client --agent_id="$id" \
    --log_file="$SCRATCH/$id.log" --state_dir="$SCRATCH/state-$id" --probe_interval=1h \
    --poll_interval=100ms >"$SCRATCH/agent-$id.log" 2>&1
done
three_in_paris() {
  code GET "/v1/sites/paris/agents" "$VIEWER" >/dev/null
  [[ $(grep -o '"agentId":"paris-[0-9]"' "$SCRATCH/body" | wc -l) -eq 3 ]]
}
wait_for 60 "three agents in paris" three_in_paris
two_sites() { code GET /v1/sites "$VIEWER" >/dev/null; grep -q '"site":"lyon"' "$SCRATCH/body" && grep -q '"site":"paris"' "$SCRATCH/body"; }
wait_for 60 "both sites listed" two_sites

# Paging: one agent a page, following nextPageToken, sees each once.
seen=() token=""
for _ in 1 2 3 4 5; do
  expect 200 GET "/v1/sites/paris/agents?page_size=1&page_token=$token" "$VIEWER"
  seen+=($(grep -o '"agentId":"[^"]*"' "$SCRATCH/body"))
  token=$(sed -n 's/.*"nextPageToken":"\([^"]*\)".*/\1/p' "$SCRATCH/body")
  [[ -z "$token" ]] && break
  # Page tokens are URL-safe (base64url): no escaping needed.
done
[[ "${seen[*]}" == '"agentId":"paris-1" "agentId":"paris-2" "agentId":"paris-3"' ]] ||
  fail "paging saw: ${seen[*]}"
expect 200 GET /v1/agents/paris-1 "$VIEWER"
grep -q '"site":"paris"' "$SCRATCH/body" || fail "GetAgent: $(cat "$SCRATCH/body")"
expect 200 GET /v1/sites/paris/analysis "$VIEWER"
expect 200 GET "/v1/agents/paris-1/history?limit=5" "$VIEWER"
expect 200 GET "/v1/sites/paris/trend?granularity=TREND_GRANULARITY_DAILY" "$VIEWER"

# Bad input: each refused with a JSON error saying what is wrong.
expect 400 POST /v1/api-tokens "$ADMIN" '{"role":'
grep -q '"status":"INVALID_ARGUMENT"' "$SCRATCH/body" || fail "$(cat "$SCRATCH/body")"
expect 400 POST /v1/api-tokens "$ADMIN" '{"role":"API_TOKEN_ROLE_VIEWER","name":"x","colour":"red"}'
grep -q 'colour' "$SCRATCH/body" || fail "the unknown field is not named: $(cat "$SCRATCH/body")"
expect 400 GET "/v1/agents?colour=red" "$VIEWER"
expect 400 GET "/v1/agents?page_size=lots" "$VIEWER"
expect 400 GET "/v1/agents?page_token=garbage" "$VIEWER"
expect 404 GET /v1/sites/nowhere "$VIEWER"
expect 404 GET /v1/no-such-route "$VIEWER"
expect 405 DELETE /v1/sites "$ADMIN"
status=$(curl -s -o "$SCRATCH/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' --data-binary @<(head -c 2000000 /dev/zero | tr '\0' ' ') \
  "$BASE/v1/api-tokens")
[[ "$status" == 413 ]] || fail "a 2 MB body: HTTP $status, expected 413"

# Admin changes over HTTP: reset and remove an agent.
expect 200 POST /v1/agents/lyon-1:reset "$ADMIN" ""
expect 200 DELETE /v1/agents/lyon-1 "$ADMIN"
expect 404 DELETE /v1/agents/lyon-1 "$ADMIN"

# The dashboard, served from the binary with its security headers.
headers=$(curl -s -D - -o "$SCRATCH/page" "$BASE/")
grep -qi '^content-security-policy: .*script-src .self.' <<<"$headers" || fail "no CSP: $headers"
grep -qi '^x-frame-options: DENY' <<<"$headers" || fail "no X-Frame-Options: $headers"
grep -qi '<html' "$SCRATCH/page" || fail "/ is not the dashboard"
log "HTTP API: every check passed"
