#!/usr/bin/env bash
# NAT lab, nothing blocked but ICMP errors scarce: the ISP router sends at
# most two time-exceeded a minute, the servers' host one port-unreachable
# a minute. The STUN port check hears silence from coturn's unserved
# ports; firewalking hears silence from the rate-limited router, its
# sibling too, and must report "unknown", not a restriction.
# Usage: icmp_limited_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_FINDINGS=""
WANT_NO_FIREWALK_DROPPED=true
WANT_FIREWALK_RAN=true

nl_case icmp_limited
