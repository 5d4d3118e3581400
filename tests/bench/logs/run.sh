#!/bin/sh
# The log view against a heavy stream: two hosts x LINES lines (default
# 300,000 each) served by heavy_logs_server.py.  Opens the job's logs in the
# TUI (tmux, 100x30), presses j/k while the backlog loads, and prints: the
# time until all lines are counted, and key-to-repaint times while loading
# (MLDECK_BENCH lines).  Not part of make check.
#   tests/bench/logs/run.sh BUILDDIR [LINES]
B=${1:?usage: run.sh BUILDDIR [LINES]}
LINES=${2:-300000}
HERE=$(cd "$(dirname "$0")" && pwd)
B=$(cd "$B" && pwd)
BIN=${MLDECK_BIN:-$B/mldeck}
T=$(mktemp -d)
/usr/bin/python3 "$HERE/heavy_logs_server.py" "$LINES" >"$T/port" &
SPID=$!
S=mldeck-logbench-$$
trap 'tmux -L $S kill-server 2>/dev/null; kill $SPID 2>/dev/null; rm -rf "$T"' EXIT
while [ ! -s "$T/port" ]; do sleep 0.05; done
PORT=$(head -1 "$T/port")
mkdir -p "$T/home" "$T/cache" "$T/state" "$T/config"
tmux -L $S -f /dev/null new-session -d -x 100 -y 30 \
    "env -i PATH=/usr/bin:/bin HOME=$T/home XDG_CACHE_HOME=$T/cache XDG_STATE_HOME=$T/state \
XDG_CONFIG_HOME=$T/config LANG=C.UTF-8 TERM=tmux-256color MLDECK_BENCH=$T/bench \
AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 \
AWS_EC2_METADATA_DISABLED=true $BIN --endpoint-url http://127.0.0.1:$PORT; sleep 60"
wait_for() {
    n=0
    while ! tmux -L $S capture-pane -p | grep -qF -- "$1"; do
        sleep 0.05; n=$((n + 1)); [ $n -gt ${2:-600} ] && return 1
    done
    return 0
}
wait_for "profile:" || { echo "mldeck did not start"; exit 1; }
tmux -L $S send-keys : && tmux -L $S send-keys -l "training-jobs" && tmux -L $S send-keys Enter
wait_for "heavy-logs-job" || { echo "no job listed"; exit 1; }
: >"$T/bench"
t0=$(date +%s.%N)
tmux -L $S send-keys l
for i in $(seq 1 40); do tmux -L $S send-keys k; sleep 0.05; tmux -L $S send-keys j; sleep 0.05; done
total=$((LINES * 2))
wait_for "$total lines" 1200 || { echo "not all lines arrived"; tmux -L $S capture-pane -p | head -5; }
t1=$(date +%s.%N)
echo "lines: $total in $(echo "$t1 - $t0" | bc) s (kept: 50,000)"
tmux -L $S send-keys G; sleep 0.3; tmux -L $S capture-pane -p | sed -n "4p;26,28p"
grep "repaint keys" "$T/bench" | sed 's/.*ms=//' | sort -n | awk '{a[NR]=$1} END {
    if (!NR) exit; p = int(NR * 0.95) + 1; if (p > NR) p = NR
    printf "key-to-repaint while loading: n=%d median %.2f ms p95 %.2f ms max %.2f ms\n", NR, a[int(NR/2)+1], a[p], a[NR] }'
grep "logs batch" "$T/bench" | sed 's/^[0-9.]* //' | sed 's/^/UI thread, merging a batch: /'
