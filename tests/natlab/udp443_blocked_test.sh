#!/usr/bin/env bash
# NAT lab, UDP/443 blocked: the router drops outbound UDP to port 443
# only; STUN on 3478 works, so the NAT is measured, the port rule found, and
# QUIC (natscope-server's QUIC responder on 443) is blocked.
# Usage: udp443_blocked_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab), and the port rule:
LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_PORTS_OPEN="80"
LAB_PORTS_BLOCKED="443"
# natscope-agent probe --stun=natscope-server --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_QUIC_REACHABLE=false
WANT_FINDINGS="FINDING_OUTBOUND_PORTS_RESTRICTED FINDING_QUIC_BLOCKED"
WANT_PORTS_PASSED="3478 80"
WANT_PORTS_BLOCKED="443"

nl_case udp443_blocked
