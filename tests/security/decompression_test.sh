#!/usr/bin/env bash
# Item 3 of docs/security.md: no request makes natscope-server allocate
# more than it accepts. Before any credential check, gRPC 1.51 used to
# inflate a gzip-compressed message whole; now the server accepts no gRPC
# compression, and agents' zlib-compressed records inflate only up to
# --max_batch_bytes.
#  - records deflated from 1 GiB (about 1 MiB on the wire) are refused
#    with RESOURCE_EXHAUSTED, and the server's peak RSS grows by less than
#    64 MiB (the time to answer is printed, not asserted: shared machines
#    are noisy; it was 45 ms when written);
#  - a gRPC-gzip message of 1 GiB is refused the same way, also cheaply;
#  - the server still ingests a normal compressed batch afterwards.
# Usage: decompression_test.sh AGENT SERVER CLI HOSTILE
common="${TEST_SRCDIR:-/nonexistent}/${TEST_WORKSPACE:-natscope}/tests/security/common.sh"
[[ -f "$common" ]] || common="$(dirname "$0")/common.sh"
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$common" "$@"

start_server bomb
credential=$(enroll_agent "$ENROLL_TOKEN" bomb-1)
GIB=$((1 << 30))

# peak_growth OUT COMMAND...: runs COMMAND with its output in OUT and
# prints the growth of the server's peak RSS meanwhile, in KiB (the peak is
# reset first, clear_refs 5, so the figure is this request's alone).
peak_growth() {
  local out=$1 before after
  shift
  before=$(rss_kib "$SERVER_PID" VmRSS)
  echo 5 >"/proc/$SERVER_PID/clear_refs"
  "$@" >"$out"
  after=$(rss_kib "$SERVER_PID" VmHWM)
  echo $((after - before))
}

log "zlib records inflating to 1 GiB"
growth=$(peak_growth "$SCRATCH/zlib.out" hostile bomb \
  --credential="$credential" --inflated_bytes=$GIB --sequence=1)
out=$(cat "$SCRATCH/zlib.out")
echo "1 GiB zlib bomb $(grep answered "$SCRATCH/hostile.log" | tail -n1): $out"
echo "peak RSS growth, 1 GiB zlib bomb: $((growth / 1024)) MiB (limit 64 MiB)"
expect_code RESOURCE_EXHAUSTED "$out" "a 1 GiB zlib bomb"
((growth < 64 * 1024)) || fail "peak RSS grew by $((growth / 1024)) MiB (limit 64)"

log "gRPC gzip message of 1 GiB"
growth=$(peak_growth "$SCRATCH/gzip.out" hostile bomb \
  --credential="$credential" --grpc_gzip --inflated_bytes=$GIB --sequence=2)
out=$(cat "$SCRATCH/gzip.out")
echo "1 GiB gRPC gzip message $(grep answered "$SCRATCH/hostile.log" | tail -n1) (client-side compression included): $out"
echo "peak RSS growth, 1 GiB gRPC gzip message: $((growth / 1024)) MiB (limit 64 MiB)"
[[ "$out" != OK* ]] || fail "a gRPC-gzip message was accepted"
((growth < 64 * 1024)) || fail "peak RSS grew by $((growth / 1024)) MiB (limit 64)"

log "a normal batch still goes in"
out=$(hostile ingest --credential="$credential" --sequence=3 --nat_type=symmetric)
expect_code OK "$out" "a normal batch after the bombs"
kill -0 "$SERVER_PID" || fail "natscope-server died"
log "PASS"
