#!/usr/bin/env bash
# NAT lab, UDP blocked: the router drops every forwarded UDP packet. Nothing can
# be measured; the verdict is UDP blocked (relay only).
# Usage: udp_blocked_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery gets no answer (proves the lab):
LAB_MAPPING=MAPPING_UNKNOWN
LAB_FILTERING=FILTERING_UNKNOWN
LAB_PORTS_BLOCKED="443"
# natscope-agent probe --stun=coturn --json:
WANT_UDP_REACHABLE=false
WANT_MAPPING=MAPPING_UNKNOWN
WANT_FILTERING=FILTERING_UNKNOWN
WANT_PUBLIC_IP=""
WANT_FINDINGS="FINDING_UDP_BLOCKED"

nl_case udp_blocked
