#!/usr/bin/env bash
# natscope-server as a full RFC 5780 STUN server and a QUIC version
# negotiation endpoint, on loopback (127.0.0.2 is the alternate address):
#  - coturn's turnutils_natdiscovery -m -f completes against it and finds
#    endpoint-independent mapping and filtering (loopback has no NAT);
#  - turnutils_stunclient sees RESPONSE-ORIGIN and OTHER-ADDRESS;
#  - a raw client checks CHANGE-REQUEST, RESPONSE-PORT, PADDING, the extra
#    plain STUN port and the rate limiter;
#  - Vovida's RFC 3489 client `stun` (no magic cookie) finds loopback open,
#    its single tests see CHANGE-REQUEST honoured in SOURCE-ADDRESS, and on
#    a port without an alternate address a change gets 420;
#  - our QUIC probe gets a valid Version Negotiation from a real QUIC server
#    (ngtcp2's example server) and from natscope-server's --quic_listen.
SERVER=$1 PROBE=$2
source "$(dirname "$0")/lib.sh"

for tool in turnutils_natdiscovery turnutils_stunclient openssl stun curl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed: run tools/setup.sh"
done
ip -4 addr show lo | grep -q '127\.0\.0\.1/8' || fail "127.0.0.2 must be on lo (127.0.0.0/8)"

# probe_field KEY OUTPUT: the value of KEY=... in udp_probe's output.
probe_field() { sed -n "s/^$1=//p" <<<"$2" | head -n1; }
port_field() { sed -n "s/^$1=//p" "$SCRATCH/$2.ports"; }
expect_eq() { [[ "$2" == "$3" ]] || fail "$1: expected '$3', got '$2'"; }

start_server srv --stun_alt_ip=127.0.0.2 --stun_ports=0 --quic_listen=127.0.0.1:0 \
  --http_listen=127.0.0.1:0
ALT_PORT=$(port_field stun_alt srv)
EXTRA_PORT=$(port_field stun_ports srv)
QUIC_PORT=$(port_field quic srv)
[[ -n "$ALT_PORT" && -n "$EXTRA_PORT" && -n "$QUIC_PORT" ]] ||
  fail "port file lacks stun_alt/stun_ports/quic: $(cat "$SCRATCH/srv.ports")"
log "stun=$STUN_PORT stun_alt=$ALT_PORT stun_ports=$EXTRA_PORT quic=$QUIC_PORT"
A1P1=127.0.0.1:$STUN_PORT A1P2=127.0.0.1:$ALT_PORT
A2P1=127.0.0.2:$STUN_PORT A2P2=127.0.0.2:$ALT_PORT

log "coturn's RFC 5780 NAT discovery against natscope-server"
out=$(timeout 60 turnutils_natdiscovery -m -f -p "$STUN_PORT" 127.0.0.1 2>&1) ||
  fail "turnutils_natdiscovery failed: $out"
echo "$out" | grep -E '^(NAT|No NAT)' || true
grep -q "Other addr: : $A2P2" <<<"$out" || fail "natdiscovery saw no OTHER-ADDRESS $A2P2: $out"
grep -Eq 'NAT with Endpoint Independent Mapping|No NAT' <<<"$out" ||
  fail "natdiscovery found no endpoint-independent mapping on loopback: $out"
grep -Eq 'NAT with Endpoint Independent Filtering|No NAT' <<<"$out" ||
  fail "natdiscovery found no endpoint-independent filtering on loopback: $out"

log "turnutils_stunclient"
out=$(timeout 30 turnutils_stunclient -p "$STUN_PORT" 127.0.0.1 2>&1) || fail "turnutils_stunclient failed: $out"
grep -q "UDP reflexive addr: 127.0.0.1:" <<<"$out" || fail "turnutils_stunclient got no reflexive address: $out"
grep -q "Response origin: : $A1P1" <<<"$out" || fail "no RESPONSE-ORIGIN $A1P1: $out"

log "plain Binding: XOR-MAPPED, RESPONSE-ORIGIN, OTHER-ADDRESS"
out=$("$PROBE" stun "$A1P1") || fail "$out"
expect_eq "mapped address" "$(probe_field mapped "$out")" "$(probe_field sender "$out")"
expect_eq "reply source" "$(probe_field from "$out")" "$A1P1"
expect_eq "RESPONSE-ORIGIN" "$(probe_field origin "$out")" "$A1P1"
expect_eq "OTHER-ADDRESS" "$(probe_field other "$out")" "$A2P2"

