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
  udp_blocked udp443_blocked ports_limited aws_like)

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

# The router drops every forwarded UDP packet from the LAN.
_nl_topology_udp_blocked() {
  _nl_home_router
  nl_masquerade rtr
  nl_drop_outbound rtr "meta l4proto udp"
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
