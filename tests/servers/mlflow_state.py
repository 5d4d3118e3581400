"""State of the test MLflow server: experiments, runs, metric histories,
registered models, model versions and artifact listings, all kept in MLflow's
REST JSON shapes so the server can return them as they are.

Seed JSON (every key optional):
  {"experiments": [Experiment...], "runs": [Run...],
   "histories": {run_id: {key: [Metric...]}},
   "models": [RegisteredModel without latest_versions],
   "versions": [ModelVersion with "aliases"],
   "artifacts": {run_id: {"": [FileInfo...], "weights": [...]}},
   "artifact_content": {run_id: {path: {"content_type": ..., "text": ...}}},
   "artifact_files": {run_id: {path: "/local/file"}},   (real bytes, listed too)
   "download_uris": {"NAME/VERSION": uri}}

seed_from_fixtures(dir) rebuilds that state from the recorded fixtures.
"""

import copy
import glob
import json
import math
import os


class State:
    def __init__(self, seed):
        seed = seed or {}
        self._exps = {e["experiment_id"]: e for e in seed.get("experiments", [])}
        self._runs = {r["info"]["run_id"]: r for r in seed.get("runs", [])}
        self._hist = seed.get("histories", {})
        self._models = {m["name"]: m for m in seed.get("models", [])}
        self._versions = seed.get("versions", [])
        self._artifacts = seed.get("artifacts", {})
        self._content = seed.get("artifact_content", {})
        self._files = seed.get("artifact_files", {})
        self._download = seed.get("download_uris", {})
        self._synthetic = {}   # run_id -> (index, npoints, start_ms)
        self._by_exp = {}
        self._reindex()

    def _reindex(self):
        self._by_exp = {}
        for r in self._runs.values():
            self._by_exp.setdefault(r["info"]["experiment_id"], []).append(r)

    # experiments
    def experiments(self):
        return list(self._exps.values())

    def experiment(self, eid):
        return self._exps.get(str(eid))

    # runs
    def runs_of(self, exp_ids):
        out = []
        for e in exp_ids:
            out += self._by_exp.get(str(e), [])
        return out

    def run(self, rid):
        return self._runs.get(rid)

    def history(self, rid, key):
        if rid in self._synthetic:
            return synthetic_history(self._synthetic[rid], key)
        return self._hist.get(rid, {}).get(key, [])

    def log_metric(self, rid, key, value, ts, step):
        self._hist.setdefault(rid, {}).setdefault(key, []).append(
            {"key": key, "value": value, "timestamp": ts, "step": step})

    # registry
    def models(self):
        return list(self._models.values())

    def model(self, name):
        return self._models.get(name)

    def versions(self, name):
        return [v for v in self._versions if v["name"] == name]

    def all_versions(self):
        return list(self._versions)

    def model_view(self, m):
        """A registered model as the API returns it: latest version per stage."""
        out = dict(m)
        latest = {}
        for v in self.versions(m["name"]):
            st = v.get("current_stage", "None")
            if st not in latest or int(v["version"]) > int(latest[st]["version"]):
                latest[st] = v
        lv = sorted(latest.values(), key=lambda v: int(v["version"]))
        if lv:
            out["latest_versions"] = [{k: x for k, x in v.items() if k != "aliases"} for v in lv]
        # keep the field order of the recorded replies
        order = ["name", "creation_timestamp", "last_updated_timestamp", "description",
                 "latest_versions", "tags", "aliases"]
        return {k: out[k] for k in order if k in out} | {k: v for k, v in out.items() if k not in order}

    def download_uri(self, v):
        return self._download.get("%s/%s" % (v["name"], v["version"]), v.get("source", ""))

    # artifacts
    def artifacts(self, rid, path):
        path = path.strip("/")
        out = list(self._artifacts.get(rid, {}).get(path, []))
        seen = {f["path"] for f in out}
        pre = path + "/" if path else ""
        for rel, local in sorted(self._files.get(rid, {}).items()):
            if not rel.startswith(pre):
                continue
            head, _, tail = rel[len(pre):].partition("/")
            full = pre + head
            if full in seen:
                continue
            seen.add(full)
            if tail:
                out.append({"path": full, "is_dir": True})
            else:
                out.append({"path": full, "is_dir": False,
                            "file_size": os.path.getsize(local)})
        out.sort(key=lambda f: f["path"])
        return out

    def artifact_content(self, rid, path):
        local = self._files.get(rid or "", {}).get(path or "")
        if local is not None:
            with open(local, "rb") as f:
                return "application/octet-stream", f.read()
        c = self._content.get(rid or "", {}).get(path or "")
        if c is None:
            return None
        return c.get("content_type", "text/plain"), c["text"].encode()

    # scale: N runs in one experiment, histories computed on demand
    def add_synthetic(self, name, nruns, npoints, exp_id="100"):
        base = 1790000000000
        self._exps[exp_id] = {"experiment_id": exp_id, "name": name,
                              "artifact_location": "mlflow-artifacts:/" + exp_id,
                              "lifecycle_stage": "active", "last_update_time": base,
                              "creation_time": base}
        for i in range(nruns):
            rid = "%032x" % (0x5ca1e000000000000000000000000000 + i)
            start = base + i * 60000
            spec = (i, npoints, start)
            self._synthetic[rid] = spec
            metrics = []
            for key in SYNTH_KEYS:
                last = synthetic_point(spec, key, npoints - 1)
                metrics.append(last)
            status = "RUNNING" if i % 97 == 5 else "FAILED" if i % 53 == 7 else "FINISHED"
            info = {"run_uuid": rid, "experiment_id": exp_id, "run_name": "sweep-%04d" % i,
                    "user_id": "ayoub", "status": status, "start_time": start,
                    "artifact_uri": "mlflow-artifacts:/%s/%s/artifacts" % (exp_id, rid),
                    "lifecycle_stage": "active", "run_id": rid}
            if status != "RUNNING":
                info["end_time"] = start + npoints * 1000
            params = [{"key": "imgsz", "value": str([320, 480, 640, 800][i % 4])},
                      {"key": "lr0", "value": str(round(0.001 * (1 + i % 10), 4))},
                      {"key": "batch", "value": str([8, 16, 32][i % 3])},
                      {"key": "epochs", "value": str(npoints)},
                      {"key": "model", "value": "yolo11n.pt"}]
            tags = [{"key": "mlflow.user", "value": "ayoub"},
                    {"key": "mlflow.runName", "value": "sweep-%04d" % i}]
            self._runs[rid] = {"info": info, "data": {"metrics": metrics, "params": params,
                                                      "tags": tags}, "inputs": {}}
        self._reindex()


