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
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

printf 'this is not a database, just bytes %.0s' $(seq 1 200) >"$TUI_TMP/cache/mldeck/cache.db"
rm -f "$TUI_TMP/cache/mldeck/cache.db-wal" "$TUI_TMP/cache/mldeck/cache.db-shm"
tui_start 100 30
tui_wait "moved it to" 20; ok $? "a damaged cache is moved aside with a warning"
tui_wait "No Pipelines in the cache" 1; ok $? "and a new one is used"
ls "$TUI_TMP/cache/mldeck/" | grep -q "cache.db.corrupt-"; ok $? "the old file is kept as cache.db.corrupt-*"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"
tui_done
