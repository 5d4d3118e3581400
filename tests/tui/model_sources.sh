#!/bin/sh
# The inference pane loading models from the MLflow registry (tests/servers/
# mlflow_server.py, the recorded state plus a model "drone-aerial4" whose
# versions point at a run holding the real drone model): M + Enter on a
# version with an mlflow-artifacts:/ source downloads it on a worker (one
# download request), the detections equal `mldeck infer --json` with the
# same source, the header names the source; a version with a runs:/ source
# comes from the cache (no second download); a version with only best.pt
# is a clear error and the loaded model stays; `o models:/NAME@ALIAS` works
# from the prompt.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init model_sources

SRC=${MLDECK_SRCDIR:-.}
MODEL=$MLDECK_DATA_DIR/models/aerial4_yolo11n_320.onnx
IMG=$MLDECK_DATA_DIR/demo/images/images/val/val_0000.jpg
FIX=${MLDECK_SHARED:-$SRC/../shared}/fixtures/mlflow
[ -f "$FIX/index.json" ] || FIX=/work/shared/fixtures/mlflow
if [ ! -f "$MODEL" ] || [ ! -f "$IMG" ] || [ ! -f "$FIX/index.json" ]; then
    echo "1..0 # SKIP no shipped model, demo image or recorded MLflow fixtures"
    exit 0
fi

RUN=c0ffee00000000000000000000000001
RUN_PT=c0ffee00000000000000000000000002
printf 'imgsz: 320\n' >"$TUI_TMP/args.yaml"
printf 'PK torch weights\n' >"$TUI_TMP/best.pt"
/usr/bin/python3 - "$TUI_TMP/seed.json" "$MODEL" "$TUI_TMP" "$RUN" "$RUN_PT" <<'PY'
import json, sys
out, model, tmp, run, run_pt = sys.argv[1:]
def r(rid, name):
    return {"info": {"run_uuid": rid, "experiment_id": "1", "run_name": name, "user_id": "ayoub",
                     "status": "FINISHED", "start_time": 1795681700000, "end_time": 1795681750000,
                     "artifact_uri": "mlflow-artifacts:/1/%s/artifacts" % rid,
                     "lifecycle_stage": "active", "run_id": rid},
            "data": {"metrics": [], "params": [], "tags": []}, "inputs": {}}
def v(n, source, rid, aliases=()):
    return {"name": "drone-aerial4", "version": str(n), "creation_timestamp": 1795681760000 + n,
            "last_updated_timestamp": 1795681760000 + n, "current_stage": "None",
            "description": "v%d" % n, "source": source, "run_id": rid, "status": "READY",
            "tags": [], "run_link": "", "aliases": list(aliases)}
json.dump({
    "runs": [r(run, "aerial4"), r(run_pt, "pt-only")],
    "artifact_files": {run: {"weights/best.onnx": model, "args.yaml": tmp + "/args.yaml",
                             "slow/aerial4.onnx": model},
                       run_pt: {"weights/best.pt": tmp + "/best.pt"}},
    "models": [{"name": "drone-aerial4", "creation_timestamp": 1795681760000,
                "last_updated_timestamp": 1795681760003, "tags": [],
                "aliases": [{"alias": "champion", "version": "1"}]}],
    "versions": [v(1, "mlflow-artifacts:/1/%s/artifacts/weights" % run, run, ["champion"]),
                 v(2, "runs:/%s/weights" % run, run),
                 v(3, "runs:/%s/weights" % run_pt, run_pt)],
}, open(out, "w"))
PY

tui_mlflow_server --fixtures "$FIX" --seed "$TUI_TMP/seed.json"

# Download requests the server saw (GETs of the proxied artifact service).
downloads() {
    /usr/bin/python3 - "$BASE" <<'PY'
import json, sys, urllib.request
for r in json.load(urllib.request.urlopen(sys.argv[1] + "/_test/requests")):
    if r["method"] == "GET" and r["path"].startswith("/api/2.0/mlflow-artifacts/artifacts/"):
        print(r["path"])
PY
}

# The pane's detection rows ("class conf x1 y1 x2 y2") against the CLI's
# JSON for the same model source and image (a separate cache, so the CLI
# downloads on its own).
same_as_cli() {
    env -i PATH=/usr/bin:/bin HOME="$TUI_TMP/home" XDG_CACHE_HOME="$TUI_TMP/cli-cache" \
        ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
        ${MLDECK_YOLO_KERNEL:+MLDECK_YOLO_KERNEL=$MLDECK_YOLO_KERNEL} \
        MLFLOW_TRACKING_URI="$BASE" "$MLDECK_BIN" infer "$1" "$IMG" --json --threads 1 \
        >"$TUI_TMP/cli.json" 2>"$TUI_TMP/cli.err" || return 1
    tui_screen >"$TUI_TMP/screen.txt"
    /usr/bin/python3 - "$TUI_TMP/cli.json" "$TUI_TMP/screen.txt" <<'PY'
import json, re, sys
dets = json.loads(open(sys.argv[1]).read())["detections"]
rows = []
for line in open(sys.argv[2]):
    m = re.search(r"(vehicle|person|building|boat)\s+(\d\.\d{3})\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)", line)
    if m:
        rows.append((m.group(1), m.group(2), [int(x) for x in m.groups()[2:]]))
want = [(d["class_name"], "%.3f" % d["confidence"], [round(b) for b in d["box"]]) for d in dets]
# The list may be cut by the pane's height: compare what is shown.
ok = len(rows) >= min(len(want), 5) and all(
    r[0] == w[0] and r[1] == w[1] and all(abs(a - b) <= 1 for a, b in zip(r[2], w[2]))
    for r, w in zip(rows, want))
if not ok:
    print("# pane rows: %r" % rows[:6])
    print("# cli rows:  %r" % want[:6])
sys.exit(0 if ok else 1)
PY
}

