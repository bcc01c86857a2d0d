#!/usr/bin/env bash
# NAT lab, carrier-grade NAT: the home router's WAN side is 100.64.0.2, behind
# the ISP's NAT. Two NAT layers, the outer one in the shared CGNAT range, so
# both CGNAT and double NAT are reported.
# Usage: cgnat_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab), and a private then a CGNAT hop:
LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_HOPS="1=192.168.1.1 2=100.64.0.1"
# natscope-agent probe --stun=natscope-server --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_QUIC_REACHABLE=true
WANT_FINDINGS="FINDING_CGNAT FINDING_DOUBLE_NAT"

nl_case cgnat