SYNTH_KEYS = ["train/box_loss", "train/cls_loss", "train/dfl_loss", "lr/pg0", "lr/pg1", "lr/pg2",
              "metrics/precisionB", "metrics/recallB", "metrics/mAP50B", "metrics/mAP50-95B",
              "val/box_loss", "val/cls_loss", "val/dfl_loss"]


def synthetic_point(spec, key, step):
    i, npoints, start = spec
    k = SYNTH_KEYS.index(key) if key in SYNTH_KEYS else 0
    frac = (step + 1) / npoints
    if "loss" in key:
        v = 2.0 * math.exp(-3 * frac) + 0.3 + 0.01 * ((i * 7 + k + step) % 13)
    elif key.startswith("lr/"):
        v = 0.01 * (1 - frac) + 0.0001
    else:
        v = (0.4 + 0.5 * (i % 100) / 100.0) * (1 - math.exp(-4 * frac))
    if i % 53 == 7 and "loss" in key and step > npoints // 2:
        v = "NaN"
    else:
        v = round(v, 5)
    return {"key": key, "value": v, "timestamp": start + step * 1000, "step": step}


def synthetic_history(spec, key):
    if key not in SYNTH_KEYS:
        return []
    return [synthetic_point(spec, key, s) for s in range(spec[1])]


def merge(a, b):
    out = copy.deepcopy(a)
    for k, v in b.items():
        if isinstance(v, list):
            out[k] = out.get(k, []) + v
        elif isinstance(v, dict):
            d = out.setdefault(k, {})
            for kk, vv in v.items():
                if isinstance(vv, dict) and isinstance(d.get(kk), dict):
                    d[kk].update(vv)
                else:
                    d[kk] = vv
        else:
            out[k] = v
    return out


