#!/usr/bin/env bash
# natscope-agent probe against a real coturn STUN server on loopback: the
# JSON's publicAddress is 127.0.0.1 and the source port the agent used.
# Then the same probe against natscope-server's own STUN responder.
AGENT=$1 SERVER=$2
source "$(dirname "$0")/lib.sh"

command -v turnserver >/dev/null || fail "turnserver (coturn) is not installed: run tools/setup.sh"
stun_port=$(free_udp_port)
spawn turnserver --stun-only -L 127.0.0.1 -n --no-cli --listening-port="$stun_port" \
  --log-file=stdout --pidfile="$SCRATCH/turnserver.pid" >"$SCRATCH/coturn.log" 2>&1
wait_for 20 "coturn to listen on $stun_port" bash -c "ss -Huln 'sport = :$stun_port' | grep -q ."

src_port=$(free_udp_port)
log "probe coturn 127.0.0.1:$stun_port from 127.0.0.1:$src_port"
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$stun_port" --local="127.0.0.1:$src_port" --json)
echo "$json"
grep -q "\"publicAddress\": \"127.0.0.1:$src_port\"" <<<"$json" ||
  fail "publicAddress is not 127.0.0.1:$src_port"
grep -q '"udpReachable": true' <<<"$json" || fail "udpReachable is not true"
grep -q '"mappingBehavior": "MAPPING_NO_NAT"' <<<"$json" || fail "loopback should be MAPPING_NO_NAT"

log "default source port: publicAddress must carry the port in localAddress"
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$stun_port" --json)
local_port=$(sed -n 's/^ "localAddress": "127.0.0.1:\([0-9]*\)".*/\1/p' <<<"$json")
[[ -n "$local_port" ]] || fail "no localAddress in: $json"
grep -q "\"publicAddress\": \"127.0.0.1:$local_port\"" <<<"$json" || fail "publicAddress mismatch: $json"

log "probe natscope-server's STUN responder"
start_server srv
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$STUN_PORT" --local="127.0.0.1:$src_port" --json)
grep -q "\"publicAddress\": \"127.0.0.1:$src_port\"" <<<"$json" ||
  fail "natscope-server's responder gave: $json"

log "opt-in tests: hairpinning and binding lifetime (natscope-server honours RESPONSE-PORT)"
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$STUN_PORT" --hairpin --lifetime=2s --json)
grep -q '"hairpinning": true' <<<"$json" || fail "loopback hairpins: $json"
grep -q '"bindingLifetimeSeconds": "2"' <<<"$json" || fail "an idle loopback mapping lives 2 s: $json"
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$STUN_PORT" --json)
grep -q '"hairpinning"' <<<"$json" && fail "hairpinning is opt-in: $json"
log "a single-address coturn ignores RESPONSE-PORT: lifetime unknown, not zero"
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$stun_port" --lifetime=1s --json)
grep -q '"bindingLifetimeSeconds"' <<<"$json" && fail "lifetime must be absent: $json"

log "coturn's own client against natscope-server's responder"
out=$(turnutils_stunclient -p "$STUN_PORT" 127.0.0.1 2>&1 || true)
echo "$out"
grep -q "UDP reflexive addr: 127.0.0.1:" <<<"$out" || fail "turnutils_stunclient got no reflexive address"

log "QUIC: a real QUIC endpoint (ngtcp2) answers natscope-agent's probe"
start_ngtcp2
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$stun_port" --quic="127.0.0.1:$NGTCP2_PORT" --json)
grep -q '"quicReachable": true' <<<"$json" || fail "QUIC not reachable: $json"
grep -q 'version negotiation offered' <<<"$json" || fail "no version negotiation: $json"

log "QUIC: a silent QUIC port gives FINDING_QUIC_BLOCKED while UDP works"
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$stun_port" --quic="127.0.0.1:$STUN_PORT" --json)
grep -q '"quicReachable": false' <<<"$json" || fail "a STUN port cannot speak QUIC: $json"
grep -q '"code": "FINDING_QUIC_BLOCKED"' <<<"$json" || fail "no FINDING_QUIC_BLOCKED: $json"

log "unanswered STUN: UDP blocked, concluded within the timeout"
dead_port=$(free_udp_port)
json=$("$AGENT" probe --nogateways --stun="127.0.0.1:$dead_port" --timeout=1s --ports= --json)
grep -q '"udpReachable": true' <<<"$json" && fail "a dead port cannot be reachable"
grep -q '"code": "FINDING_UDP_BLOCKED"' <<<"$json" || fail "no FINDING_UDP_BLOCKED: $json"
log "no answer over UDP: STUN over TCP to the same port is tried, and refused"
grep -q '"outcome": "TCP_STUN_REFUSED"' <<<"$json" || fail "no refused STUN over TCP: $json"
echo PASS
