#!/bin/sh
# Cache benchmark: the same 100,000 rows and reads through md_cache
# (bench_cache) and through plain SQLite statements (bench_peer.py, the
# straightforward way to use the same library).  Prints CPU milliseconds
# and the ratio mldeck/peer (below 1 = mldeck faster).
#
#   tests/bench/cache/run.sh [BUILDDIR] [ROWS]
set -e
BUILD=${1:-${MLDECK_BUILDDIR:-.}}
ROWS=${2:-100000}
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
BIN=$BUILD/tests/bench/cache/bench_cache
[ -x "$BIN" ] || { echo "no $BIN (make tests/bench/cache/bench_cache)"; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mldeck-cache-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
"$BIN" "$TMP/mldeck.db" "$ROWS" >"$TMP/mldeck.txt"
/usr/bin/python3 "$SRC/tests/bench/cache/bench_peer.py" "$TMP/peer.db" "$ROWS" >"$TMP/peer.txt"
echo "cache benchmark, $ROWS rows of one kind, 3 indexed columns (CPU ms)"
printf '%-20s %10s %10s %8s\n' operation mldeck sqlite ratio
awk 'NR == FNR { m[$1] = $2; order[++k] = $1; next }
     { p[$1] = $2 }
     END { for (i = 1; i <= k; i++) { o = order[i];
             printf "%-20s %10.2f %10.2f %8.2f\n", o, m[o], p[o], (p[o] > 0 ? m[o] / p[o] : 0) } }' \
    "$TMP/mldeck.txt" "$TMP/peer.txt"