log "CHANGE-REQUEST picks the sending socket (RFC 5780 table 1)"
for case in "--change_ip --change_port=$A2P2" "--change_port=$A1P2" "--change_ip=$A2P1"; do
  flags=${case%=*} want=${case##*=}
  # shellcheck disable=SC2086  # Two flags in one word on purpose.
  out=$("$PROBE" stun "$A1P1" $flags) || fail "$flags: $out"
  expect_eq "$flags reply source" "$(probe_field from "$out")" "$want"
  expect_eq "$flags RESPONSE-ORIGIN" "$(probe_field origin "$out")" "$want"
done
out=$("$PROBE" stun "$A2P2" --change_ip --change_port) || fail "$out"
expect_eq "from A2:P2 with both flags" "$(probe_field from "$out")" "$A1P1"
expect_eq "OTHER-ADDRESS seen from A2:P2" "$(probe_field other "$out")" "$A1P1"

log "RESPONSE-PORT sends the reply to the source IP at that port"
out=$("$PROBE" stun "$A1P1" --response_port) || fail "$out"
expect_eq "reply socket" "$(probe_field received_on "$out")" response_port
expect_eq "mapped address" "$(probe_field mapped "$out")" "$(probe_field sender "$out")"

log "PADDING is answered without amplification; with RESPONSE-PORT it is 400"
out=$("$PROBE" stun "$A1P1" --padding=1500) || fail "$out"
[[ -n "$(probe_field padding "$out")" ]] || fail "no PADDING in the reply: $out"
(( $(probe_field size "$out") <= $(probe_field request_size "$out") )) ||
  fail "padded reply is larger than the request: $out"
out=$("$PROBE" stun "$A1P1" --padding=100 --response_port) || fail "$out"
expect_eq "PADDING+RESPONSE-PORT" "$(probe_field error "$out")" 400

log "extra plain STUN port: no OTHER-ADDRESS, CHANGE-REQUEST gets 420"
out=$("$PROBE" stun "127.0.0.1:$EXTRA_PORT") || fail "$out"
expect_eq "plain port RESPONSE-ORIGIN" "$(probe_field origin "$out")" "127.0.0.1:$EXTRA_PORT"
[[ -z "$(probe_field other "$out")" ]] || fail "a plain port must not send OTHER-ADDRESS: $out"
out=$("$PROBE" stun "127.0.0.1:$EXTRA_PORT" --change_port) || fail "$out"
expect_eq "plain port CHANGE-REQUEST" "$(probe_field error "$out")" 420
expect_eq "plain port UNKNOWN-ATTRIBUTES" "$(probe_field unknown "$out")" 0x0003

# vovida [ARGS...]: Vovida's classic client; it exits with the NAT type it
# found, so only its output counts. `timeout`: a single test waits forever.
vovida() { timeout 30 stun "$@" 2>&1 || true; }
# vovida_field NAME OUTPUT: the value of "NAME = value" in verbose output.
vovida_field() { sed -n "s/^$1 = //p" <<<"$2" | head -n1; }

log "RFC 3489 (classic) client: Vovida's stun finds loopback open"
out=$(vovida "$A1P1")
grep -q '^Primary: Open' <<<"$out" || fail "Vovida's stun did not find loopback open: $out"
for case in "1=$A1P1" "2=$A2P1" "3=$A1P2" "4=$A2P1"; do
  test=${case%%=*} want=${case#*=}
  out=$(vovida "$A1P1" "$test" -v)
  grep -q 'ok=1' <<<"$out" || fail "Vovida test $test got no valid classic response: $out"
  expect_eq "test $test MappedAddress" "$(vovida_field MappedAddress "$out" | cut -d: -f1)" 127.0.0.1
  expect_eq "test $test SourceAddress" "$(vovida_field SourceAddress "$out")" "$want"
  expect_eq "test $test ChangedAddress" "$(vovida_field ChangedAddress "$out")" "$A2P2"
done

log "RFC 3489 client on a port without an alternate address: a change gets 420"
PLAIN=127.0.0.1:$EXTRA_PORT
out=$(vovida "$PLAIN")
grep -q '^Primary: Open' <<<"$out" || fail "Vovida's stun on a single-address port: $out"
out=$(vovida "$PLAIN" 1 -v)
expect_eq "plain port SourceAddress" "$(vovida_field SourceAddress "$out")" "$PLAIN"
[[ -z "$(vovida_field ChangedAddress "$out")" ]] || fail "a plain port must not send CHANGED-ADDRESS: $out"
for test in 2 3; do
  out=$(vovida "$PLAIN" "$test" -v)
  grep -q '^ErrorCode = 4 20' <<<"$out" || fail "plain port test $test: no 420: $out"
done
metrics=$(curl -sS "http://127.0.0.1:$HTTP_PORT/metrics") || fail "no /metrics: $metrics"
grep -Eq '^natscope_stun_classic_requests_total\{protocol="stun"\} [1-9]' <<<"$metrics" ||
  fail "classic requests not counted: $(grep natscope_stun_classic <<<"$metrics")"

log "QUIC version negotiation from natscope-server --quic_listen"
out=$("$PROBE" quic "127.0.0.1:$QUIC_PORT") || fail "$out"
echo "$out"
expect_eq "natscope-server VN versions" "$(probe_field versions "$out")" "0x00000001,"

log "QUIC version negotiation from a real QUIC server (ngtcp2)"
start_ngtcp2
out=$("$PROBE" quic "127.0.0.1:$NGTCP2_PORT") || fail "no valid VN from ngtcp2: $out"
echo "$out"
grep -q '0x00000001' <<<"$(probe_field versions "$out")" || fail "ngtcp2's VN does not list QUIC v1: $out"

log "rate limit: a burst of 3 at 1/s per source IP, then silence"
start_server limited --stun_rate_limit=1 --stun_rate_burst=3
answered=0
for _ in 1 2 3 4; do
  if "$PROBE" stun "127.0.0.1:$STUN_PORT" --timeout=300ms >/dev/null; then
    answered=$((answered + 1))
  fi
done
expect_eq "replies within the burst" "$answered" 3
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true
grep -q ' 3 responses, 1 rate-limited' "$SCRATCH/limited.log" ||
  fail "the counters do not show 1 rate-limited reply: $(tail -n 3 "$SCRATCH/limited.log")"

log "an alternate IP that is not on this host fails at startup, saying what to do"
if "$SERVER" --data_dir="$SCRATCH/bad-data" --listen=127.0.0.1:0 --stun_listen=127.0.0.1:0 \
  --stun_alt_ip=192.0.2.99 >"$SCRATCH/bad.log" 2>&1; then
  fail "natscope-server started with an alternate IP it does not have"
fi
grep -q -- '--stun_alt_ip must be an address of this host' "$SCRATCH/bad.log" ||
  fail "unhelpful startup error: $(cat "$SCRATCH/bad.log")"
echo PASS
