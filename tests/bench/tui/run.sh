#!/bin/sh
# TUI benchmark: a cache with 100,000 pipelines, then
#   - cold start to the first painted frame (5 runs),
#   - keypress to repaint while scrolling (j, PgDn, G/g, sort),
#   - filter time (substring over the visible columns, and column:value),
# measured inside mldeck (MLDECK_BENCH=FILE logs monotonic timestamps) while
# tmux drives it at 80x24.  Targets: first frame < 50 ms, repaint < 16 ms.
#
#   tests/bench/tui/run.sh [BUILDDIR] [ROWS]
set -e
BUILD=${1:-${MLDECK_BUILDDIR:-.}}
ROWS=${2:-100000}
BIN=$BUILD/mldeck
FILL=$BUILD/tests/bench/tui/fill
[ -x "$BIN" ] || { echo "no mldeck at $BIN (make first)"; exit 1; }
[ -x "$FILL" ] || { echo "no $FILL (make tests/bench/tui/fill)"; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed"; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mldeck-bench.XXXXXX")
SOCK="mldeck-bench-$$"
trap 'tmux -L $SOCK kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$TMP/home" "$TMP/config" "$TMP/cache" "$TMP/state"
DB=$TMP/cache.db
LOG=$TMP/bench.log

t0=$(date +%s%N)
"$FILL" "$DB" default "" "$ROWS"
t1=$(date +%s%N)
echo "fill: $ROWS pipelines upserted and indexed in $(( (t1 - t0) / 1000000 )) ms ($(du -h "$DB" | cut -f1) on disk)"

start() {
    tmux -L $SOCK kill-server >/dev/null 2>&1 || true
    n=0
    while tmux -L $SOCK has-session >/dev/null 2>&1 && [ $n -lt 50 ]; do sleep 0.05; n=$((n + 1)); done
    : >"$LOG"
    tmux -L $SOCK -f /dev/null new-session -d -x 80 -y 24 \
        "env -i PATH=/usr/bin:/bin HOME='$TMP/home' XDG_CONFIG_HOME='$TMP/config' XDG_CACHE_HOME='$TMP/cache' \
XDG_STATE_HOME='$TMP/state' LANG=C.UTF-8 TERM=tmux-256color MLDECK_BENCH='$LOG' '$BIN' --cache '$DB'; sleep 600"
}

# Waits until the log has N lines matching PATTERN.
wait_log() {
    n=0
    while [ "$(grep -c -- "$1" "$LOG" 2>/dev/null || true)" -lt "${2:-1}" ] && [ $n -lt 400 ]; do
        sleep 0.025
        n=$((n + 1))
    done
}

field() {  # field NAME: prints the value of NAME=... from stdin lines
    sed -n "s/.* $1=\([0-9.]*\).*/\1/p"
}

stats() {  # stats LABEL: min / median / p95 / max of numbers on stdin
    sort -n | awk -v label="$1" '{v[NR]=$1} END {
        if (NR == 0) { printf "%-34s (no samples)\n", label; exit }
        p95 = v[int(NR * 0.95 + 0.999)]; if (p95 == "") p95 = v[NR];
        printf "%-34s n=%-4d min %7.2f  median %7.2f  p95 %7.2f  max %7.2f ms\n",
               label, NR, v[1], v[int((NR + 1) / 2)], p95, v[NR] }'
}

# ---- cold start ----------------------------------------------------------
: >"$TMP/first"
for i in 1 2 3 4 5; do
    start
    wait_log "count-done"
    grep "first-frame" "$LOG" | awk '{print $1}' >>"$TMP/first"
    grep "count-done" "$LOG" | awk '{print $1}' >>"$TMP/counted"
    grep "count pipelines" "$LOG" | field ms >>"$TMP/count"
done
echo
stats "cold start to first frame" <"$TMP/first"
stats "cold start to counted frame" <"$TMP/counted"
stats "  count of 100k rows" <"$TMP/count"

# ---- scrolling -----------------------------------------------------------
keys() {  # keys N KEY: N single keypresses, each waited for
    before=$(grep -c "repaint" "$LOG" || true)
    i=0
    while [ $i -lt "$1" ]; do
        tmux -L $SOCK send-keys "$2"
        i=$((i + 1))
        wait_log "repaint" $((before + i))
    done
}
keys 100 j
grep "repaint keys=1 " "$LOG" | field ms | stats "repaint after j (top of list)"
: >"$LOG"
keys 50 NPage
grep "repaint keys=1 " "$LOG" | field ms | stats "repaint after PgDn"
: >"$LOG"
keys 1 G
keys 50 k
grep "repaint keys=1 " "$LOG" | field ms | stats "repaint after G, then k at the end"
: >"$LOG"
for i in 1 2 3 4 5 6 7 8 9 10; do keys 1 g; keys 1 G; done
grep "repaint keys=1 " "$LOG" | field ms | stats "repaint after g / G (100k jump)"
: >"$LOG"
keys 1 g
for i in 1 2 3 4 5; do keys 1 '>'; done
grep "repaint keys=1 " "$LOG" | tail -5 | field ms | stats "repaint after > (new sort column)"

# ---- filter --------------------------------------------------------------
# A filter counts the matches first (one scan), then loads the window.
filter() {  # filter TEXT: types it, then times only the Enter
    tmux -L $SOCK send-keys / C-u
    tmux -L $SOCK send-keys -l -- "$1"
    n=0
    until tmux -L $SOCK capture-pane -p | grep -qF -- "/$1" || [ $n -gt 200 ]; do
        sleep 0.025
        n=$((n + 1))
    done
    sleep 0.1
    : >"$LOG"
    tmux -L $SOCK send-keys Enter
    wait_log "repaint"
}
for name in f1 f2 f3; do : >"$TMP/$name.frame"; : >"$TMP/$name.count"; done
for i in 1 2 3; do
    for spec in "f1 yolo11-train" "f2 name:detector-eval-0" "f3 no-such-pipeline"; do
        set -- $spec
        filter "$2"
        grep "repaint keys=1 " "$LOG" | tail -1 | field ms >>"$TMP/$1.frame"
        grep "count pipelines" "$LOG" | tail -1 | field ms >>"$TMP/$1.count"
    done
done
stats "filter yolo11-train: Enter to frame" <"$TMP/f1.frame"
stats "  of which: count of the matches" <"$TMP/f1.count"
stats "filter name:detector-eval-0" <"$TMP/f2.frame"
stats "  of which: count of the matches" <"$TMP/f2.count"
stats "filter with no match" <"$TMP/f3.frame"
stats "  of which: count" <"$TMP/f3.count"
echo
echo "targets: first frame < 50 ms, repaint < 16 ms"
