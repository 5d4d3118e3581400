#!/bin/sh
# The metric chart refreshes a RUNNING run's history by itself
# (refresh_seconds = 1 in the config): points logged to the MLflow test
# server after the chart opened show up without a key.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init experiments_live

RID=11112222333344445555666677778888
NOW=$(($(date +%s) * 1000))
/usr/bin/python3 - "$TUI_TMP/seed.json" "$RID" "$NOW" <<'PY'
import json, sys
path, rid, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
pts = [{"key": "metrics/mAP50B", "value": 0.1 * (i + 1), "timestamp": now - 60000 + i * 1000, "step": i}
       for i in range(5)]
seed = {
    "experiments": [{"experiment_id": "7", "name": "live", "artifact_location": "mlflow-artifacts:/7",
                     "lifecycle_stage": "active", "last_update_time": now, "creation_time": now - 3600000}],
    "runs": [{"info": {"run_uuid": rid, "experiment_id": "7", "run_name": "still-training",
                       "user_id": "ops", "status": "RUNNING", "start_time": now - 60000,
                       "artifact_uri": "mlflow-artifacts:/7/%s/artifacts" % rid,
                       "lifecycle_stage": "active", "run_id": rid},
              "data": {"metrics": [pts[-1]], "params": [], "tags": []}}],
    "histories": {rid: {"metrics/mAP50B": pts}},
}
json.dump(seed, open(path, "w"))
PY
tui_mlflow_server --seed "$TUI_TMP/seed.json"
echo "refresh_seconds = 1" >"$TUI_TMP/config/mldeck/config"

log_metric() {
    /usr/bin/python3 - "$BASE" "$RID" "$1" "$2" <<'PY'
import json, sys, time, urllib.request
base, rid, step, value = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
body = json.dumps({"run_id": rid, "key": "metrics/mAP50B", "value": value,
                   "timestamp": int(time.time() * 1000), "step": step}).encode()
urllib.request.urlopen(urllib.request.Request(base + "/api/2.0/mlflow/runs/log-metric", data=body,
                                              headers={"Content-Type": "application/json"}))
PY
}

TUI_ENV="MLFLOW_TRACKING_URI=$BASE"
tui_start 100 30
tui_keys 4; tui_wait "live" 20; ok $? "the experiment"
tui_keys :; tui_type "filter name:live"; tui_keys Enter; tui_wait "1/1"
tui_keys Enter; tui_wait "still-training" 20; ok $? "the RUNNING run"
tui_keys m; tui_wait "Pick a metric" 5; tui_keys Enter
tui_wait "5 pts" 20; ok $? "5 points charted"
tui_screen | grep -q "live (1 running)"; ok $? "the header says it follows a running run"
log_metric 5 0.6; log_metric 6 0.7; log_metric 7 0.8
tui_wait "8 pts" 20; ok $? "points logged afterwards appear without a key"

tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "q quits"
tui_done
