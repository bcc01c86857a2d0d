# The NAT lab's topologies, one function per case. Sourced by natlab.sh.
#
# nl_build NAME builds topology NAME and sets:
#   NL_CLIENT      the client's namespace (short name, for nl_exec)
#   NL_CLIENT_IP   the client's own address
#   NL_PUBLIC_IP   the address the internet sees the client as
#   NL_STUN_KIND   which server the agent probes: "coturn" or "natscope"
# It does not start any server (see nl_start_coturn and
# nl_start_natscope_server).
#
# Every topology hangs below one "inet" namespace that holds the servers'
# public addresses on its loopback. Links are /24s: the upper side is .1,
# the lower side .2, and the lower side's default route points up.
#   inet  -- 198.51.100.0/24 (192.0.2.0/24 in aws_like) --  first router
#   router -- 192.168.N.0/24 or 100.64.0.0/24 --  next router or client

NL_TOPOLOGIES=(no_nat one_to_one_nat masquerade fully_random double_nat cgnat
  udp_blocked all_blocked udp443_blocked ports_limited aws_like ports_firewalled
  destinations_firewalled icmp_limited dual_stack)

# The lab's AWS-style ranges file (every topology's agent gets it): its EC2
# prefix holds aws_like's public IP and no other topology's.
NL_AWS_RANGES="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/testdata/aws-ip-ranges-lab.json"

nl_build() {
  declare -F "_nl_topology_$1" >/dev/null || fail "unknown topology \"$1\" (known: ${NL_TOPOLOGIES[*]})"
  nl_add_ns inet
  local ip
  for ip in "$NL_COTURN_IP" "$NL_COTURN_ALT_IP" "$NL_PORTS_IP" "$NL_NATSCOPE_IP" \
    "$NL_NATSCOPE_ALT_IP" "$NL_QUIC_IP"; do
    ip -n "$(nl_ns inet)" addr add "$ip/32" dev lo
  done
  for ip in "$NL_COTURN6_IP" "$NL_COTURN6_ALT_IP"; do
    ip -n "$(nl_ns inet)" -6 addr add "$ip/128" dev lo nodad
  done
  # nl_hops' probes end here silently: a port-unreachable for each would
  # spend inet's ICMP rate limit (Linux default: a burst of 6, then 1/s per
  # destination), which the agent's port checks rely on.
  nl_nft inet <<'RULES'
table ip natlab_sink {
  chain input {
    type filter hook input priority filter; policy accept;
    udp dport 33434-33463 drop
  }
}
RULES
  NL_CLIENT=cli
  "_nl_topology_$1"
  log "topology $1 built: client $NL_CLIENT_IP, public $NL_PUBLIC_IP, agent probes $NL_STUN_KIND"
}

# A single router "rtr" between the internet (198.51.100.2) and the LAN
# 192.168.1.0/24 with the client at .2; no NAT rules yet.
_nl_home_router() {
  local wan=${1:-198.51.100}
  nl_add_ns rtr cli
  nl_connect inet rtr "$wan.1/24" "$wan.2/24"
  nl_connect rtr cli 192.168.1.1/24 192.168.1.2/24
  nl_router rtr
  NL_CLIENT_IP=192.168.1.2 NL_PUBLIC_IP=$wan.2
}

# A home router "rtr" (masquerade) behind an ISP router "isp", so that a
# router answers beyond the firewall (what firewalking needs):
#   inet -- 192.0.2.0/24 -- isp -- 198.51.100.0/24 -- rtr -- 192.168.1.0/24 -- cli
# Hops from the client: 192.168.1.1 (rtr), 198.51.100.1 (isp), then the
# servers on inet.
_nl_isp_and_home_router() {
  nl_add_ns isp rtr cli
  nl_connect inet isp 192.0.2.1/24 192.0.2.2/24
  nl_connect isp rtr 198.51.100.1/24 198.51.100.2/24
  nl_connect rtr cli 192.168.1.1/24 192.168.1.2/24
  ip -n "$(nl_ns inet)" route add 198.51.100.0/24 via 192.0.2.2
  nl_router isp && nl_router rtr
  nl_masquerade rtr
  NL_CLIENT_IP=192.168.1.2 NL_PUBLIC_IP=198.51.100.2
}

