#!/usr/bin/env bash
# NAT lab, masquerade random,fully-random: a new random port per destination,
# i.e. address-and-port-dependent (symmetric) mapping. The AWS test ranges
# are passed too: 198.51.100.2 is not in them, so no AWS finding.
# Usage: fully_random_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab):
LAB_MAPPING=MAPPING_ADDRESS_AND_PORT_DEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_HOPS="1=192.168.1.1"
# natscope-agent probe --stun=coturn --json:
NEED_AGENT_FLAGS="--aws_ip_ranges"
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ADDRESS_AND_PORT_DEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_FINDINGS="FINDING_ENDPOINT_DEPENDENT_MAPPING"

nl_case fully_random
