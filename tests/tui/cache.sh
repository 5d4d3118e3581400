#!/bin/sh
# Without --demo: the normal cache, painted at once with its age ("stale,
# 3h old"), the providers that are not configured named in the status
# line, and a damaged cache file moved aside with a warning.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init cache
FILL=${MLDECK_BUILDDIR:-.}/tests/bench/tui/fill
if [ ! -x "$FILL" ]; then
    echo "1..0 # SKIP no $FILL"
    exit 0
fi

tui_start 100 30
tui_wait "No Pipelines in the cache" 20; ok $? "empty cache: says so"
tui_wait "not configured: AWS" 1; ok $? "status line names the providers that are not configured"
tui_wait "offline" 1; ok $? "header says offline"
tui_wait "never fetched" 1; ok $? "header: never fetched"
tui_keys 6; tui_wait "latency: preprocess" 60; ok $? "inference runs with nothing configured (workers start anyway)"
tui_keys 3 r; tui_wait "no provider configured"; ok $? "r on a kind nobody lists: no refresh sent, says so"
tui_keys : ; tui_type "training-jobs"; tui_keys Enter; tui_wait "No Training jobs in the cache"
ok $? "an empty training jobs list"
tui_keys n; tui_wait "new training job"; ok $? "n on an empty list opens the training job form (no row needed)"
tui_keys Escape
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

"$FILL" "$TUI_TMP/cache/mldeck/cache.db" default "" 500 10800
ok $? "fill 500 pipelines fetched 3h ago"
tui_start 100 30
tui_wait "1/500" 20; ok $? "500 cached rows painted"
tui_wait "cache:stale, 3h old" 1; ok $? "header: stale, 3h old"
tui_keys G; tui_wait "500/500"; ok $? "G goes to the last row"
tui_keys g; tui_wait "1/500"; ok $? "g back to the first"
tui_keys NPage; tui_wait "26/500"; ok $? "PgDn moves a page"
tui_keys r; tui_wait "no provider configured"; ok $? "r without a provider says so"

# The end of a listing is read in reverse order from the other end; it
# must be exactly the rows forward scrolling reaches.
names() {  # the first column of the 25 body rows
    tui_screen | sed -n '5,29p' | awk '{print $1}'
}
tui_keys :; tui_type "sort name"; tui_keys Enter; tui_wait "sort:Name↑"
tui_keys g; tui_wait " 1/500"
: >"$TUI_TMP/fwd"
i=0
while [ $i -lt 20 ]; do
    tui_wait " $((i * 25 + 1))/500" 5 >/dev/null
    names >>"$TUI_TMP/fwd"
    tui_keys NPage
    i=$((i + 1))
done
tui_keys G; tui_wait " 500/500"
i=20
while [ $i -gt 0 ]; do
    tui_wait " $((i * 25))/500" 5 >/dev/null
    names >"$TUI_TMP/page.$i"
    tui_keys PPage
    i=$((i - 1))
done
: >"$TUI_TMP/bwd"
i=1
while [ $i -le 20 ]; do
    cat "$TUI_TMP/page.$i" >>"$TUI_TMP/bwd"
    i=$((i + 1))
done
[ "$(sort -u "$TUI_TMP/fwd" | wc -l)" -eq 500 ]; ok $? "forward paging shows 500 distinct rows"
cmp -s "$TUI_TMP/fwd" "$TUI_TMP/bwd"; ok $? "paging back from the end shows the same rows in the same order"
[ "$(tail -1 "$TUI_TMP/bwd")" = "yolo11-tune-00475" ]; ok $? "the last row by name is yolo11-tune-00475"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

printf 'this is not a database, just bytes %.0s' $(seq 1 200) >"$TUI_TMP/cache/mldeck/cache.db"
rm -f "$TUI_TMP/cache/mldeck/cache.db-wal" "$TUI_TMP/cache/mldeck/cache.db-shm"
tui_start 100 30
tui_wait "moved it to" 20; ok $? "a damaged cache is moved aside with a warning"
tui_wait "No Pipelines in the cache" 1; ok $? "and a new one is used"
ls "$TUI_TMP/cache/mldeck/" | grep -q "cache.db.corrupt-"; ok $? "the old file is kept as cache.db.corrupt-*"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"
# Rows arriving above the selected row while another view is on top: the
# selection follows the row, not the position.
tui_start 100 30 --demo
tui_wait "yolo11-train" 20
tui_keys :; tui_type "sort name"; tui_keys Enter; tui_wait "sort:Name↑"
tui_keys j j; tui_wait "3/4"
tui_screen | sed -n 7p | grep -q "^nightly-eval"; ok $? "third pipeline by name is nightly-eval"
tui_keys Enter; tui_wait "nightly-eval › executions"
"$FILL" "$TUI_TMP/cache/mldeck/demo.db" demo eu-west-1 60
ok $? "60 more pipelines written to the cache meanwhile"
tui_keys Escape; tui_wait "/64"; ok $? "back on pipelines: 64 rows"
tui_gone " 3/64" 1; ok $? "the position changed"
tui_keys d; tui_wait "nightly-eval › describe"; ok $? "the selection stayed on nightly-eval"
tui_keys Escape q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"
tui_done
