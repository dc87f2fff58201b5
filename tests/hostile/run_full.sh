#!/bin/sh
# SPDX-License-Identifier: MIT
# The hostile-peer suite at the full sizes of issue 11 (ZMQKIT_HOSTILE_FULL=1), on Deno, then
# on Bun. Each runtime's output goes to $OUT/<runtime>.log (OUT defaults to
# ${TMPDIR:-/tmp}/zmqkit-hostile-full); the summary lines ("hostile: <case> runtime=… sent=…
# rss_before=… rss_peak=… rss_after=… alive=…") of both are collected in $OUT/summary.txt.
# A target passing ZMQKIT_HOSTILE_RSS_CAP_MIB (default 4096) of RSS is killed by the suite,
# so a broken engine cannot exhaust the machine.
#
#   sh tests/hostile/run_full.sh            exit status 0 only if both runtimes pass
cd "$(dirname "$0")/../.." || exit 2
export ZMQKIT_HOSTILE_FULL=1
OUT=${OUT:-${TMPDIR:-/tmp}/zmqkit-hostile-full}
mkdir -p "$OUT" || exit 2
status=0
./node_modules/.bin/deno test -A tests/hostile/ >"$OUT/deno.log" 2>&1 || status=1
./node_modules/.bin/bun test --timeout 1800000 tests/hostile/ >"$OUT/bun.log" 2>&1 || status=1
grep -h '^hostile: ' "$OUT/deno.log" "$OUT/bun.log" >"$OUT/summary.txt"
cat "$OUT/summary.txt"
echo "logs in $OUT (deno.log, bun.log); exit status $status" >&2
exit $status