# The client holds a public address itself.
_nl_topology_no_nat() {
  nl_add_ns cli
  nl_connect inet cli 198.51.100.1/24 198.51.100.2/24
  NL_CLIENT_IP=198.51.100.2 NL_PUBLIC_IP=198.51.100.2 NL_STUN_KIND=coturn
}

# 1:1 NAT: the client owns public 198.51.100.3 (static snat + dnat), so
# anyone may reach its mapping: endpoint-independent mapping and filtering.
_nl_topology_one_to_one_nat() {
  _nl_home_router
  ip -n "$(nl_ns rtr)" addr add 198.51.100.3/24 dev wan
  nl_nft rtr <<'RULES'
table ip natlab_nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "wan" ip daddr 198.51.100.3 dnat to 192.168.1.2
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" ip saddr 192.168.1.2 snat to 198.51.100.3
  }
}
RULES
  NL_PUBLIC_IP=198.51.100.3 NL_STUN_KIND=coturn
}

# A typical home router: endpoint-independent mapping, address-and-port-
# dependent filtering (conntrack lets in only replies).
_nl_topology_masquerade() {
  _nl_home_router
  nl_masquerade rtr
  NL_STUN_KIND=coturn
}

# A random source port per destination: address-and-port-dependent mapping.
_nl_topology_fully_random() {
  _nl_home_router
  nl_masquerade rtr "random,fully-random"
  NL_STUN_KIND=coturn
}

# Two masquerading routers in a row: outer (198.51.100.2 / 192.168.1.1),
# inner (192.168.1.2 / 192.168.2.1), client 192.168.2.2.
_nl_topology_double_nat() {
  nl_add_ns outer inner cli
  nl_connect inet outer 198.51.100.1/24 198.51.100.2/24
  nl_connect outer inner 192.168.1.1/24 192.168.1.2/24
  nl_connect inner cli 192.168.2.1/24 192.168.2.2/24
  nl_router outer && nl_router inner
  nl_masquerade outer && nl_masquerade inner
  NL_CLIENT_IP=192.168.2.2 NL_PUBLIC_IP=198.51.100.2 NL_STUN_KIND=natscope
}

# Carrier-grade NAT: the ISP's NAT (cgn) has 100.64.0.0/24 inside; the
# home router's WAN address is 100.64.0.2; the client is 192.168.1.2.
_nl_topology_cgnat() {
  nl_add_ns cgn home cli
  nl_connect inet cgn 198.51.100.1/24 198.51.100.2/24
  nl_connect cgn home 100.64.0.1/24 100.64.0.2/24
  nl_connect home cli 192.168.1.1/24 192.168.1.2/24
  nl_router cgn && nl_router home
  nl_masquerade cgn && nl_masquerade home
  NL_CLIENT_IP=192.168.1.2 NL_PUBLIC_IP=198.51.100.2 NL_STUN_KIND=natscope
}

# The router drops every forwarded UDP packet from the LAN; TCP passes
# (coturn and natscope-server answer STUN over TCP on their UDP ports).
_nl_topology_udp_blocked() {
  _nl_home_router
  nl_masquerade rtr
  nl_drop_outbound rtr "meta l4proto udp"
  NL_STUN_KIND=natscope
}

# The router drops every forwarded packet from the LAN to coturn's
# addresses, UDP, TCP and the rest: nothing reaches the STUN server.
_nl_topology_all_blocked() {
  _nl_home_router
  nl_masquerade rtr
  nl_drop_outbound rtr "ip daddr { $NL_COTURN_IP, $NL_COTURN_ALT_IP }"
  NL_STUN_KIND=coturn
}

# The router drops outbound UDP to port 443 (QUIC) only.
_nl_topology_udp443_blocked() {
  _nl_home_router
  nl_masquerade rtr
  nl_drop_outbound rtr "udp dport 443"
  NL_STUN_KIND=natscope
}

# Outbound UDP only to STUN (3478, 3479) and 443.
_nl_topology_ports_limited() {
  _nl_home_router
  nl_masquerade rtr
  nl_drop_outbound rtr "udp dport != { 3478, 3479, 443 }"
  NL_STUN_KIND=natscope
}

# An AWS NAT gateway look-alike: fully-random masquerade behind public
# 192.0.2.2, inside an EC2 prefix of testdata/aws-ip-ranges-lab.json.
_nl_topology_aws_like() {
  _nl_home_router 192.0.2
  nl_masquerade rtr "random,fully-random"
  NL_STUN_KIND=natscope
}

