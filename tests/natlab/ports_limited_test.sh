#!/usr/bin/env bash
# NAT lab, outbound UDP allowed only to 3478, 3479 and 443: STUN works, the
# other ports of the agent's port check do not.
# Usage: ports_limited_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab), and the port rule:
LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_PORTS_OPEN="443"
LAB_PORTS_BLOCKED="80 53"
# natscope-agent probe --stun=natscope-server --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_QUIC_REACHABLE=true
WANT_FINDINGS="FINDING_OUTBOUND_PORTS_RESTRICTED"
WANT_PORTS_PASSED="3478 443"
WANT_PORTS_BLOCKED="80 53 19302"

nl_case ports_limited
