#!/bin/sh
# Scale check of the experiments pane (not part of make check): an MLflow
# test server with an experiment of 2,000 runs whose histories have 10,000
# points, mldeck driven through tmux with MLDECK_BENCH, and the numbers it
# logs: keypress-to-repaint in the runs table (j, PgDn, G, sort), the page
# fetch, the chart of two 10,000-point runs (draw time per frame), the PNG.
#   tests/bench/experiments/run.sh BUILDDIR [RUNS] [POINTS]

B=${1:?usage: run.sh BUILDDIR [RUNS] [POINTS]}
RUNS=${2:-2000}
POINTS=${3:-10000}
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
T=$(mktemp -d)
/usr/bin/python3 "$SRC/tests/servers/mlflow_server.py" --port 0 --synthetic "$RUNS:$POINTS" >"$T/srv" 2>/dev/null &
SP=$!
trap 'kill $SP 2>/dev/null; tmux -L mdbench-exp kill-server 2>/dev/null; rm -rf "$T"' EXIT
while ! grep -q PORT "$T/srv"; do sleep 0.1; done
PORT=$(awk '/PORT/{print $2}' "$T/srv")
mkdir -p "$T/home" "$T/cache" "$T/state" "$T/config"
tmux -L mdbench-exp -f /dev/null new-session -d -x 160 -y 48 "env -i PATH=/usr/bin:/bin HOME=$T/home \
XDG_CACHE_HOME=$T/cache XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=tmux-256color \
MLFLOW_TRACKING_URI=http://127.0.0.1:$PORT MLDECK_BENCH=$T/bench $B/mldeck; sleep 600"
k() { tmux -L mdbench-exp send-keys "$@"; }
w() { n=0; while ! tmux -L mdbench-exp capture-pane -p | grep -qF -- "$1"; do sleep 0.05; n=$((n+1)); [ $n -gt 1200 ] && { echo "timeout: $1"; exit 1; }; done; }
k 4; w scale; k :; tmux -L mdbench-exp send-keys -l "filter name:scale"; k Enter; w "1/1"; k Enter
t0=$(date +%s.%N); w "/1000"; t1=$(date +%s.%N)
echo "first page of 1000 runs on screen: $(echo "$t1 - $t0" | bc) s"
for i in 1 2 3 4 5 6 7 8 9 10; do k j; sleep 0.05; done
for i in 1 2 3 4 5; do k NPage; sleep 0.1; done
t0=$(date +%s.%N); k G; w "/$RUNS"; t1=$(date +%s.%N)
echo "G to the end + next page fetched: $(echo "$t1 - $t0" | bc) s"
for i in 1 2 3 4 5; do k k; sleep 0.05; done
k '>'; sleep 0.5; k '>'; sleep 0.5; k g; sleep 0.3
k Space Space; sleep 0.2; k m; w "Pick a metric"; k Enter
t0=$(date +%s.%N); w "└┬"; n=0
while ! grep -q "points=$((2 * POINTS)) " "$T/bench" && [ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done
t1=$(date +%s.%N)
echo "chart of 2 runs x $POINTS points (fetch + cache + draw): $(echo "$t1 - $t0" | bc) s"
for key in x x x s s L o + l - 0; do k "$key"; sleep 0.2; done
k p; w "chart written"
sleep 0.5
echo "--- from MLDECK_BENCH ($T/bench)"
grep "repaint" "$T/bench" | sed 's/.*ms=//' | sort -n | awk '{a[NR]=$1} END {p=int(NR*0.95)+1; if (p>NR) p=NR; printf "keypress to repaint: n=%d median=%.2f ms p95=%.2f ms max=%.2f ms\n", NR, a[int(NR/2)+1], a[p], a[NR]}'
grep "points=$((2 * POINTS))" "$T/bench" | sed 's/.*draw_ms=//' | sort -n | awk '{a[NR]=$1} END {printf "chart draw (2 x %d points): n=%d median=%.2f ms max=%.2f ms\n", '"$POINTS"', NR, a[int(NR/2)+1], a[NR]}'
grep "png ms" "$T/bench" | sed 's/.*ms=/PNG write ms=/'
awk '/repaint/ {split($NF, a, "="); if (a[2] > 20) print "slow:", prev, "->", $0} {prev=$0}' "$T/bench"