# Outbound UDP only to 3478, 3479 and 443, behind an ISP router, probed
# against coturn, which serves 3478 only: the STUN port check cannot tell
# a drop from a port nobody serves; firewalking (TTL 2, answered by isp)
# can.
_nl_topology_ports_firewalled() {
  _nl_isp_and_home_router
  nl_drop_outbound rtr "udp dport != { 3478, 3479, 443 }"
  NL_STUN_KIND=coturn
}

# Outbound UDP only to coturn (.10, .11) and to natscope-server's primary
# and QUIC addresses (.20, .22): its alternate address (.21) and the rest
# of the internet are dropped.
_nl_topology_destinations_firewalled() {
  _nl_isp_and_home_router
  nl_drop_outbound rtr \
    "meta l4proto udp ip daddr != { $NL_COTURN_IP, $NL_COTURN_ALT_IP, $NL_NATSCOPE_IP, $NL_QUIC_IP }"
  NL_STUN_KIND=natscope
}

# Nothing is blocked, but ICMP errors are scarce: isp answers at most two
# time-exceeded a minute and inet one port-unreachable a minute (as busy
# routers and servers do). Silence must not read as a restriction.
_nl_topology_icmp_limited() {
  _nl_isp_and_home_router
  nl_nft isp <<'RULES'
table ip natlab_icmp {
  chain output {
    type filter hook output priority filter; policy accept;
    icmp type time-exceeded limit rate over 1/minute burst 2 packets drop
  }
}
RULES
  nl_nft inet <<'RULES'
table ip natlab_icmp {
  chain output {
    type filter hook output priority filter; policy accept;
    icmp type destination-unreachable limit rate over 1/minute burst 1 packets drop
  }
}
RULES
  NL_STUN_KIND=coturn
}

# Dual stack (the agent gets one STUN server name with an A and an AAAA
# address): IPv4 behind a fully-random masquerade (endpoint-dependent,
# relay only), IPv6 with a global address behind a stateful firewall and no
# NAT (replies only: no NAT mapping, address-and-port-dependent
# filtering). coturn answers on both families; the IPv6 servers are
# NL_COTURN6_IP and NL_COTURN6_ALT_IP on inet's loopback.
#   inet -- 198.51.100.0/24, 2001:db8:100::/64 -- rtr -- 192.168.1.0/24, 2001:db8:1::/64 -- cli
_nl_topology_dual_stack() {
  _nl_home_router
  nl_masquerade rtr "random,fully-random"
  nl_add_v6 inet rtr 2001:db8:100::1 2001:db8:100::2
  nl_add_v6 rtr cli 2001:db8:1::1 2001:db8:1::2
  ip -n "$(nl_ns inet)" -6 route add 2001:db8:1::/64 via 2001:db8:100::2
  nl_exec rtr sysctl -qw net.ipv6.conf.all.forwarding=1
  nl_nft rtr <<'RULES'
table ip6 natlab_v6_filter {
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
}
RULES
  # The client knows coturn by one name with both addresses, as a fleet
  # would: ip netns exec mounts /etc/netns/NS/hosts over /etc/hosts.
  nl_etc_file cli hosts <<HOSTS
127.0.0.1 localhost
$NL_COTURN_IP coturn.natlab
$NL_COTURN6_IP coturn.natlab
HOSTS
  NL_CLIENT_IP6=2001:db8:1::2 NL_STUN_KIND=coturn NL_DUAL_STACK=coturn.natlab
}

# nl_stun_tcp_answers NAME SERVER_IP PORT: whether a STUN Binding request
# over TCP (RFC 8489 framing) from namespace NAME to SERVER_IP:PORT gets a
# Binding success response (0x0101) with its transaction id. Bash's
# /dev/tcp, bounded at 3 s: the lab's own check, independent of the agent.
nl_stun_tcp_answers() {
  local id=natlab-tcp-1 got want
  got=$(nl_exec "$1" timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "\x00\x01\x00\x00\x21\x12\xa4\x42%s" "$3" >&3
    head -c 20 <&3 | od -An -tx1' _ "$2" "$3" "$id" 2>/dev/null || true)
  want=$(printf '%s' "$id" | od -An -tx1)
  got=$(tr -d ' \n' <<<"$got") want=$(tr -d ' \n' <<<"$want")
  [[ "$got" == 0101????2112a442"$want" ]]
}
