"""The MLflow provider through real sync workers and a real SQLite cache
(tests/mlflow/mlflow_provider_check), against the test MLflow server: rows
in the cache are the server's objects, runs are paged with next-page,
finished runs' histories are fetched once (the server's request log must
show no second fetch), model versions get their aliases, a bad filter in a
search action fails before sending.  Then the scale case: an experiment of
2,000 runs whose 13 metrics have 10,000 points each."""

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlflow_testlib import FIXTURES, MLRUNS, Server, Tap, need_fixtures  # noqa: E402

need_fixtures()
CHECK = os.path.join(os.environ.get("MLDECK_BUILDDIR", "."), "tests", "mlflow",
                     "mlflow_provider_check")
if not os.access(CHECK, os.X_OK):
    print("1..0 # SKIP mlflow_provider_check not built")
    sys.exit(0)
tap = Tap()
tmp = tempfile.mkdtemp(prefix="mldeck-mlflow-prov-")


def fixture(name):
    return json.load(open(os.path.join(FIXTURES, name)))["response"]


def run_check(srv, *args):
    db = os.path.join(tmp, "cache-%d.db" % len(os.listdir(tmp)))
    env = dict(os.environ, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR="0", HOME=tmp)
    r = subprocess.run([CHECK, srv.url, db] + list(args), capture_output=True, text=True,
                       env=env, timeout=600)
    if r.returncode != 0:
        return None, r.stderr
    return json.loads(r.stdout), r.stderr


TRAIN = "ae9d632f5d87465bacb36832a1a8582f"
srv = Server("--fixtures", FIXTURES)
d, err = run_check(srv, "drone-detection-yolo11", TRAIN)
if not tap.ok(d is not None, "provider check ran", err):
    tap.done()
tap.eq((d["experiments_status"], d["experiments"]), ("ok", 4),
       "experiments refreshed, deleted one included")
tap.eq((d["runs_status"], d["runs"]), ("ok", 9), "runs of experiment 1 (deleted run included)")
import urllib.request  # noqa: E402
req = urllib.request.Request(srv.url + "/api/2.0/mlflow/runs/search", method="POST",
                             headers={"Content-Type": "application/json"},
                             data=json.dumps({"experiment_ids": [d["experiment_id"]],
                                              "run_view_type": "ALL"}).encode())
runs1 = json.load(urllib.request.urlopen(req, timeout=30))["runs"]
active = sum(1 for r in runs1 if r["info"]["lifecycle_stage"] == "active")
tap.eq(d["count_after_experiments"], {"run_count": active},
       "experiments refresh: the run count (active runs) is there before the experiment is opened")
tap.eq(d["count_after_paging"], {"run_count": active}, "run count after paging: unchanged, complete")
tap.eq((d["histories_status"], d["histories"]), ("ok", 3),
       "histories of a finished run: every key the server has")
tap.eq(d.get("history"), fixture("metrics_get_history.json")["metrics"],
       "cached history = the server's get-history reply")
tap.ok(d["fetch_cached"] and d["fetch_points"] == 100, "fetch of a cached finished history: cached")
tap.ok(not d["force_cached"], "fetch with force: fetched again")
gh = Counter(r["query_string"] for r in srv.requests()
             if r["path"].endswith("metrics/get-history"))
key = lambda k: next((n for q, n in gh.items() if "metric_key=" + k in q), 0)  # noqa: E731
tap.eq(key("metrics%2FmAP50B"), 2, "mAP50B fetched twice: the first refresh and the forced fetch")
tap.eq(key("train%2Fbox_loss"), 1, "box_loss fetched once though refreshed twice")
want_v1 = fixture("registered_models_alias_get.json")["model_version"]
tap.eq((d["versions"], d.get("version1")), (2, want_v1),
       "model versions cached as model-versions/get returns them (aliases included)")
tap.ok(d["bad_search_status"] == "invalid" and "column 9" in d["bad_search_message"],
       "search action with a bad filter fails before sending", d["bad_search_message"])
tap.eq(d["search"], {"run_ids": ["cbe7e951221a41dfb988d7ddfe3859d8"]},
       "search action: the server's answer in order")
tap.eq(sum(1 for r in srv.requests() if r["path"].endswith("runs/search") and
           "backticked" in r["body"]), 0, "the bad filter never reached the server")
srv.stop()

# ---- the same provider on the fixture file store ----------------------------------------
class Local:
    url = "file://" + MLRUNS


d, err = run_check(Local, "drone-detection-yolo11")
if tap.ok(d is not None, "provider on a file store ran", err):
    tap.eq((d["experiments"], d["runs"], d["histories"]), (3, 3, 13),
           "file store: experiments, runs and the 13 histories of the oldest run")
    tap.eq(d["count_after_experiments"], {"run_count": 3}, "file store: run count")
    tap.ok(d["fetch_cached"] and d["fetch_points"] == 30, "file store: a finished history is read once")
    tap.eq(d.get("version1", {}).get("aliases"), ["champion"], "file store: version aliases")
    tap.eq(d["search"]["run_ids"], ["f001a8777b59435b83cba143da785e5d"],
           "file store: search action evaluates the filter locally")

# ---- scale ---------------------------------------------------------------------------
big = Server("--synthetic", "2000:10000")
d, err = run_check(big, "scale", "", "metrics/mAP50B")
if tap.ok(d is not None, "scale check ran", err):
    tap.eq((d["runs"], d["runs_pages"]), (2000, 2), "2,000 runs in two pages of 1,000")
    tap.eq(d["count_after_experiments"], {"run_count": 1000, "run_count_more": True},
           "run count after the first page: a lower bound (1000+)")
    tap.eq(d["count_after_paging"], {"run_count": 2000}, "run count after every page: 2000")
    tap.eq(d["histories"], 13, "13 histories of the oldest run cached")
    tap.eq(d["fetch_points"], 10000, "10,000 points per history")
    tap.ok(d["fetch_cached"], "second look at a finished run's history: from the cache")
    reqs = big.requests()
    gh = [r for r in reqs if r["path"].endswith("metrics/get-history")]
    tap.eq(len(gh), 13 + 1, "histories fetched once (13) plus the forced one")
    print("# scale: runs %.2fs (2 pages), 13x10k histories %.2fs, cached again %.3fs" % (
        d["runs_seconds"], d["histories_seconds"], d["histories_again_seconds"]))
big.stop()
import shutil  # noqa: E402
shutil.rmtree(tmp, ignore_errors=True)
tap.done()
