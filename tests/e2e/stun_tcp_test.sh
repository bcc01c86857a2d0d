#!/usr/bin/env bash
# natscope-server's STUN over TCP (RFC 8489 §6.2.2), checked with a client
# no one here wrote: tests/e2e/go/stun_tcp_client, built here, offline, on
# Debian's pion/stun sources (golang-github-pion-stun-dev) with Debian's
# Go (golang-go).
#  - a Binding over TCP on each of the RFC 5780 set's four addresses and
#    the extra plain port gets the client's own address back, with the
#    RESPONSE-ORIGIN of the address it connected to; coturn over TCP gives
#    the same answer to the same client;
#  - CHANGE-REQUEST over TCP gets 420 listing it, and the connection
#    stays; an HTTP request is closed;
#  - the limits hold against the real binary: the per-source limit and the
#    total limit refuse, the idle timeout closes, and the counters say so
#    (/metrics, and the log line at exit).
SERVER=$1 CLIENT_SRC=$2
source "$(dirname "$0")/lib.sh"

command -v go >/dev/null || fail "go is not installed: run tools/setup.sh (package golang-go)"
command -v turnserver >/dev/null || fail "turnserver (coturn) is not installed: run tools/setup.sh"
PION=/usr/share/gocode/src/github.com/pion/stun
[[ -d "$PION" ]] || fail "pion/stun sources are missing ($PION): run tools/setup.sh (package golang-github-pion-stun-dev)"

log "building the pion/stun client offline"
GOTMP=${TEST_TMPDIR:-$SCRATCH}
CLIENT=$SCRATCH/stun_tcp_client
GOPATH="$GOTMP/gopath:/usr/share/gocode" GO111MODULE=off GOCACHE="$GOTMP/gocache" \
  GOPROXY=off GOFLAGS= go build -o "$CLIENT" "$CLIENT_SRC" >"$SCRATCH/go-build.log" 2>&1 ||
  fail "go build of the pion/stun client failed: $(cat "$SCRATCH/go-build.log")"

field() { sed -n "s/^$1=//p" <<<"$2" | head -n1; }
expect_eq() { [[ "$2" == "$3" ]] || fail "$1: expected '$3', got '$2'"; }
metric() { curl -fsS "http://127.0.0.1:$HTTP_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
# Connections the server still holds open (closed clients are reaped within
# a poll round, but not at once).
no_tcp_open() { [[ "$(metric natscope_stun_tcp_connections_open)" == 0 ]]; }

start_server srv --stun_alt_ip=127.0.0.2 --stun_ports=0 --http_listen=127.0.0.1:0 \
  --stun_tcp_max_connections_per_source=2 --stun_tcp_idle_timeout=3s
ALT_PORT=$(sed -n 's/^stun_alt=//p' "$SCRATCH/srv.ports")
EXTRA_PORT=$(sed -n 's/^stun_ports=//p' "$SCRATCH/srv.ports")
grep -q 'STUN over TCP on the same ports' "$SCRATCH/srv.log" ||
  fail "the startup line does not mention STUN over TCP: $(grep -m1 serving "$SCRATCH/srv.log")"

log "Binding over TCP on A1:P1, A1:P2, A2:P1, A2:P2 and the extra port"
for address in 127.0.0.1:$STUN_PORT 127.0.0.1:$ALT_PORT 127.0.0.2:$STUN_PORT \
  127.0.0.2:$ALT_PORT 127.0.0.1:$EXTRA_PORT; do
  out=$("$CLIENT" -mode=binding -server="$address") || fail "$address: $out"
  expect_eq "$address mapped" "$(field mapped "$out")" "$(field local "$out")"
  expect_eq "$address RESPONSE-ORIGIN" "$(field origin "$out")" "$address"
done

log "the same client over UDP gets the same kind of answer"
out=$("$CLIENT" -mode=binding -network=udp4 -server="127.0.0.1:$STUN_PORT") || fail "$out"
expect_eq "UDP mapped" "$(field mapped "$out")" "$(field local "$out")"

log "CHANGE-REQUEST over TCP: 420 listing it, then the connection still serves"
out=$("$CLIENT" -mode=change -server="127.0.0.1:$STUN_PORT") || fail "$out"
expect_eq "CHANGE-REQUEST error" "$(field error "$out")" 420
expect_eq "UNKNOWN-ATTRIBUTES" "$(field unknown "$out")" 0x0003
expect_eq "Binding after the 420" "$(field mapped "$out")" "$(field local "$out")"

log "an HTTP request on the STUN port is closed"
out=$("$CLIENT" -mode=garbage -server="127.0.0.1:$STUN_PORT") || fail "$out"
expect_eq "garbage" "$out" "garbage=closed"

log "per-source limit 2: a third connection from 127.0.0.1 is refused, one from 127.0.0.2 is not"
wait_for 20 "the server to reap closed connections" no_tcp_open
out=$("$CLIENT" -mode=hold -n=2 -server="127.0.0.1:$STUN_PORT") || fail "$out"
expect_eq "same source" "$(field extra "$out")" closed
wait_for 20 "the server to reap closed connections" no_tcp_open
out=$("$CLIENT" -mode=hold -n=2 -extra_local=127.0.0.2 -server="127.0.0.1:$STUN_PORT") || fail "$out"
expect_eq "another source" "$(field extra "$out")" answered

log "idle timeout 3s: a connection that says nothing more is closed"
out=$("$CLIENT" -mode=idle -timeout=60s -server="127.0.0.1:$STUN_PORT") || fail "$out"
expect_eq "idle connection" "$out" "idle=closed"

log "the counters, on /metrics"
expect_eq "requests over TCP" "$(metric natscope_stun_tcp_requests_total)" \
  "$(metric natscope_stun_tcp_responses_total)"
(( $(metric natscope_stun_tcp_requests_total) >= 13 )) ||
  fail "natscope_stun_tcp_requests_total is $(metric natscope_stun_tcp_requests_total), expected >= 13"
expect_eq "per-source refusals" \
  "$(metric 'natscope_stun_tcp_connections_refused_total{limit="per_source"}')" 1
expect_eq "idle closes" "$(metric natscope_stun_tcp_idle_closed_total)" 1
expect_eq "framing errors" "$(metric natscope_stun_tcp_framing_errors_total)" 1

log "total limit 2: a third connection is refused, whatever its source"
start_server total --stun_tcp_max_connections=2
out=$("$CLIENT" -mode=hold -n=2 -extra_local=127.0.0.2 -server="127.0.0.1:$STUN_PORT") || fail "$out"
expect_eq "over the total" "$(field extra "$out")" closed
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
grep -q 'STUN over TCP: 2 connections, 1 refused' "$SCRATCH/total.log" ||
  fail "the exit counters do not show 1 refusal: $(grep 'STUN over TCP:' "$SCRATCH/total.log")"

log "coturn over TCP gives the same client the same answer"
coturn_port=$(free_udp_port)
touch "$SCRATCH/turndb"
spawn turnserver --stun-only -n --no-cli -L 127.0.0.3 --listening-port="$coturn_port" \
  --no-tls --no-dtls --log-file=stdout --pidfile="$SCRATCH/turnserver.pid" \
  --userdb="$SCRATCH/turndb" >"$SCRATCH/coturn.log" 2>&1
wait_for 20 "coturn to listen on TCP $coturn_port" \
  bash -c "ss -Htln 'sport = :$coturn_port' | grep -q ."
out=$("$CLIENT" -mode=binding -server="127.0.0.3:$coturn_port") || fail "coturn: $out"
expect_eq "coturn mapped" "$(field mapped "$out")" "$(field local "$out")"
echo PASS
