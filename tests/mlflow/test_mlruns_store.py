"""The file-store reader (src/local/mlruns via tests/mlflow/mlruns_dump) must
show exactly the experiments, runs, params, tags, metric histories and
models of ../shared/fixtures/mlruns, compared with an independent reading
of the same folder done here in Python (plain file reads, PyYAML-free), and
must handle a deleted experiment in .trash and a deleted run."""

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlflow_testlib import MLRUNS, Tap  # noqa: E402

if not os.path.isdir(MLRUNS):
    print("1..0 # SKIP ../shared/fixtures/mlruns not found")
    sys.exit(0)
DUMP = os.path.join(os.environ.get("MLDECK_BUILDDIR", "."), "tests", "mlflow", "mlruns_dump")
tap = Tap()
STATUS = {"1": "RUNNING", "2": "SCHEDULED", "3": "FINISHED", "4": "FAILED", "5": "KILLED"}


def meta(path):
    """key: value lines of a flat meta.yaml, quotes removed (independent of the C reader)."""
    out = {}
    for line in open(path).read().splitlines():
        if not line or line.startswith(" ") or ":" not in line:
            continue
        k, _, v = line.partition(":")
        v = v.strip()
        if v.startswith("'") and v.endswith("'"):
            v = v[1:-1].replace("''", "'")
        out[k] = v
    return out


def kv(folder):
    out = {}
    if not os.path.isdir(folder):
        return out
    for dirpath, _, files in os.walk(folder):
        for f in files:
            full = os.path.join(dirpath, f)
            out[os.path.relpath(full, folder)] = open(full).read()
    return out


def metric_lines(path, key):
    pts = []
    for line in open(path).read().splitlines():
        if not line.strip():
            continue
        ts, val, step = (line.split() + ["0"])[:3]
        v = float(val)
        pts.append({"key": key, "value": "NaN" if math.isnan(v) else v,
                    "timestamp": int(ts), "step": int(step)})
    return pts


def expected(root):
    exps, runs, hist = {}, {}, {}
    for base, deleted in ((root, False), (os.path.join(root, ".trash"), True)):
        if not os.path.isdir(base):
            continue
        for d in os.listdir(base):
            mp = os.path.join(base, d, "meta.yaml")
            if d in ("models", ".trash") or not os.path.isfile(mp):
                continue
            m = meta(mp)
            exps[m["experiment_id"]] = {"name": m["name"], "lifecycle_stage": m["lifecycle_stage"],
                                        "tags": kv(os.path.join(base, d, "tags"))}
            runs[m["experiment_id"]] = {}
            for r in os.listdir(os.path.join(base, d)):
                rp = os.path.join(base, d, r, "meta.yaml")
                if not os.path.isfile(rp):
                    continue
                rm = meta(rp)
                rdir = os.path.join(base, d, r)
                metrics = {}
                for dirpath, _, files in os.walk(os.path.join(rdir, "metrics")):
                    for f in files:
                        full = os.path.join(dirpath, f)
                        key = os.path.relpath(full, os.path.join(rdir, "metrics"))
                        metrics[key] = metric_lines(full, key)
                runs[m["experiment_id"]][r] = {
                    "status": STATUS[rm["status"]], "run_name": rm["run_name"],
                    "start_time": int(rm["start_time"]),
                    "end_time": None if rm["end_time"] == "null" else int(rm["end_time"]),
                    "lifecycle_stage": rm["lifecycle_stage"], "user_id": rm["user_id"],
                    "params": kv(os.path.join(rdir, "params")),
                    "tags": kv(os.path.join(rdir, "tags")), "metrics": metrics,
                    "artifacts": sorted(os.listdir(os.path.join(rdir, "artifacts")))
                    if os.path.isdir(os.path.join(rdir, "artifacts")) else []}
                hist[r] = metrics
    return exps, runs


def latest(pts):
    def k(p):
        v = p["value"]
        return (p["step"], p["timestamp"], -math.inf if v == "NaN" else v)
    return max(pts, key=k)


