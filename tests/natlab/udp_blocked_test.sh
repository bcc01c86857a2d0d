#!/usr/bin/env bash
# NAT lab, UDP blocked: the router drops every forwarded UDP packet, while
# TCP passes. Nothing can be measured over UDP; the verdict is UDP blocked
# (relay only), and STUN over TCP to natscope-server (on its UDP port's
# number) shows the path to the server exists: only UDP is dropped. The lab
# proves the same with coturn, which also answers STUN over TCP.
# Usage: udp_blocked_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery gets no answer (proves the lab); STUN over TCP does:
LAB_MAPPING=MAPPING_UNKNOWN
LAB_FILTERING=FILTERING_UNKNOWN
LAB_PORTS_BLOCKED="443"
LAB_TCP_STUN=answered
# natscope-agent probe --stun=natscope-server --json (its STUN over TCP
# answers on the UDP port's number):
WANT_UDP_REACHABLE=false
WANT_MAPPING=MAPPING_UNKNOWN
WANT_FILTERING=FILTERING_UNKNOWN
WANT_PUBLIC_IP=""
WANT_FINDINGS="FINDING_UDP_BLOCKED"
WANT_TCP_STUN=TCP_STUN_ANSWERED
# The TCP connection's public address is the router's.
WANT_FINDING_TEXT="STUN over TCP to 203.0.113.20:3478 answered (mapped 198.51.100.2:"

nl_case udp_blocked