TUI_ENV="${TUI_ENV:+$TUI_ENV }${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS }\
${MLDECK_YOLO_KERNEL:+MLDECK_YOLO_KERNEL=$MLDECK_YOLO_KERNEL }MLFLOW_TRACKING_URI=$BASE"
tui_start 130 40
tui_keys 6
tui_wait "Detections:" 30; ok $? "pane open, the shipped model ran"

# Version 1: an mlflow-artifacts:/ folder source.  M lists the registered
# models first (a live server lists versions per model), then the versions.
tui_keys M
tui_wait "(Enter chooses)" 10; ok $? "M lists the registered models"
tui_wait "drone-yolo11" 20; ok $? "the server's registered models are listed"
tui_keys /; tui_type "aerial4"; tui_keys Enter
tui_wait "drone-aerial4" 10
tui_keys Enter
tui_wait "v3" 20; ok $? "Enter on the model lists its versions"
tui_screen | grep -q "v1" && tui_screen | grep -q "v2"; ok $? "every version of drone-aerial4"
tui_keys /; tui_type "champion"; tui_keys Enter
tui_gone "v3" 10; ok $? "filtered to the champion version (v1)"
tui_keys Enter
tui_wait "model mlflow-artifacts:/1/$RUN/artifacts/weights" 30; ok $? "Enter loads it: the header names the source"
tui_wait "Detections:" 30
tui_wait "320x320, 4 classes" 5; ok $? "the downloaded model is the 320-pixel, 4-class drone model"
[ "$(downloads | wc -l)" -eq 1 ]; ok $? "one download request"
downloads | grep -q "/1/$RUN/artifacts/weights/best.onnx"; ok $? "the download is weights/best.onnx"
ls "$TUI_TMP/cache/mldeck/models/" | grep -q "^mlflow-.*\.onnx$"; ok $? "cached as mlflow-<hash>.onnx"
[ "$(ls "$TUI_TMP/cache/mldeck/models/" | wc -l)" -eq 1 ]; ok $? "no temporary file left in the cache"
same_as_cli "mlflow-artifacts:/1/$RUN/artifacts/weights"; ok $? "detections equal mldeck infer --json with the same source"

# Version 2 (runs:/ to the same artifact): from the cache.
before=$(downloads | wc -l)
tui_keys o C-u; tui_type "models:/drone-aerial4/2"; tui_keys Enter
tui_wait "model models:/drone-aerial4/2" 30; ok $? "o models:/NAME/2 loads (runs:/ source)"
[ "$(downloads | wc -l)" -eq "$before" ]; ok $? "the same artifact again: no new download"
tui_keys o C-u; tui_type "models:/drone-aerial4@champion"; tui_keys Enter
tui_wait "model models:/drone-aerial4@champion" 30; ok $? "o models:/NAME@champion loads"

# Version 3: only best.pt.
tui_keys o C-u; tui_type "models:/drone-aerial4/3"; tui_keys Enter
tui_wait "yolo export" 30; ok $? "a version with only best.pt: says to export to ONNX"
tui_screen | grep -q "still using models:/drone-aerial4@champion"; ok $? "the loaded model stays"
tui_keys r
tui_wait "detections in" 20; ok $? "r still runs it"

# A slow download (1 MiB per second) shows its progress in the running line
# (the screen repaints every 5 s while nothing else happens).
/usr/bin/python3 -c "import json,sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/_test/fault', data=json.dumps({'path': '/api/2.0/mlflow-artifacts/artifacts/', 'throttle_ms': 1000, 'times': 1}).encode(), method='POST'))" "$BASE"
tui_keys o C-u; tui_type "mlflow-artifacts:/1/$RUN/artifacts/slow"; tui_keys Enter
tui_wait " of 10.4 MB) loading mlflow-artifacts:/1/$RUN/artifacts/slow" 20; ok $? "a download in progress: MB done of the total in the running line"
tui_wait "model mlflow-artifacts:/1/$RUN/artifacts/slow (320x320" 30; ok $? "then it loads"

tui_keys o C-u; tui_type "runs:/$RUN/weights/missing.onnx"; tui_keys Enter
tui_wait "no such artifact" 30; ok $? "a missing artifact: a clear error"

tui_keys q
tui_wait "MLDECK-EXITED rc=0" 10; ok $? "q quits with status 0"
tui_done
