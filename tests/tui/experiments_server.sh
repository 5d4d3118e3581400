#!/bin/sh
# The experiments pane against the MLflow test server (tests/servers/
# mlflow_server.py, an experiment "scale" of 2,000 runs): runs page in as
# you scroll (runs "next-page"), F sends the search expression to the
# server (checked in the server's request log), a bad expression sends
# nothing, and the chart fetches a history once (metrics/get-history) and
# then reads it from the cache.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init experiments_server

tui_mlflow_server --synthetic 2000:300

# Requests the server saw: "METHOD PATH BODY" lines.
seen() {
    /usr/bin/python3 - "$BASE" <<'PY'
import json, sys, urllib.request
for r in json.load(urllib.request.urlopen(sys.argv[1] + "/_test/requests")):
    print(r["method"], r["path"], r.get("body") or "")
PY
}
forget() {
    /usr/bin/python3 -c "import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/_test/requests', method='DELETE'))" "$BASE"
}

TUI_ENV="MLFLOW_TRACKING_URI=$BASE"
tui_start 120 34
tui_keys 4; tui_wait "scale" 20; ok $? "experiments from the server"
tui_keys :; tui_type "filter name:scale"; tui_keys Enter; tui_wait "1/1"
tui_keys Enter; tui_wait "sweep-1999" 20; ok $? "the first page of runs"
tui_wait "1/1000" 10; ok $? "1000 runs (one page)"
tui_keys G; tui_wait "1000 more runs" 20; ok $? "scrolling to the end fetches the next page"
tui_wait "/2000" 10; ok $? "2000 runs now"
seen | grep -q "runs/search.*page_token"; ok $? "the server got runs/search with the page token"
tui_keys g

forget
tui_keys F; tui_type 'metrics.`metrics/mAP50B` > 0.85 and params.imgsz = "640"'; tui_keys Enter
tui_wait "40 runs match" 20; ok $? "F: the server's answer (40 runs)"
seen | grep 'runs/search' | grep -q 'metrics.`metrics/mAP50B` > 0.85 and params.imgsz = \\"640\\"'; ok $? "the expression was sent as the filter"
tui_screen | sed -n 5p | grep -q "640"; ok $? "rows are the matching runs"
tui_screen | grep -q '\[F: metrics'; ok $? "the breadcrumb shows the search"

forget
tui_keys F; tui_keys C-u; tui_type 'metrics.mAP50B >> 3'; tui_keys Enter
tui_wait "nothing sent" 5; ok $? "a bad expression is a clear error"
tui_screen | grep -q "column"; ok $? "the error names the column"
[ -z "$(seen | grep 'runs/search')" ]; ok $? "and no request was sent"
tui_keys Escape; tui_wait "/2000" 5; ok $? "Esc: every run again"

# Chart: the history is fetched once, then read from the cache.
forget
tui_keys m; tui_wait "Pick a metric" 5; ok $? "m on the current run opens the picker"
tui_keys Enter; tui_wait "x:step" 10
tui_wait "└┬" 20; ok $? "the history is charted"
seen | grep -q "metrics/get-history"; ok $? "fetched with metrics/get-history"
tui_keys Escape; tui_wait "/2000" 5
forget
tui_keys m; tui_wait "Pick a metric" 5; tui_keys Enter; tui_wait "└┬" 20
[ -z "$(seen | grep 'get-history')" ]; ok $? "the second chart reads the cache (no request)"

# :runs (every experiment): the search names the cached experiments.
forget
tui_keys :; tui_type "runs"; tui_keys Enter; tui_wait "/2000" 10
tui_keys F; tui_type 'params.imgsz = "640"'; tui_keys Enter
tui_wait "runs match" 20; ok $? "F over every experiment"
seen | grep 'runs/search' | grep -q '"experiment_ids":\[[^]]*"100"'; ok $? "the search names the cached experiments"

tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "q quits"
tui_done
