#!/usr/bin/env bash
# NAT lab, outbound UDP allowed only to 3478, 3479 and 443, with an ISP
# router beyond the home router, probed against coturn alone (no
# natscope-server): coturn serves 3478 only, so the STUN port check hears
# silence on 80, 53, ... that it cannot tell from "nothing listens";
# firewalking (TTL 2, time exceeded from the ISP router) shows them dropped.
# Usage: ports_firewalled_test.sh NATSCOPE_AGENT NATSCOPE_SERVER (Bazel passes both).
AGENT=$1 SERVER=${2:-}
source "$(dirname "$0")/case.sh"

# coturn's natdiscovery (proves the lab) and the port rule (the lab's own
# hop check is left out: its probes use ports the rule drops):
LAB_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
LAB_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
LAB_PORTS_OPEN="443"
LAB_PORTS_BLOCKED="80 53"
# natscope-agent probe --stun=coturn --json:
WANT_UDP_REACHABLE=true
WANT_MAPPING=MAPPING_ENDPOINT_INDEPENDENT
WANT_FILTERING=FILTERING_ADDRESS_AND_PORT_DEPENDENT
WANT_PUBLIC_IP=198.51.100.2
WANT_FINDINGS="FINDING_OUTBOUND_PORTS_RESTRICTED"
WANT_PORTS_PASSED="3478"
WANT_FIREWALK="203.0.113.10:80=FIREWALK_DROPPED 203.0.113.10:53=FIREWALK_DROPPED
  203.0.113.10:19302=FIREWALK_DROPPED 203.0.113.10:50000=FIREWALK_DROPPED"
WANT_FINDING_TEXT="(firewalking)"

nl_case ports_firewalled
