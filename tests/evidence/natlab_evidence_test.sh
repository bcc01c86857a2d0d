#!/usr/bin/env bash
# NAT lab for the probe's path evidence. Four network namespaces in a row,
# lab addresses only, never routed to the host, removed on exit:
#
#   client 192.168.77.2 -- 192.168.77.1 home 100.64.0.2 -- 100.64.0.1 carrier
#     203.0.113.1 -- 203.0.113.10 server
#
# "home" and "carrier" both masquerade (a home NAT behind carrier-grade
# NAT). Asserts:
#  1. TTL probes from the client see hop 1 = 192.168.77.1 (private) and
#     hop 2 = 100.64.0.1 (cgnat), and reach the server at TTL 3, reading
#     ICMP through both NATs without root privileges on the socket.
#  2. With only the home router in the path (TTL probe to it directly),
#     there are no hops.
#  3. A scripted NAT-PMP responder on the home router announcing
#     100.64.0.2 is read by natscope's client via the default gateway, and
#     by libnatpmp's reference client natpmpc (so the responder speaks the
#     real wire protocol), and by natscope-agent probe (port 5351).
#  4. UPnP IGD against Debian's miniupnpd on the carrier router: its
#     external address 203.0.113.1 is a documentation address, which
#     miniupnpd 2.3.1 treats as reserved, so it reports none; natscope must
#     say so (answered, empty address, explanation) within its time bound.
set -euo pipefail

TOOL=$(realpath "$1")
RESPONDER=$(realpath "$2")
AGENT=$(realpath "$3")
ID="nse$$"
C="$ID-client" H="$ID-home" K="$ID-carrier" S="$ID-server"
SCRATCH=$(mktemp -d /tmp/natscope-evidence.XXXXXX)
pids=()

fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "$C" "$H" "$K" "$S"; do ip netns del "$ns" 2>/dev/null || true; done
  if [[ $rc -ne 0 ]]; then
    for f in "$SCRATCH"/*.log; do [[ -f $f ]] && { echo "--- $f"; cat "$f"; }; done
  fi
  rm -rf "$SCRATCH"
  exit $rc
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || { echo "SKIP: network namespaces need root"; exit 0; }

for ns in "$C" "$H" "$K" "$S"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
# veth pairs are created inside the namespaces: nothing touches the host.
ip -n "$C" link add c0 type veth peer name h0 netns "$H"
ip -n "$H" link add h1 type veth peer name k0 netns "$K"
ip -n "$K" link add k1 type veth peer name s0 netns "$S"
ip -n "$C" addr add 192.168.77.2/24 dev c0
ip -n "$H" addr add 192.168.77.1/24 dev h0
ip -n "$H" addr add 100.64.0.2/24 dev h1
ip -n "$K" addr add 100.64.0.1/24 dev k0
ip -n "$K" addr add 203.0.113.1/24 dev k1
ip -n "$S" addr add 203.0.113.10/24 dev s0
for pair in "$C c0" "$H h0" "$H h1" "$K k0" "$K k1" "$S s0"; do
  set -- $pair
  ip -n "$1" link set "$2" up
done
ip -n "$C" route add default via 192.168.77.1
ip -n "$H" route add default via 100.64.0.1
ip -n "$S" route add default via 203.0.113.1
for ns in "$H" "$K"; do
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
done
ip netns exec "$H" nft -f - <<'NFT'
table ip nat {
  chain post {
    type nat hook postrouting priority 100;
    oifname "h1" masquerade
  }
}
NFT
ip netns exec "$K" nft -f - <<'NFT'
table ip nat {
  chain post {
    type nat hook postrouting priority 100;
    oifname "k1" masquerade
  }
}
NFT

echo "== 1. hops through home NAT and carrier NAT"
out=$(ip netns exec "$C" "$TOOL" hops 203.0.113.10:3478 5)
echo "$out"
grep -qx "destination_ttl 3" <<<"$out" || fail "server not reached at TTL 3"
grep -qx "1 192.168.77.1 private" <<<"$out" || fail "hop 1 is not the home router"
grep -qx "2 100.64.0.1 cgnat" <<<"$out" || fail "hop 2 is not the carrier router"
[[ $(wc -l <<<"$out") -eq 3 ]] || fail "unexpected extra hops"

echo "== 2. no hops to the gateway itself"
out=$(ip netns exec "$C" "$TOOL" hops 192.168.77.1:3478 5)
echo "$out"
[[ "$out" == "destination_ttl 1" ]] || fail "expected no hops"

echo "== 3. NAT-PMP via the default gateway"
ip netns exec "$H" "$RESPONDER" 192.168.77.1:5351 100.64.0.2 \
  >"$SCRATCH/responder.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do grep -q ready "$SCRATCH/responder.log" && break; sleep 0.1; done
grep -q ready "$SCRATCH/responder.log" || fail "responder did not start"
out=$(ip netns exec "$C" "$TOOL" gateways default)
echo "$out"
grep -q 'protocol: "nat-pmp" gateway: "192.168.77.1:5351" answered: true external_address: "100.64.0.2"' <<<"$out" \
  || fail "NAT-PMP external address not read"
grep -q 'protocol: "pcp".*answered: true.*NAT-PMP only' <<<"$out" \
  || fail "PCP probe did not recognise a NAT-PMP-only server"
# The agent's own probe asks the same gateway (its path evidence runs
# whether or not a STUN server answers; none does here).
out=$(ip netns exec "$C" "$AGENT" probe --stun=203.0.113.10:3478 --json \
        --ports= 2>"$SCRATCH/probe.log" || true)
grep -q '"gateway": "192.168.77.1:5351"' <<<"$out" \
  || fail "natscope-agent probe did not ask the gateway on port 5351: $out"
grep -q '"externalAddress": "100.64.0.2"' <<<"$out" \
  || fail "natscope-agent probe did not read NAT-PMP's external address: $out"
ref=$(ip netns exec "$C" timeout 10 natpmpc 2>&1 || true)
echo "$ref" | grep -i "public ip address" || true
grep -qi "Public IP address : 100.64.0.2" <<<"$ref" \
  || fail "natpmpc (libnatpmp) did not understand the responder: $ref"

echo "== 4. UPnP IGD against miniupnpd (documentation external address)"
if ! command -v miniupnpd >/dev/null; then
  echo "SKIP: miniupnpd not installed"
  exit 0
fi
ip netns exec "$K" nft -f - <<'NFT'
table inet filter {
  chain miniupnpd {
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
NFT
cat >"$SCRATCH/miniupnpd.conf" <<'CONF'
ext_ifname=k1
listening_ip=k0
http_port=0
enable_natpmp=no
enable_upnp=yes
secure_mode=yes
system_uptime=yes
uuid=00000000-0000-0000-0000-00000000abcd
allow 1024-65535 100.64.0.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
ip netns exec "$K" miniupnpd -d -f "$SCRATCH/miniupnpd.conf" \
  -P "$SCRATCH/miniupnpd.pid" >"$SCRATCH/miniupnpd.log" 2>&1 &
pids+=($!)
sleep 0.5
# The home router is the carrier's LAN client here.
start=$(date +%s%N)
out=$(ip netns exec "$H" "$TOOL" gateways 127.0.0.1:9 upnp | grep upnp-igd)
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out (${took_ms} ms)"
grep -q 'answered: true' <<<"$out" || fail "miniupnpd's IGD not found or not answering"
grep -q 'external_address' <<<"$out" \
  && fail "miniupnpd reported a documentation address; update the test"
grep -q 'reports no external address' <<<"$out" || fail "missing explanation"
(( took_ms < 2000 )) || fail "UPnP query took ${took_ms} ms"
echo "PASS"