def check_store(root, label):
    out = subprocess.run([DUMP, root], capture_output=True, text=True)
    if not tap.ok(out.returncode == 0, "%s: mlruns_dump runs" % label, out.stderr):
        return None
    got = json.loads(out.stdout)
    exps, runs = expected(root)
    gexps = {e["experiment_id"]: e for e in got["experiments"]}
    tap.eq(sorted(gexps), sorted(exps), "%s: same experiment ids" % label)
    for eid, e in exps.items():
        g = gexps.get(eid, {})
        tap.eq((g.get("name"), g.get("lifecycle_stage")), (e["name"], e["lifecycle_stage"]),
               "%s: experiment %s name and stage" % (label, eid))
        tap.eq({t["key"]: t["value"] for t in g.get("tags", [])}, e["tags"],
               "%s: experiment %s tags" % (label, eid))
        gruns = {r["info"]["run_id"]: r for r in got["runs"].get(eid, [])}
        tap.eq(sorted(gruns), sorted(runs[eid]), "%s: experiment %s run ids" % (label, eid))
        for rid, want in runs[eid].items():
            r = gruns.get(rid)
            if not r:
                continue
            info = r["info"]
            tap.eq({k: info.get(k) for k in ("status", "run_name", "start_time", "end_time",
                                               "lifecycle_stage", "user_id")},
                   {k: want[k] for k in ("status", "run_name", "start_time", "end_time",
                                         "lifecycle_stage", "user_id")},
                   "%s: run %s info" % (label, want["run_name"]))
            tap.eq(info.get("run_uuid"), rid, "%s: run %s run_uuid" % (label, want["run_name"]))
            data = r["data"]
            tap.eq({p["key"]: p["value"] for p in data.get("params", [])}, want["params"],
                   "%s: run %s params (%d)" % (label, want["run_name"], len(want["params"])))
            tap.eq({p["key"]: p["value"] for p in data.get("tags", [])}, want["tags"],
                   "%s: run %s tags" % (label, want["run_name"]))
            tap.eq({m["key"]: m for m in data.get("metrics", [])},
                   {k: latest(v) for k, v in want["metrics"].items()},
                   "%s: run %s latest metrics" % (label, want["run_name"]))
            tap.eq(got["histories"][rid].get("@artifacts", {}).get("files") and
                   [f["path"] for f in got["histories"][rid]["@artifacts"]["files"]] or [],
                   want["artifacts"], "%s: run %s artifact listing" % (label, want["run_name"]))
            h = {k: v for k, v in got["histories"][rid].items() if k != "@artifacts"}
            tap.eq(h, want["metrics"], "%s: run %s metric histories (%d keys, %d points)" %
                   (label, want["run_name"], len(h), sum(len(v) for v in h.values())))
    return got


got = check_store(MLRUNS, "fixture store")
if got:
    # models/: drone-yolo11 version 1, alias champion -> 1
    models = got["registered_models"]
    tap.eq([m["name"] for m in models], ["drone-yolo11"], "registered model listed")
    m = models[0] if models else {}
    tap.eq(m.get("aliases"), [{"alias": "champion", "version": "1"}], "model aliases")
    tap.eq(m.get("description"), "YOLO11n drone detector (1 class).", "model description")
    vs = got["model_versions"]
    tap.eq([(v["name"], v["version"], v.get("current_stage"), v.get("run_id"), v.get("aliases"))
            for v in vs],
           [("drone-yolo11", "1", "None", "175e05e146af4985877964eb4dcf2527", ["champion"])],
           "model version with stage, run and alias")
    tap.ok("description" not in vs[0] and "run_link" not in vs[0],
           "null fields are left out as the REST API does")
    tap.eq([v["version"] for v in m.get("latest_versions", [])], ["1"], "latest_versions")

# A copy with a deleted experiment in .trash and a deleted run.
tmp = tempfile.mkdtemp(prefix="mldeck-mlruns-")
try:
    store = os.path.join(tmp, "mlruns")
    shutil.copytree(MLRUNS, store)
    for dirpath, dirs, files in os.walk(store):
        os.chmod(dirpath, 0o755)
        for f in files:
            os.chmod(os.path.join(dirpath, f), 0o644)
    ids = [d for d in os.listdir(store) if d.isdigit() and d != "0"]
    victim = sorted(ids)[0]
    os.makedirs(os.path.join(store, ".trash"))
    os.rename(os.path.join(store, victim), os.path.join(store, ".trash", victim))
    mp = os.path.join(store, ".trash", victim, "meta.yaml")
    text = open(mp).read()
    open(mp, "w").write(text.replace("lifecycle_stage: active", "lifecycle_stage: deleted"))
    other = [d for d in ids if d != victim][0]
    run = sorted(r for r in os.listdir(os.path.join(store, other))
                 if os.path.isdir(os.path.join(store, other, r)) and r != "tags")[0]
    rp = os.path.join(store, other, run, "meta.yaml")
    text = open(rp).read()
    open(rp, "w").write(text.replace("lifecycle_stage: active", "lifecycle_stage: deleted"))
    got2 = check_store(store, "store with .trash")
    if got2:
        st = {e["experiment_id"]: e["lifecycle_stage"] for e in got2["experiments"]}
        tap.eq(st.get(victim), "deleted", "experiment in .trash is deleted")
finally:
    shutil.rmtree(tmp)
tap.done()
