#!/usr/bin/env bash
# NAT lab, everything to the STUN server blocked: the router drops every
# forwarded packet to coturn's addresses, UDP and TCP alike. The verdict is
# still UDP blocked, but STUN over TCP gets nothing either, so the finding
# says nothing reaches the server (blocked, or the server is down).
# Usage: all_blocked_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery gets no answer, nor STUN over TCP (proves the lab):
LAB_MAPPING=MAPPING_UNKNOWN
LAB_FILTERING=FILTERING_UNKNOWN
LAB_TCP_STUN=silent
# natscope-agent probe --stun=coturn --json:
WANT_UDP_REACHABLE=false
WANT_MAPPING=MAPPING_UNKNOWN
WANT_FILTERING=FILTERING_UNKNOWN
WANT_PUBLIC_IP=""
WANT_FINDINGS="FINDING_UDP_BLOCKED"
WANT_TCP_STUN=TCP_STUN_UNREACHABLE
WANT_FINDING_TEXT="nothing reaches the STUN server over UDP or TCP: outbound traffic to it is blocked or the server is down"

nl_case all_blocked
