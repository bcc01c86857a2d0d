#!/usr/bin/env bash
# natscope-server's STUN rate limiter under a flood from many source
# addresses (what spoofed sources look like to it), on loopback:
#  - one source asking for more than its burst is refused the excess;
#  - after 3x --stun_max_sources flooding sources, each draining its whole
#    bucket, a fresh source still gets a Binding success (the least
#    recently seen sources are evicted; new ones are never refused), and
#    so does the first flooder, evicted long ago;
#  - every flooding source was answered, and the server is still up.
# Usage: stun_limits_test.sh NATSCOPE_SERVER STUN_FLOOD
SERVER=$1 FLOOD=$2
# Under bazel the helpers are in the runfiles tree; elsewhere beside us.
lib="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/e2e/lib.sh"
[[ -f "$lib" ]] || lib="$(dirname "$0")/../e2e/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$lib"

ip -4 addr show lo | grep -q '127\.0\.0\.1/8' ||
  fail "the flood needs all of 127.0.0.0/8 on lo"

TABLE=64     # --stun_max_sources
BURST=100    # --stun_rate_burst: at 1 reply/s a drained bucket takes 100 s
FLOODERS=$((3 * TABLE))

# field KEY OUTPUT: the value of KEY=... in stun_flood's one-line output.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

start_server limits --stun_rate_limit=1 --stun_rate_burst="$BURST" \
  --stun_max_sources="$TABLE"
TARGET=127.0.0.1:$STUN_PORT

log "one source asking for 3x its burst gets about one burst"
out=$("$FLOOD" flood "$TARGET" --first_source=127.79.0.1 --sources=1 \
  --per_source="$BURST" --rounds=3) || fail "$out"
log "$out"
replies=$(field replies "$out")
((replies >= 1)) || fail "the server answered nothing: $out"
# At 1 reply/s the 2nd and 3rd rounds could only fill up after 100 s.
((replies < 2 * BURST)) || fail "the rate limit is not in force: $out"

log "$FLOODERS sources ($((FLOODERS / TABLE))x the table), each draining its bucket"
out=$("$FLOOD" flood "$TARGET" --first_source=127.77.0.1 \
  --sources="$FLOODERS" --per_source="$BURST") || fail "$out"
log "$out"
flood_out=$out

log "a fresh source still gets a Binding success"
out=$("$FLOOD" probe "$TARGET" --source=127.78.0.1) ||
  fail "a new source is locked out after the flood (it would report UDP blocked): $out"
[[ "$(field mapped "$out")" == 127.78.0.1:* ]] || fail "wrong mapped address: $out"

log "the first flooder, drained and then evicted, starts afresh"
out=$("$FLOOD" probe "$TARGET" --source=127.77.0.1) ||
  fail "the first flooder was not evicted from a full table: $out"

answered=$(field answered_sources "$flood_out")
[[ "$answered" == "$FLOODERS" ]] ||
  fail "only $answered of $FLOODERS flooding sources were answered: $flood_out"
kill -0 "$SERVER_PID" 2>/dev/null || fail "natscope-server died during the flood"
log "PASS"