def seed_from_fixtures(d):
    """Everything the recorded responses reveal about the recorded server."""
    exps, runs, hist, models, versions = {}, {}, {}, {}, {}
    artifacts, content, download = {}, {}, {}
    idx = json.load(open(os.path.join(d, "index.json")))
    names = {v: k for k, v in idx["ids"]["runs"].items()}

    def add_exp(e):
        cur = exps.get(e["experiment_id"])
        if cur is None or len(json.dumps(e)) > len(json.dumps(cur)):
            exps[e["experiment_id"]] = e

    def add_version(v):
        key = (v["name"], v["version"])
        cur = versions.get(key)
        if cur is None or len(v) > len(cur):
            versions[key] = v

    for f in sorted(glob.glob(os.path.join(d, "*.json"))):
        if os.path.basename(f) == "index.json":
            continue
        x = json.load(open(f))
        if "request" not in x or x.get("status") != 200:
            continue
        req, r = x["request"], x["response"]
        path, q = req["path"], req.get("query") or {}
        if isinstance(r, dict):
            for e in r.get("experiments", []) + ([r["experiment"]] if "experiment" in r else []):
                add_exp(e)
            for run in r.get("runs", []) + ([r["run"]] if "run" in r else []):
                runs[run["info"]["run_id"]] = run
            for m in r.get("registered_models", []) + (
                    [r["registered_model"]] if "registered_model" in r else []):
                models[m["name"]] = {k: v for k, v in m.items() if k != "latest_versions"}
                for v in m.get("latest_versions", []):
                    add_version(v)
            for v in r.get("model_versions", []) + (
                    [r["model_version"]] if "model_version" in r else []):
                add_version(v)
        if path == "/api/2.0/mlflow/metrics/get-history" and isinstance(r, dict) and r.get("metrics"):
            hist.setdefault(q["run_id"], {})[q["metric_key"]] = r["metrics"]
        if "get-history-bulk" in path and isinstance(r, dict):
            for m in r.get("metrics", []):
                h = hist.setdefault(m["run_id"], {}).setdefault(m["key"], [])
                if not any(p["step"] == m["step"] for p in h):
                    h.append({k: v for k, v in m.items() if k != "run_id"})
        if path == "/api/2.0/mlflow/artifacts/list":
            a = artifacts.setdefault(q["run_id"], {})
            if r.get("files"):
                a[q.get("path", "")] = r["files"]
            if q["run_id"] not in runs:
                runs.setdefault(q["run_id"], {"_root": r["root_uri"]})
        if path == "/get-artifact":
            content.setdefault(q["run_uuid"], {})[q["path"]] = {
                "content_type": x.get("response_content_type", "text/plain"),
                "text": r if isinstance(r, str) else json.dumps(r)}
        if path.startswith("/api/2.0/mlflow-artifacts/artifacts/"):
            parts = path.split("/")[5:]
            content.setdefault(parts[1], {})["/".join(parts[3:])] = {
                "content_type": x.get("response_content_type", "text/plain"), "text": r}
        if path.endswith("get-download-uri"):
            download["%s/%s" % (q["name"], q["version"])] = r["artifact_uri"]
    for h in hist.values():
        for k in h:
            h[k].sort(key=lambda p: p["step"])
    # A run seen only through artifacts/list (in the deleted experiment).
    for rid, run in list(runs.items()):
        if "_root" in run:
            root = run["_root"]
            eid = root.split(":/", 1)[1].split("/")[0]
            runs[rid] = {"info": {"run_uuid": rid, "experiment_id": eid,
                                  "run_name": names.get(rid, rid), "user_id": "ayoub",
                                  "status": "FINISHED", "start_time": 0, "artifact_uri": root,
                                  "lifecycle_stage": "active", "run_id": rid},
                         "data": {}, "inputs": {}}
    return {"experiments": list(exps.values()), "runs": list(runs.values()), "histories": hist,
            "models": list(models.values()), "versions": list(versions.values()),
            "artifacts": artifacts, "artifact_content": content, "download_uris": download}
