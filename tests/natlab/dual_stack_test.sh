#!/usr/bin/env bash
# NAT lab, dual stack: IPv4 behind a fully-random masquerade (endpoint-
# dependent mapping: relay only), IPv6 with a global address behind a
# stateful firewall and no NAT. One probe run measures both families.
# Usage: dual_stack_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery on each family (proves the lab):
LAB_MAPPING=MAPPING_ADDRESS_AND_PORT_DEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_IPV6_MAPPING=MAPPING_NO_NAT
LAB_IPV6_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
# natscope-agent probe --stun=IPv4 coturn --stun=[IPv6 coturn] --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ADDRESS_AND_PORT_DEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_FINDINGS="FINDING_ENDPOINT_DEPENDENT_MAPPING"
WANT_IPV6_MAPPING=MAPPING_NO_NAT
WANT_IPV6_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_IPV6_PUBLIC_IP="[2001:db8:1::2]"
WANT_IPV6_FINDINGS=""

nl_case dual_stack
