#!/bin/sh
# MLflow listing benchmark: the test MLflow server holds an experiment
# "scale" of RUNS runs (default 2000) with 13 metrics of POINTS points
# (default 10000); times `mldeck ls runs` (JSON, TSV, table, with a
# server-side filter) and `mldeck metrics` on one 10,000-point history.
# Prints wall times (best of 3).  Not part of make check.
#   tests/bench/mlflow/run.sh [BUILDDIR] [RUNS] [POINTS]
set -e
B=${1:-${MLDECK_BUILDDIR:-.}}
RUNS=${2:-2000}
POINTS=${3:-10000}
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
BIN="$B/mldeck"
TMP=$(mktemp -d)
trap 'kill $SPID 2>/dev/null; rm -rf "$TMP"' EXIT
/usr/bin/python3 "$SRC/tests/servers/mlflow_server.py" --port 0 --synthetic "$RUNS:$POINTS" \
    > "$TMP/port" 2> "$TMP/server.err" &
SPID=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
    [ -s "$TMP/port" ] && break
    sleep 0.3
done
PORT=$(awk '{print $2}' "$TMP/port")
export MLFLOW_TRACKING_URI="http://127.0.0.1:$PORT"
export HOME="$TMP" XDG_CONFIG_HOME="$TMP/cfg" XDG_CACHE_HOME="$TMP/cache"

best() {   # best wall time in seconds of 3 runs of "$@" (stdout discarded)
    b=""
    for i in 1 2 3; do
        s=$(date +%s.%N)
        "$@" > "$TMP/out"
        e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc)
        if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
    done
    printf '%.3f' "$b"
}

echo "mldeck MLflow bench: $RUNS runs x 13 metrics x $POINTS points (server: $MLFLOW_TRACKING_URI)"
t=$(best "$BIN" ls runs --experiment scale --json)
n=$(grep -c '"run_id"' "$TMP/out" || true)
echo "ls runs --json           ${t}s  ($n runs, $(wc -c < "$TMP/out") bytes)"
t=$(best "$BIN" ls runs --experiment scale --tsv)
echo "ls runs --tsv            ${t}s  ($(($(wc -l < "$TMP/out") - 1)) rows)"
t=$(best "$BIN" ls runs --experiment scale)
echo "ls runs (table)          ${t}s"
t=$(best "$BIN" ls runs --experiment scale --page-size 200 --tsv)
echo "ls runs, pages of 200    ${t}s  (10 requests)"
t=$(best "$BIN" ls runs --experiment scale --filter "metrics.\`metrics/mAP50B\` > 0.6 and params.imgsz = '640'" --tsv)
echo "ls runs --filter         ${t}s  ($(($(wc -l < "$TMP/out") - 1)) rows)"
RID=$(printf '%032x' $((0x5ca1e000 * 1)) )
RID=5ca1e000000000000000000000000000
t=$(best "$BIN" metrics "$RID" metrics/mAP50B --json)
echo "metrics (10k points)     ${t}s  ($(grep -c '"step"' "$TMP/out") points)"
