#!/usr/bin/python3
"""The demo workspace looks like a working day and hangs together: parents
exist, links between SageMaker and MLflow resolve, the story the README
tells is in the data (failed steps with reasons, running work, a half-done
labeling job, drift rising on one endpoint), the images are the files the
S3 listing describes, and the generator reproduces the committed files.

Prints TAP."""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("MLDECK_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("MLDECK_SHARED", os.path.join(SRC, "..", "shared"))
DEMO = os.path.join(SRC, "data", "demo")

n = 0
failed = 0


def ok(cond, name, detail=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        failed += 1
        for line in (detail or [])[:10]:
            print("#   " + str(line))
    sys.stdout.flush()


with open(os.path.join(DEMO, "manifest.json")) as f:
    manifest = json.load(f)
D = {}
for e in manifest["files"]:
    with open(os.path.join(DEMO, e["file"])) as f:
        D[e["kind"]] = json.load(f)["rows"]
anchor = manifest["anchor_epoch_s"]


def objs(kind):
    return [r["object"] for r in D[kind]]


# ---- parents and links -----------------------------------------------------------
pipes = {o["PipelineName"] for o in objs("pipelines")}
execs = {o["PipelineExecutionArn"]: (r["parent"], o) for r in D["pipeline-executions"]
         for o in [r["object"]]}
bad = [r["parent"] for r in D["pipeline-executions"] if r["parent"] not in pipes]
bad += [o["PipelineExecutionArn"] for p, o in execs.values()
        if not o["PipelineExecutionArn"].startswith(o["PipelineArn"] + "/execution/")
        or not o["PipelineArn"].endswith(":pipeline/" + p)]
ok(not bad, "every execution belongs to a listed pipeline (%d)" % len(execs), bad)
bad = [r["parent"] for r in D["pipeline-steps"] if r["parent"] not in execs]
ok(not bad, "every step belongs to a listed execution", bad)
jobs = {o["TrainingJobArn"] for o in objs("training-jobs")} | \
    {o["ProcessingJobArn"] for o in objs("processing-jobs")}
bad = []
for o in objs("pipeline-steps"):
    for k in ("TrainingJob", "ProcessingJob"):
        arn = o.get("Metadata", {}).get(k, {}).get("Arn")
        if arn and arn not in jobs:
            bad.append(arn)
ok(not bad, "every step's training/processing job is listed", bad)
cached = [o for o in objs("pipeline-steps") if "CacheHitResult" in o]
ok(cached and all(o["CacheHitResult"]["SourcePipelineExecutionArn"] in execs for o in cached),
   "cache-hit steps point at an earlier execution (%d)" % len(cached))

exps = {o["experiment_id"] for o in objs("experiments")}
runs = {o["info"]["run_id"]: o for o in objs("runs")}
ok(all(r["parent"] in exps and r["parent"] == r["object"]["info"]["experiment_id"]
       for r in D["runs"]), "every run is under its experiment")
ok(all(r["parent"] in runs for r in D["metric-histories"]), "every history belongs to a run")
keys = {}
for r in D["metric-histories"]:
    m = r["object"]["metrics"]
    keys.setdefault(r["parent"], set()).add(m[0]["key"])
    if len({p["key"] for p in m}) != 1 or [p["step"] for p in m] != list(range(len(m))):
        keys[r["parent"]].add("BROKEN")
bad = [rid for rid, run in runs.items()
       if {m["key"] for m in run["data"].get("metrics", [])} != keys.get(rid, set())]
ok(not bad, "each run's latest metrics and its histories have the same keys", bad)
bad = []
for r in D["metric-histories"]:
    last = r["object"]["metrics"][-1]
    latest = [m for m in runs[r["parent"]]["data"]["metrics"] if m["key"] == last["key"]][0]
    if latest != last:
        bad.append((r["parent"], last["key"]))
ok(not bad, "a run's latest metric is the last point of its history", bad)
models = {o["name"] for o in objs("registered-models")}
ok(all(r["parent"] in models and r["object"]["name"] == r["parent"] and
       r["object"]["run_id"] in runs for r in D["model-versions"]),
   "every model version is under its model and points at a run")
tj_names = {o["TrainingJobName"]: o for o in objs("training-jobs")}
linked = [o for o in objs("runs") for t in o["data"]["tags"] if t["key"] == "sagemaker.training_job"]
bad = []
for run in linked:
    name = [t["value"] for t in run["data"]["tags"] if t["key"] == "sagemaker.training_job"][0]
    tj = tj_names.get(name)
    if not tj or tj.get("MlflowDetails", {}).get("MlflowRunId") != run["info"]["run_id"]:
        bad.append(name)
ok(linked and not bad, "runs and training jobs link both ways (%d)" % len(linked), bad)
schedules = {o["MonitoringScheduleName"] for o in objs("monitoring-schedules")}
ok(all(r["parent"] in schedules and r["object"]["MonitoringScheduleName"] == r["parent"]
       for r in D["monitoring-executions"]), "monitoring executions are under their schedule")
prefixes = {o["Prefix"] for o in objs("datasets")}
ok(all(r["parent"] in prefixes and r["object"]["Key"].startswith(r["parent"])
       for r in D["objects"]), "objects are under their dataset prefix")

streams = {r["parent"] for r in D["log-events"]}
bad = [st for st in streams if not st.startswith("/aws/sagemaker/TrainingJobs/")
       or st.split("/")[4] not in {o["TrainingJobName"] for o in objs("training-jobs")}
       or not st.split("/")[5].startswith("algo-1-")]
ok(streams and not bad, "log streams belong to listed training jobs (%d)" % len(streams), bad)
bad = []
for st in streams:
    ts = [r["object"]["timestamp"] for r in D["log-events"] if r["parent"] == st]
    if ts != sorted(ts) or ts[-1] > anchor * 1000:
        bad.append(st)
ok(not bad, "each stream's events are in order and in the past", bad)
running_jobs = {o["TrainingJobName"] for o in objs("training-jobs") if o["TrainingJobStatus"] == "InProgress"}
ok(running_jobs and running_jobs <= {st.split("/")[4] for st in streams},
   "the running trainings have logs")

# ---- the story ------------------------------------------------------------------------
ex = [o for _, o in execs.values()]
span = (max(o["CreationTime"] for o in ex) - min(o["CreationTime"] for o in ex)) / 86400
ok(len(ex) >= 200 and span > 35, "a few hundred executions over weeks (%d over %.0f days)"
   % (len(ex), span))
failed_steps = [o for o in objs("pipeline-steps") if o["StepStatus"] == "Failed"]
ok(len(failed_steps) >= 10 and all(o.get("FailureReason") for o in failed_steps),
   "failed steps carry a failure reason (%d)" % len(failed_steps))
reasons = {o["FailureReason"].split(":")[0] for o in failed_steps}
ok(len(reasons) >= 4, "failures have different causes: %s" % sorted(reasons))
failed_execs = [o for o in ex if o["PipelineExecutionStatus"] == "Failed"]
ok(failed_execs and all(o.get("FailureReason") for o in failed_execs),
   "failed executions say why (%d)" % len(failed_execs))
running = [o for o in ex if o["PipelineExecutionStatus"] == "Executing"]
ok(len(running) >= 2 and all(anchor - o["CreationTime"] < 4 * 3600 for o in running),
   "work is running right now (%d executions)" % len(running))
ok(any(o["TrainingJobStatus"] == "InProgress" and "TrainingEndTime" not in o
       for o in objs("training-jobs")), "a training job is in progress")
ok(any(o["info"]["status"] == "RUNNING" and "end_time" not in o["info"] for o in objs("runs")),
   "an MLflow run is RUNNING (no end_time)")
tjs = objs("training-jobs")
spot = [o for o in tjs if o["EnableManagedSpotTraining"] and "BillableTimeInSeconds" in o]
ok(spot and all(o["BillableTimeInSeconds"] < o["TrainingTimeInSeconds"] for o in spot),
   "spot jobs bill less than they train (%d)" % len(spot))
ok(all({"epochs", "imgsz", "batch", "model"} <= set(o["HyperParameters"]) for o in tjs),
   "training jobs carry YOLO hyperparameters")
ok(any(t["Status"] == "Interrupted" for o in tjs for t in o["SecondaryStatusTransitions"]),
   "a spot interruption is in a status timeline")
half = [o for o in objs("labeling-jobs") if o["LabelingJobStatus"] == "InProgress"]
ok(half and all(0.3 < o["LabelCounters"]["TotalLabeled"] /
               float(o["LabelCounters"]["TotalLabeled"] + o["LabelCounters"]["Unlabeled"]) < 0.7
               for o in half), "a labeling job is about half done")
drift = [o for r in D["monitoring-executions"] for o in [r["object"]]
         if r["parent"] == "drone-yolo11-prod-data-quality"]


def violation_rate(lo_days, hi_days):
    sel = [o for o in drift if lo_days * 86400 <= anchor - o["ScheduledTime"] < hi_days * 86400]
    return sum(o["MonitoringExecutionStatus"] == "CompletedWithViolations" for o in sel) / \
        float(max(1, len(sel)))


recent, earlier = violation_rate(0, 4), violation_rate(14, 40)
ok(recent > 0.6 and earlier < 0.15,
   "drift rises on the prod endpoint (violations %.0f%% lately, %.0f%% before)"
   % (recent * 100, earlier * 100))
other = [o for r in D["monitoring-executions"] for o in [r["object"]]
         if r["parent"] == "drone-yolo11-staging-data-quality"]
ok(sum(o["MonitoringExecutionStatus"] == "CompletedWithViolations" for o in other) /
   float(len(other)) < 0.2, "staging stays mostly clean")
reports = {}
for r in D["monitoring-reports"]:
    reports.setdefault(r["parent"], {})[r["object"]["name"]] = r["object"]["content"]
bad = [o["ProcessingJobArn"] for r in D["monitoring-executions"] for o in [r["object"]]
       if o["MonitoringType"] == "DataQuality"
       and o["MonitoringExecutionStatus"] in ("Completed", "CompletedWithViolations")
       and ("statistics.json" not in reports.get(o["ProcessingJobArn"], {})
            or ("constraint_violations.json" in reports[o["ProcessingJobArn"]])
            != (o["MonitoringExecutionStatus"] == "CompletedWithViolations"))]
ok(not bad, "every finished data-quality run has statistics, violations exactly when it says so",
   bad)


def brightness(schedule, lo, hi):
    vals = [f["numerical_statistics"]["mean"]
            for r in D["monitoring-executions"] for o in [r["object"]]
            if r["parent"] == schedule and lo * 86400 <= anchor - o["ScheduledTime"] < hi * 86400
            and o["MonitoringExecutionStatus"] == "CompletedWithViolations"
            for f in reports.get(o["ProcessingJobArn"], {}).get("statistics.json", {}).get("features", [])
            if f["name"] == "brightness_mean"]
    return sum(vals) / max(1, len(vals)), len(vals)


late, n_late = brightness("drone-yolo11-prod-data-quality", 0, 3)
ok(n_late and late < 0.35, "prod frames got darker lately (brightness %.2f over %d runs)"
   % (late, n_late))

nan_runs = [o for o in objs("runs") if any(m["value"] == "NaN" for m in o["data"].get("metrics", []))]
ok(nan_runs and all(o["info"]["status"] == "FAILED" for o in nan_runs),
   "a diverged run has NaN losses and FAILED")
aliases = {a for o in objs("model-versions") for a in o.get("aliases", [])}
ok({"champion", "challenger"} <= aliases, "the registry has champion and challenger aliases")
names = [t["value"] for o in objs("runs") for t in o["data"]["tags"] if t["key"] == "mlflow.note.content"]
ok(any("aerial4_yolo11n_320.onnx" in x for x in names),
   "the champion run is the one the demo's ONNX model came from")
times = [o["CreationTime"] for o in ex] + [o["info"]["start_time"] / 1000.0 for o in objs("runs")]
ok(max(times) <= anchor, "nothing starts after the anchor")

# ---- images ------------------------------------------------------------------------
bad = []
for o in objs("objects"):
    rel = o["Key"][len("datasets/aerial4/"):]
    path = os.path.join(DEMO, "images", rel)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        bad.append(str(e))
        continue
    if len(data) != o["Size"] or '"%s"' % hashlib.md5(data).hexdigest() != o["ETag"]:
        bad.append(rel)
imgs = [o for o in objs("objects") if o["Key"].endswith(".jpg")]
ok(not bad and len(imgs) >= 24, "%d images (with labels) match their S3 listing" % len(imgs), bad)
labels = [o for o in objs("objects") if o["Key"].endswith(".txt")]
ok(len(labels) == len(imgs), "every image has a YOLO label file")

# ---- the generator reproduces the committed files --------------------------------------
if not os.path.exists(os.path.join(SHARED, "datasets", "aerial4.tar.gz")):
    print("ok %d - # SKIP the generator needs ../shared/datasets" % (n + 1))
    n += 1
else:
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["/usr/bin/python3", os.path.join(DEMO, "generate.py"),
                            "--shared", SHARED, "--out", tmp], capture_output=True, text=True)
        diff = []
        for e in manifest["files"] + [{"file": "manifest.json"}, {"file": "files.mk"}]:
            with open(os.path.join(DEMO, e["file"]), "rb") as a, \
                    open(os.path.join(tmp, e["file"]), "rb") as b:
                if a.read() != b.read():
                    diff.append(e["file"])
        ok(r.returncode == 0 and not diff,
           "generate.py reproduces the committed demo files byte for byte",
           diff + r.stderr.splitlines()[-5:])

print("1..%d" % n)
sys.exit(1 if failed else 0)
