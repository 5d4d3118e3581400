#!/usr/bin/python3
"""Writes the demo workspace under data/demo: six weeks of a drone-imagery
team's SageMaker pipelines, training, processing and labeling jobs, Model
Monitor schedules, MLflow experiments, runs, metric histories and registry,
and a few dozen images with YOLO labels from the aerial4 dataset.

Every object has exactly the shape the real API returns (tests/demo checks
SageMaker and S3 objects against the botocore models and MLflow objects
against the recorded responses).  The output is deterministic: same seed,
same bytes.  Times are generated around ANCHOR; mldeck shifts them at load
so the workspace always looks like today.

    /usr/bin/python3 data/demo/generate.py [--shared ../shared]
"""

import argparse
import hashlib
import json
import math
import os
import random
import tarfile

SEED = 20261120
ANCHOR = "2026-11-20T15:30:00Z"       # a Friday afternoon
ANCHOR_S = 1795188600                  # the same instant, epoch seconds
DAY = 86400
REGION = "eu-west-1"
ACCOUNT = "111122223333"
ARN = "arn:aws:sagemaker:%s:%s:" % (REGION, ACCOUNT)
ROLE = "arn:aws:iam::%s:role/drone-ml-sagemaker-execution" % ACCOUNT
DATA_BUCKET = "drone-ml-data"
ART_BUCKET = "drone-ml-artifacts"
ECR = "%s.dkr.ecr.%s.amazonaws.com" % (ACCOUNT, REGION)
TRAIN_IMAGE = ECR + "/yolo11-train:8.3.59-cu121"
PROC_IMAGE = ECR + "/drone-processing:1.14.2"
TRACKING_ARN = ARN + "mlflow-tracking-server/drone-mlflow"
DOMAIN = "d-7xq2kz9h4vmb"
USERS = ["ayoub", "mei", "lucas"]
CLASSES = ["vehicle", "person", "building", "boat"]

rng = random.Random(SEED)

# SageMaker timestamp members (epoch seconds); MLflow ones (epoch ms); S3 (ISO).
SM_TIME_KEYS = ["CreationTime", "LastModifiedTime", "LastExecutionTime", "StartTime",
                "EndTime", "TrainingStartTime", "TrainingEndTime", "ProcessingStartTime",
                "ProcessingEndTime", "Timestamp", "ScheduledTime"]
ML_TIME_KEYS = ["creation_time", "last_update_time", "start_time", "end_time", "timestamp",
                "creation_timestamp", "last_updated_timestamp"]
S3_TIME_KEYS = ["LastModified"]


def ts(t):
    """SageMaker timestamps: epoch seconds with milliseconds."""
    return round(t, 3)


def ms(t):
    return int(round(t * 1000))


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(t))) + ".%03dZ" % (
        int(round((t - int(t)) * 1000)) % 1000)


def rid(n=12, alphabet="abcdefghijklmnopqrstuvwxyz0123456789"):
    return "".join(rng.choice(alphabet) for _ in range(n))


def hexid(n=32):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def mixed(n=10):
    return rid(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def user_context(user):
    if user is None:      # started by EventBridge: no Studio user
        return {}
    return {"UserProfileArn": ARN + "user-profile/%s/%s" % (DOMAIN, user),
            "UserProfileName": user, "DomainId": DOMAIN}


# ---------------------------------------------------------------------------
# Collected rows: kind -> list of (parent, object)
rows = {}


def add(kind, parent, obj):
    rows.setdefault(kind, []).append((parent or "", obj))


# ---------------------------------------------------------------------------
# Jobs

def training_job(name, start, hp, instance, spot, outcome, exec_arn=None, mlflow=None,
                 epochs_done=None):
    """A DescribeTrainingJob output.  outcome: Completed, Failed:<reason>,
    Stopped, InProgress.  Returns (job, end_time or None, metrics)."""
    epochs = int(hp["epochs"])
    imgsz = int(hp["imgsz"])
    model = hp["model"].strip('"')
    per_epoch = {"yolo11n.pt": 26, "yolo11s.pt": 41, "yolo11m.pt": 78}[model] * (imgsz / 480.0) ** 2
    if instance.startswith("ml.g6"):
        per_epoch *= 0.85
    transitions = []
    t = start
    transitions.append(("Starting", t, t + 35, "Preparing the instances for training"))
    t += 35
    transitions.append(("Downloading", t, t + rng.uniform(40, 80),
                        "Downloading the training image"))
    t = transitions[-1][2]
    start_train = t
    transitions.append(("Training", t, None,
                        "Training image download completed. Training in progress."))
    status = outcome.split(":", 1)[0]
    failure = outcome.split(":", 1)[1] if ":" in outcome else None
    if status == "Completed":
        run_epochs = epochs
    elif status == "InProgress":
        run_epochs = epochs_done
    elif status == "Stopped":
        run_epochs = max(3, int(epochs * rng.uniform(0.2, 0.6)))
    else:
        run_epochs = int(epochs * rng.uniform(0.05, 0.4)) if "OutOfMemory" not in outcome else 0
    train_secs = run_epochs * per_epoch * rng.uniform(0.92, 1.08) + 60
    interrupted = spot and status == "Completed" and rng.random() < 0.2
    end = None
    if status == "InProgress":
        transitions[-1] = (transitions[-1][0], transitions[-1][1], None, transitions[-1][3])
    else:
        t_end_train = t + train_secs
        if interrupted:
            cut = t + train_secs * rng.uniform(0.3, 0.7)
            pause = rng.uniform(300, 1500)
            transitions[-1] = ("Training", t, cut, transitions[-1][3])
            transitions.append(("Interrupted", cut, cut + pause,
                                "Training job interrupted by Spot instance reclaim"))
            transitions.append(("Training", cut + pause, None,
                                "Restarting training from the last checkpoint"))
            t_end_train += pause
        last = transitions[-1]
        transitions[-1] = (last[0], last[1], t_end_train, last[3])
        if status == "Completed":
            up = rng.uniform(20, 45)
            transitions.append(("Uploading", t_end_train, t_end_train + up,
                                "Uploading generated training model"))
            end = t_end_train + up
            transitions.append(("Completed", end, end, "Training job completed"))
        elif status == "Stopped":
            end = t_end_train + 8
            transitions.append(("Stopping", t_end_train, end, "Stopping the training job"))
            transitions.append(("Stopped", end, end, "Training job stopped"))
        else:
            end = t_end_train + 5
            transitions.append(("Failed", end, end, "Training job failed. " +
                                ("Reason: " + failure.split(":")[0] if failure else "")))
    job = {
        "TrainingJobName": name,
        "TrainingJobArn": ARN + "training-job/" + name.lower(),
        "ModelArtifacts": {"S3ModelArtifacts": "s3://%s/training/%s/output/model.tar.gz" % (
            ART_BUCKET, name)},
        "TrainingJobStatus": status,
        "SecondaryStatus": transitions[-1][0] if status != "InProgress" else "Training",
    }
    if failure:
        job["FailureReason"] = failure
    job["HyperParameters"] = hp
    job["AlgorithmSpecification"] = {
        "TrainingImage": TRAIN_IMAGE,
        "TrainingInputMode": "File",
        "MetricDefinitions": [
            {"Name": "mAP50", "Regex": "metrics/mAP50\\(B\\): ([0-9\\.]+)"},
            {"Name": "mAP50-95", "Regex": "metrics/mAP50-95\\(B\\): ([0-9\\.]+)"},
            {"Name": "precision", "Regex": "metrics/precision\\(B\\): ([0-9\\.]+)"},
            {"Name": "recall", "Regex": "metrics/recall\\(B\\): ([0-9\\.]+)"},
            {"Name": "train:box_loss", "Regex": "train/box_loss: ([0-9\\.]+)"},
        ],
        "EnableSageMakerMetricsTimeSeries": True,
    }
    job["RoleArn"] = ROLE
    job["InputDataConfig"] = [
        {"ChannelName": ch,
         "DataSource": {"S3DataSource": {
             "S3DataType": "S3Prefix",
             "S3Uri": "s3://%s/datasets/aerial4/%s/" % (DATA_BUCKET, ch if ch != "train" else "train"),
             "S3DataDistributionType": "FullyReplicated"}},
         "CompressionType": "None", "RecordWrapperType": "None"}
        for ch in ("train", "val")]
    job["OutputDataConfig"] = {"KmsKeyId": "", "S3OutputPath": "s3://%s/training/" % ART_BUCKET,
                               "CompressionType": "GZIP"}
    job["ResourceConfig"] = {"InstanceType": instance, "InstanceCount": 1, "VolumeSizeInGB": 50}
    stop = {"MaxRuntimeInSeconds": 6 * 3600}
    if spot:
        stop["MaxWaitTimeInSeconds"] = 12 * 3600
    job["StoppingCondition"] = stop
    job["CreationTime"] = ts(start)
    job["TrainingStartTime"] = ts(start_train)
    if end is not None:
        job["TrainingEndTime"] = ts(end)
    job["LastModifiedTime"] = ts(end if end is not None else transitions[-1][1])
    job["SecondaryStatusTransitions"] = []
    for st, a, b, msg in transitions:
        tr = {"Status": st, "StartTime": ts(a)}
        if b is not None:
            tr["EndTime"] = ts(b)
        tr["StatusMessage"] = msg
        job["SecondaryStatusTransitions"].append(tr)
    metrics = None
    if status == "Completed" or (status in ("InProgress", "Stopped") and run_epochs > 2):
        metrics = final_metrics(hp, run_epochs / float(epochs))
        stamp = end if end is not None else ANCHOR_S - rng.uniform(30, 200)
        job["FinalMetricDataList"] = [
            {"MetricName": "mAP50", "Value": metrics["map50"], "Timestamp": ts(stamp)},
            {"MetricName": "mAP50-95", "Value": metrics["map5095"], "Timestamp": ts(stamp)},
            {"MetricName": "precision", "Value": metrics["precision"], "Timestamp": ts(stamp)},
            {"MetricName": "recall", "Value": metrics["recall"], "Timestamp": ts(stamp)},
            {"MetricName": "train:box_loss", "Value": metrics["box_loss"], "Timestamp": ts(stamp)},
        ]
    job["EnableNetworkIsolation"] = False
    job["EnableInterContainerTrafficEncryption"] = False
    job["EnableManagedSpotTraining"] = spot
    if spot:
        job["CheckpointConfig"] = {"S3Uri": "s3://%s/checkpoints/%s/" % (ART_BUCKET, name),
                                   "LocalPath": "/opt/ml/checkpoints"}
    if end is not None:
        secs = int(end - start_train)
        job["TrainingTimeInSeconds"] = secs
        job["BillableTimeInSeconds"] = int(secs * rng.uniform(0.28, 0.42)) if spot else secs
    job["ProfilingStatus"] = "Disabled"
    env = {"MLFLOW_TRACKING_ARN": TRACKING_ARN}
    if exec_arn:
        env["PIPELINE_EXECUTION_ARN"] = exec_arn
    job["Environment"] = env
    if mlflow:
        job["MlflowConfig"] = {"MlflowResourceArn": TRACKING_ARN,
                               "MlflowExperimentName": mlflow["experiment_name"],
                               "MlflowRunName": mlflow["run_name"]}
        job["MlflowDetails"] = {"MlflowExperimentId": mlflow["experiment_id"],
                                "MlflowRunId": mlflow["run_id"]}
    add("training-jobs", "", job)
    return job, end, metrics, run_epochs


def final_metrics(hp, progress):
    """Plausible end-of-training numbers for a YOLO11 config on aerial4."""
    model = hp["model"].strip('"')
    imgsz = int(hp["imgsz"])
    base = {"yolo11n.pt": 0.905, "yolo11s.pt": 0.925, "yolo11m.pt": 0.932}[model]
    base += {320: 0.0, 416: 0.006, 480: 0.008, 640: 0.004}.get(imgsz, 0)
    base -= 0.04 * (1 - min(1.0, int(hp["epochs"]) / 100.0))
    map50 = (base + rng.uniform(-0.02, 0.015)) * (1 - math.exp(-5 * max(progress, 0.01)))
    map50 = max(0.0, min(0.97, map50))
    return {"map50": round(map50, 5), "map5095": round(map50 * rng.uniform(0.68, 0.72), 5),
            "precision": round(min(0.99, map50 * rng.uniform(0.94, 1.0)), 5),
            "recall": round(min(0.99, map50 * rng.uniform(0.93, 0.99)), 5),
            "box_loss": round(0.95 + 0.6 * (1 - progress) + rng.uniform(-0.03, 0.03), 5)}


def processing_job(name, start, minutes, script, inputs, outputs, outcome, instance="ml.m5.xlarge",
                   failure=None, exit_message=None):
    status = outcome
    pstart = start + rng.uniform(90, 160)
    end = None if status == "InProgress" else pstart + minutes * 60
    job = {
        "ProcessingInputs": [
            {"InputName": n, "AppManaged": False,
             "S3Input": {"S3Uri": uri, "LocalPath": "/opt/ml/processing/input/" + n,
                         "S3DataType": "S3Prefix", "S3InputMode": "File",
                         "S3DataDistributionType": "FullyReplicated",
                         "S3CompressionType": "None"}}
            for n, uri in inputs + [("code", "s3://%s/code/%s" % (ART_BUCKET, script))]],
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": n, "S3Output": {"S3Uri": uri, "LocalPath": "/opt/ml/processing/" + n,
                                          "S3UploadMode": "EndOfJob"},
             "AppManaged": False} for n, uri in outputs]},
        "ProcessingJobName": name,
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": instance,
                                                  "VolumeSizeInGB": 30}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "AppSpecification": {"ImageUri": PROC_IMAGE,
                             "ContainerEntrypoint": ["python3",
                                                     "/opt/ml/processing/input/code/" + script]},
        "RoleArn": ROLE,
        "ProcessingJobArn": ARN + "processing-job/" + name.lower(),
        "ProcessingJobStatus": status,
    }
    if exit_message:
        job["ExitMessage"] = exit_message
    if failure:
        job["FailureReason"] = failure
    if end is not None:
        job["ProcessingEndTime"] = ts(end)
    job["ProcessingStartTime"] = ts(pstart)
    job["LastModifiedTime"] = ts(end if end is not None else pstart)
    job["CreationTime"] = ts(start)
    add("processing-jobs", "", job)
    return job, end


# ---------------------------------------------------------------------------
# Pipelines

PIPELINES = [
    ("yolo11-train", "YOLO11 training",
     "Preprocess drone imagery, train YOLO11, evaluate on the val split, register if mAP50 clears the bar",
     60),
    ("data-preprocess", "Dataset preprocessing",
     "Validate Ground Truth labels, tile 4K frames to 640 px, split train/val", 58),
    ("nightly-eval", "Nightly champion evaluation",
     "Evaluate the champion model on yesterday's captured frames and report drift", 50),
    ("label-export", "Ground Truth export",
     "Convert finished Ground Truth labeling jobs to YOLO format", 45),
]

TRAIN_FAILURES = [
    ("AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"torch.OutOfMemoryError: "
     "CUDA out of memory. Tried to allocate 1.56 GiB. GPU 0 has a total capacity of 22.05 GiB of "
     "which 1.12 GiB is free.\"\nCommand \"/usr/local/bin/python3.11 train.py --batch 32 --epochs "
     "100 --imgsz 640 --model yolo11m.pt\", exit code: 1", "oom"),
    ("CapacityError: Unable to provision requested ML compute capacity. Please retry using a "
     "different ML instance type.", "capacity"),
    ("ClientError: Data download failed:Failed to download data. NoSuchKey: The specified key does "
     "not exist. s3://drone-ml-data/datasets/aerial4/train/manifest.json", "data"),
    ("AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage \"RuntimeError: Dataset "
     "'aerial4.yaml' images not found, missing path '/opt/ml/input/data/val/images'\"\nCommand "
     "\"/usr/local/bin/python3.11 train.py\", exit code: 1", "data"),
]
EVAL_FAILURE = ("AlgorithmError: See job logs for more information",
                "ValueError: no labels found in /opt/ml/processing/input/val/labels, cannot evaluate")
PREPROCESS_FAILURE = ("AlgorithmError: See job logs for more information",
                      "label file labels/train/frame_004211.txt: class id 7 out of range (nc=4)")


def schedule_times(name):
    """Execution start times for a pipeline over the six weeks before ANCHOR."""
    times = []
    first = ANCHOR_S - 42 * DAY
    for d in range(42):
        day0 = first + d * DAY - (first % DAY)         # midnight UTC
        weekday = (4 - (42 - d)) % 7                   # ANCHOR is a Friday (4)
        weekend = weekday >= 5
        if name == "yolo11-train":
            n = rng.choice([0, 0, 1]) if weekend else rng.choice([3, 4, 5, 5, 6, 7])
            for _ in range(n):
                times.append(day0 + rng.uniform(7.5, 18.5) * 3600)
        elif name == "nightly-eval":
            times.append(day0 + 2 * 3600 + rng.uniform(5, 40))
        elif name == "data-preprocess":
            if not weekend and rng.random() < 0.75:
                times.append(day0 + rng.uniform(8, 11) * 3600)
        elif name == "label-export":
            if weekday in (1, 3):
                times.append(day0 + rng.uniform(16, 18) * 3600)
    return sorted(t for t in times if t < ANCHOR_S - 300)


class Exec:
    pass


def make_execution(pipe, n, start, status_plan, user, display, description=None):
    e = Exec()
    e.pipe = pipe
    e.id = rid(12)
    e.arn = ARN + "pipeline/%s/execution/%s" % (pipe, e.id)
    e.start = start
    e.user = user
    e.display = display
    e.description = description
    e.steps = []
    e.status = status_plan
    e.failure = None
    return e


def step(e, name, start, end, status, metadata, failure=None, cache_src=None, attempts=1):
    s = {"StepName": name, "StartTime": ts(start)}
    if end is not None:
        s["EndTime"] = ts(end)
    s["StepStatus"] = status
    if cache_src:
        s["CacheHitResult"] = {"SourcePipelineExecutionArn": cache_src}
    if failure:
        s["FailureReason"] = failure
    s["Metadata"] = metadata
    s["AttemptCount"] = attempts
    e.steps.append(s)


def finish_execution(e, end):
    """Writes the DescribePipelineExecution output and its steps."""
    desc = {
        "PipelineArn": ARN + "pipeline/" + e.pipe,
        "PipelineExecutionArn": e.arn,
        "PipelineExecutionDisplayName": e.display,
        "PipelineExecutionStatus": e.status,
    }
    if e.description:
        desc["PipelineExecutionDescription"] = e.description
    desc["PipelineExperimentConfig"] = {"ExperimentName": e.pipe, "TrialName": e.id}
    if e.failure:
        desc["FailureReason"] = e.failure
    desc["CreationTime"] = ts(e.start)
    desc["LastModifiedTime"] = ts(end)
    desc["CreatedBy"] = user_context(e.user)
    desc["LastModifiedBy"] = user_context(e.user)
    desc["PipelineVersionId"] = {"yolo11-train": 7, "data-preprocess": 3, "nightly-eval": 4,
                                 "label-export": 2}[e.pipe]
    add("pipeline-executions", e.pipe, desc)
    for s in reversed(e.steps):           # the API lists the latest step first
        add("pipeline-steps", e.arn, s)
    return desc


def job_name(e, stepname):
    return "pipelines-%s-%s-%s" % (e.id, stepname, mixed(10))


def hyperparams(model, imgsz, epochs, batch, lr0):
    return {"model": '"%s"' % model, "imgsz": str(imgsz), "epochs": str(epochs),
            "batch": str(batch), "lr0": str(lr0), "data": '"aerial4.yaml"',
            "sagemaker_program": '"train.py"',
            "sagemaker_submit_directory": '"s3://%s/code/yolo11-train/sourcedir.tar.gz"' % ART_BUCKET,
            "sagemaker_region": '"%s"' % REGION, "sagemaker_container_log_level": "20"}


mlflow_links = []        # training jobs that logged an MLflow run
MLFLOW_SINCE = ANCHOR_S - 12 * DAY


def run_yolo_train(times, live):
    last_preprocess = None        # (exec arn, job arn) of the last preprocess that ran
    for i, start in enumerate(times):
        late = start in live
        user = rng.choice(USERS)
        model = rng.choice(["yolo11n.pt", "yolo11n.pt", "yolo11s.pt", "yolo11s.pt", "yolo11m.pt"])
        imgsz = rng.choice([320, 320, 416, 480, 640])
        epochs = rng.choice([30, 50, 60, 80, 100])
        batch = rng.choice([16, 16, 32])
        lr0 = rng.choice([0.01, 0.01, 0.005])
        if late:                  # what is training right now
            model, imgsz, epochs = "yolo11s.pt", 640, 100
        display = "%s-%d-e%d-%s" % (model[:-3], imgsz, epochs, mixed(4).lower())
        e = make_execution("yolo11-train", i, start, "Succeeded", user, display,
                           "lr0=%s batch=%d" % (lr0, batch))
        t = start + rng.uniform(2, 6)
        # Preprocess: a cache hit when the inputs did not change.
        r = rng.random()
        if last_preprocess and r < 0.55:
            step(e, "Preprocess", t, t + 0.8, "Succeeded",
                 {"ProcessingJob": {"Arn": last_preprocess[1]}}, cache_src=last_preprocess[0])
            t += 1.5
        else:
            fail = r > 0.97
            pj, pend = processing_job(
                job_name(e, "Preprocess"), t, rng.uniform(6, 12), "preprocess.py",
                [("raw", "s3://%s/raw/aerial4/" % DATA_BUCKET)],
                [("train", "s3://%s/datasets/aerial4/train/" % DATA_BUCKET),
                 ("val", "s3://%s/datasets/aerial4/val/" % DATA_BUCKET)],
                "Failed" if fail else "Completed",
                failure=PREPROCESS_FAILURE[0] if fail else None,
                exit_message=PREPROCESS_FAILURE[1] if fail else None)
            if fail:
                step(e, "Preprocess", t, pend, "Failed", {"ProcessingJob": {"Arn": pj["ProcessingJobArn"]}},
                     failure=PREPROCESS_FAILURE[0])
                e.status, e.failure = "Failed", "Step failure: One or multiple steps failed."
                finish_execution(e, pend + 3)
                continue
            step(e, "Preprocess", t, pend, "Succeeded", {"ProcessingJob": {"Arn": pj["ProcessingJobArn"]}})
            last_preprocess = (e.arn, pj["ProcessingJobArn"])
            t = pend + 2
        # Train.
        hp = hyperparams(model, imgsz, epochs, batch, lr0)
        instance = rng.choice(["ml.g5.xlarge", "ml.g5.2xlarge", "ml.g6.xlarge"])
        spot = rng.random() < 0.6
        r = rng.random()
        outcome = "Completed"
        attempts = 1
        if late:
            outcome = "InProgress"
        elif r < 0.05 and model == "yolo11m.pt" or (r < 0.02):
            outcome = "Failed:" + TRAIN_FAILURES[0][0]
            hp["batch"] = "32"
        elif r < 0.09:
            outcome = "Failed:" + TRAIN_FAILURES[1][0]
        elif r < 0.11:
            outcome = "Failed:" + TRAIN_FAILURES[rng.choice([2, 3])][0]
        elif r < 0.14:
            outcome = "Stopped"
        elif r < 0.18:
            attempts = 2          # a capacity error the step's retry policy absorbed
        name = job_name(e, "TrainYOLO")
        ml = None
        if start >= MLFLOW_SINCE:
            ml = {"experiment_name": "drone-detection-yolo11", "experiment_id": "1",
                  "run_name": display, "run_id": hexid()}
        epochs_done = None
        if outcome == "InProgress":
            elapsed = ANCHOR_S - t - 220
            per = {"yolo11n.pt": 26, "yolo11s.pt": 41, "yolo11m.pt": 78}[model] * (imgsz / 480.0) ** 2
            epochs_done = max(1, min(epochs - 1, int(elapsed / per)))
        tj, tend, metrics, ran = training_job(name, t, hp, instance, spot, outcome, e.arn, ml,
                                              epochs_done)
        if ml:
            mlflow_links.append({"job": tj, "ml": ml, "metrics": metrics, "epochs_ran": ran,
                                 "user": user, "exec": e, "end": tend})
        meta = {"TrainingJob": {"Arn": tj["TrainingJobArn"]}}
        if outcome == "InProgress":
            step(e, "TrainYOLO", t, None, "Executing", meta, attempts=attempts)
            e.status = "Executing"
            finish_execution(e, t + rng.uniform(1, 5))
            continue
        if outcome == "Stopped":
            step(e, "TrainYOLO", t, tend, "Stopped", meta)
            e.status = "Stopped"
            finish_execution(e, tend + 4)
            continue
        if outcome.startswith("Failed"):
            step(e, "TrainYOLO", t, tend, "Failed", meta, failure=tj["FailureReason"])
            e.status, e.failure = "Failed", "Step failure: One or multiple steps failed."
            finish_execution(e, tend + 4)
            continue
        step(e, "TrainYOLO", t, tend, "Succeeded", meta, attempts=attempts)
        t = tend + 3
        # Evaluate.
        fail = rng.random() < 0.02
        ej, eend = processing_job(
            job_name(e, "Evaluate"), t, rng.uniform(4, 8), "evaluate.py",
            [("model", tj["ModelArtifacts"]["S3ModelArtifacts"]),
             ("val", "s3://%s/datasets/aerial4/val/" % DATA_BUCKET)],
            [("evaluation", "s3://%s/evaluation/%s/" % (ART_BUCKET, e.id))],
            "Failed" if fail else "Completed", instance="ml.g5.xlarge",
            failure=EVAL_FAILURE[0] if fail else None,
            exit_message=EVAL_FAILURE[1] if fail else None)
        if fail:
            step(e, "Evaluate", t, eend, "Failed", {"ProcessingJob": {"Arn": ej["ProcessingJobArn"]}},
                 failure=EVAL_FAILURE[0])
            e.status, e.failure = "Failed", "Step failure: One or multiple steps failed."
            finish_execution(e, eend + 3)
            continue
        step(e, "Evaluate", t, eend, "Succeeded", {"ProcessingJob": {"Arn": ej["ProcessingJobArn"]}})
        t = eend + 2
        ok = metrics["map50"] >= 0.88
        step(e, "CheckMAP50", t, t + 1.2, "Succeeded", {"Condition": {"Outcome": "True" if ok else "False"}})
        t += 2
        if ok:
            pkg = ARN + "model-package/drone-yolo11/%d" % (len(rows.get("pipeline-executions", [])) + 1)
            step(e, "RegisterModel", t, t + 2.5, "Succeeded", {"RegisterModel": {"Arn": pkg}})
            finish_execution(e, t + 4)
        else:
            msg = "mAP50 %.3f is below the 0.88 threshold; model not registered" % metrics["map50"]
            step(e, "FailLowMAP", t, t + 0.6, "Failed", {"Fail": {"ErrorMessage": msg}}, failure=msg)
            e.status, e.failure = "Failed", "Step failure: One or multiple steps failed."
            finish_execution(e, t + 2)


def run_simple_pipeline(pipe, times, steps_spec, user_of):
    """Pipelines made of processing steps (and a Lambda notify)."""
    for i, start in enumerate(times):
        user = user_of()
        display = "%s-%s" % (pipe, mixed(6).lower())
        e = make_execution(pipe, i, start, "Succeeded", user, display)
        t = start + rng.uniform(2, 6)
        late = start > ANCHOR_S - 20 * 60
        for k, (sname, script, minutes, fail_p, failure) in enumerate(steps_spec):
            if sname == "NotifyTeam":
                step(e, sname, t, t + 2.1, "Succeeded",
                     {"Lambda": {"Arn": "arn:aws:lambda:%s:%s:function:drone-eval-notify" % (REGION, ACCOUNT),
                                 "OutputParameters": [{"Name": "statusCode", "Value": "200"}]}})
                t += 3
                continue
            fail = rng.random() < fail_p
            running = late and k == 0
            pj, pend = processing_job(
                job_name(e, sname), t, rng.uniform(*minutes), script,
                [("input", "s3://%s/raw/aerial4/" % DATA_BUCKET)],
                [("output", "s3://%s/%s/%s/%s/" % (ART_BUCKET, pipe, e.id, sname.lower()))],
                "InProgress" if running else ("Failed" if fail else "Completed"),
                failure=failure[0] if fail else None, exit_message=failure[1] if fail else None)
            meta = {"ProcessingJob": {"Arn": pj["ProcessingJobArn"]}}
            if running:
                step(e, sname, t, None, "Executing", meta)
                e.status = "Executing"
                finish_execution(e, t + 3)
                break
            if fail:
                step(e, sname, t, pend, "Failed", meta, failure=failure[0])
                e.status, e.failure = "Failed", "Step failure: One or multiple steps failed."
                finish_execution(e, pend + 3)
                break
            step(e, sname, t, pend, "Succeeded", meta)
            t = pend + 2
        else:
            finish_execution(e, t + 2)


def make_pipelines():
    all_times = {name: schedule_times(name) for name, _, _, _ in PIPELINES}
    # The preprocessing runs now (started 12 minutes ago) so something is live.
    all_times["data-preprocess"].append(ANCHOR_S - 12 * 60)
    # Two trainings are running right now (started 50 and 130 minutes ago).
    live = [ANCHOR_S - 130 * 60, ANCHOR_S - 50 * 60]
    run_yolo_train(sorted(all_times["yolo11-train"] + live), set(live))
    run_simple_pipeline("data-preprocess", all_times["data-preprocess"], [
        ("ValidateLabels", "validate_labels.py", (3, 6), 0.06,
         ("AlgorithmError: See job logs for more information",
          "3 label files reference class id 4 but data.yaml has nc=4")),
        ("TileImages", "tile.py", (12, 25), 0.02,
         ("InternalServerError: We encountered an internal error. Please try again.", None)),
        ("SplitDataset", "split.py", (2, 4), 0.0, (None, None)),
    ], lambda: rng.choice(USERS))
    run_simple_pipeline("nightly-eval", all_times["nightly-eval"], [
        ("EvaluateChampion", "evaluate.py", (6, 10), 0.04,
         ("AlgorithmError: See job logs for more information",
          "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the "
          "GetObject operation: Access Denied")),
        ("NotifyTeam", None, None, 0.0, None),
    ], lambda: None)
    run_simple_pipeline("label-export", all_times["label-export"], [
        ("ExportGroundTruth", "export_gt.py", (2, 5), 0.0, (None, None)),
        ("ConvertToYOLO", "gt_to_yolo.py", (3, 7), 0.1,
         ("AlgorithmError: See job logs for more information",
          "KeyError: 'aerial-batch-08-ref-metadata' in output.manifest line 312")),
    ], lambda: rng.choice(USERS))
    execs = rows["pipeline-executions"]
    for name, display, desc, age_days in PIPELINES:
        mine = [o for p, o in execs if p == name]
        s = {"PipelineArn": ARN + "pipeline/" + name, "PipelineName": name,
             "PipelineDisplayName": display, "PipelineDescription": desc, "RoleArn": ROLE,
             "CreationTime": ts(ANCHOR_S - age_days * DAY - 3 * 3600),
             "LastModifiedTime": ts(ANCHOR_S - rng.uniform(8, 30) * DAY),
             "LastExecutionTime": ts(max(o["CreationTime"] for o in mine))}
        add("pipelines", "", s)


# ---------------------------------------------------------------------------
# Standalone training jobs (mldeck train / notebooks)

def make_standalone_jobs():
    for i in range(14):
        start = ANCHOR_S - rng.uniform(1, 40) * DAY
        model = rng.choice(["yolo11n.pt", "yolo11s.pt"])
        imgsz = rng.choice([320, 640])
        hp = hyperparams(model, imgsz, rng.choice([30, 60]), 16, rng.choice([0.01, 0.002]))
        name = "yolo11-sweep-%s-%03d" % (rng.choice(["lr", "aug", "mosaic", "freeze"]), i + 1)
        r = rng.random()
        outcome = "Completed" if r > 0.2 else ("Stopped" if r > 0.1 else "Failed:" + TRAIN_FAILURES[1][0])
        training_job(name, start, hp, rng.choice(["ml.g5.xlarge", "ml.g4dn.xlarge"]),
                     rng.random() < 0.7, outcome)


# ---------------------------------------------------------------------------
# Ground Truth labeling

def make_labeling():
    jobs = [
        ("aerial-batch-07", 24 * DAY, 2400, "Completed", 1.0),
        ("aerial-batch-08", 11 * DAY, 1800, "Completed", 1.0),
        ("aerial-batch-08-boats", 9 * DAY, 600, "Stopped", 0.35),
        ("aerial-batch-09", 3.2 * DAY, 2400, "InProgress", 0.52),
    ]
    for name, age, total, status, frac in jobs:
        start = ANCHOR_S - age
        labeled = int(total * frac)
        machine = int(labeled * (0.38 if total >= 1800 else 0.0))
        failed = rng.randint(0, 6) if status != "InProgress" else 2
        human = labeled - machine
        unl = total - labeled - failed if status == "InProgress" else max(0, total - labeled - failed)
        if status == "Completed":
            unl = 0
            labeled = total - failed
            human = labeled - machine
        end = None
        if status == "Completed":
            end = start + rng.uniform(2.5, 5) * DAY
        elif status == "Stopped":
            end = start + 1.4 * DAY
        job = {
            "LabelingJobStatus": status,
            "LabelCounters": {"TotalLabeled": labeled, "HumanLabeled": human,
                              "MachineLabeled": machine, "FailedNonRetryableError": failed,
                              "Unlabeled": unl},
            "CreationTime": ts(start),
            "LastModifiedTime": ts(end if end else ANCHOR_S - rng.uniform(60, 600)),
            "JobReferenceCode": mixed(20).lower(),
            "LabelingJobName": name,
            "LabelingJobArn": ARN + "labeling-job/" + name,
            "LabelAttributeName": name,
            "InputConfig": {
                "DataSource": {"S3DataSource": {
                    "ManifestS3Uri": "s3://%s/ground-truth/%s/input.manifest" % (DATA_BUCKET, name)}},
                "DataAttributes": {"ContentClassifiers": [
                    "FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent"]}},
            "OutputConfig": {"S3OutputPath": "s3://%s/ground-truth/output/" % DATA_BUCKET,
                             "KmsKeyId": ""},
            "RoleArn": ROLE,
            "LabelCategoryConfigS3Uri": "s3://%s/ground-truth/label-categories.json" % DATA_BUCKET,
            "StoppingConditions": {"MaxPercentageOfInputDatasetLabeled": 100},
        }
        if machine:
            job["LabelingJobAlgorithmsConfig"] = {
                "LabelingJobAlgorithmSpecificationArn":
                    "arn:aws:sagemaker:%s:027400017018:labeling-job-algorithm-specification/"
                    "object-detection" % REGION}
        job["HumanTaskConfig"] = {
            "WorkteamArn": ARN + "workteam/private-crowd/drone-labelers",
            "UiConfig": {"UiTemplateS3Uri": "s3://%s/ground-truth/bounding-box.liquid.html" % DATA_BUCKET},
            "PreHumanTaskLambdaArn": "arn:aws:lambda:%s:081040173940:function:PRE-BoundingBox" % REGION,
            "TaskKeywords": ["Images", "bounding boxes", "object detection", "drone"],
            "TaskTitle": "Draw boxes around vehicles, people, buildings and boats",
            "TaskDescription": "Aerial frames at 120 m. Box every vehicle, person, building and boat; "
                               "skip objects cut by the frame edge by more than half.",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 600,
            "TaskAvailabilityLifetimeInSeconds": 864000,
            "MaxConcurrentTaskCount": 200,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn":
                    "arn:aws:lambda:%s:081040173940:function:ACS-BoundingBox" % REGION},
        }
        job["Tags"] = [{"Key": "team", "Value": "perception"}, {"Key": "dataset", "Value": "aerial4"}]
        if status == "Completed":
            job["LabelingJobOutput"] = {
                "OutputDatasetS3Uri": "s3://%s/ground-truth/output/%s/manifests/output/output.manifest"
                                      % (DATA_BUCKET, name)}
        add("labeling-jobs", "", job)


# ---------------------------------------------------------------------------
# Endpoints and Model Monitor

def make_monitoring():
    endpoints = [("drone-yolo11-prod", 34), ("drone-yolo11-staging", 12)]
    for name, age in endpoints:
        add("endpoints", "", {"EndpointName": name, "EndpointArn": ARN + "endpoint/" + name,
                              "CreationTime": ts(ANCHOR_S - age * DAY),
                              "LastModifiedTime": ts(ANCHOR_S - rng.uniform(1, 6) * DAY),
                              "EndpointStatus": "InService"})
    schedules = [
        ("drone-yolo11-prod-data-quality", "drone-yolo11-prod", "DataQuality", 6, True),
        ("drone-yolo11-prod-model-quality", "drone-yolo11-prod", "ModelQuality", 24, False),
        ("drone-yolo11-staging-data-quality", "drone-yolo11-staging", "DataQuality", 6, False),
    ]
    for name, endpoint, mtype, every_h, drifting in schedules:
        age = dict(endpoints)[endpoint] - 1
        start = ANCHOR_S - age * DAY
        start -= start % (every_h * 3600)
        jobdef = name.replace("-quality", "-job-def")
        summaries = []
        t = start + every_h * 3600
        while t < ANCHOR_S:
            days_left = (ANCHOR_S - t) / DAY
            created = t + rng.uniform(60, 240)
            running = ANCHOR_S - t < 20 * 60
            if running:
                st = "InProgress"
            elif rng.random() < 0.03:
                st = "Failed"
            elif drifting and days_left < 10:
                # drift rises over the last ten days: rarer clean runs
                st = "CompletedWithViolations" if rng.random() < 0.95 - days_left * 0.08 else "Completed"
            else:
                st = "CompletedWithViolations" if rng.random() < 0.04 else "Completed"
            s = {"MonitoringScheduleName": name, "ScheduledTime": ts(t),
                 "CreationTime": ts(created),
                 "LastModifiedTime": ts(created + (rng.uniform(480, 900) if not running else 60)),
                 "MonitoringExecutionStatus": st,
                 "ProcessingJobArn": ARN + "processing-job/model-monitoring-" + hexid(24),
                 "EndpointName": endpoint}
            if st == "Failed":
                s["FailureReason"] = "Job inputs had no data"
            s["MonitoringJobDefinitionName"] = jobdef
            s["MonitoringType"] = mtype
            summaries.append(s)
            t += every_h * 3600
        for s in reversed(summaries):          # the API lists the newest first
            add("monitoring-executions", name, s)
        desc = {"MonitoringScheduleArn": ARN + "monitoring-schedule/" + name,
                "MonitoringScheduleName": name, "MonitoringScheduleStatus": "Scheduled",
                "MonitoringType": mtype,
                "CreationTime": ts(start - 3600), "LastModifiedTime": ts(start - 3600),
                "MonitoringScheduleConfig": {
                    "ScheduleConfig": {"ScheduleExpression": "cron(0 0/%d ? * * *)" % every_h
                                       if every_h < 24 else "cron(0 0 ? * * *)"},
                    "MonitoringJobDefinitionName": jobdef, "MonitoringType": mtype},
                "EndpointName": endpoint,
                "LastMonitoringExecutionSummary": summaries[-1]}
        add("monitoring-schedules", "", desc)


# ---------------------------------------------------------------------------
# MLflow

YOLO_ARGS = [
    ("task", "detect"), ("mode", "train"), ("model", None), ("data", "aerial4.yaml"),
    ("epochs", None), ("time", "None"), ("patience", "100"), ("batch", None), ("imgsz", None),
    ("save", "True"), ("save_period", "-1"), ("cache", "False"), ("device", "0"),
    ("workers", "8"), ("project", None), ("name", None), ("exist_ok", "False"),
    ("pretrained", "True"), ("optimizer", "auto"), ("verbose", "True"), ("seed", "0"),
    ("deterministic", "True"), ("single_cls", "False"), ("rect", "False"), ("cos_lr", "False"),
    ("close_mosaic", "10"), ("resume", "False"), ("amp", "True"), ("fraction", "1.0"),
    ("freeze", None), ("val", "True"), ("split", "val"), ("iou", "0.7"), ("max_det", "300"),
    ("lr0", None), ("lrf", "0.01"), ("momentum", "0.937"), ("weight_decay", "0.0005"),
    ("warmup_epochs", "3.0"), ("warmup_momentum", "0.8"), ("warmup_bias_lr", "0.1"),
    ("box", "7.5"), ("cls", "0.5"), ("dfl", "1.5"), ("hsv_h", "0.015"), ("hsv_s", "0.7"),
    ("hsv_v", "0.4"), ("degrees", "0.0"), ("translate", "0.1"), ("scale", "0.5"),
    ("fliplr", None), ("mosaic", None), ("mixup", None), ("copy_paste", "0.0"),
    ("save_dir", None),
]
METRIC_KEYS_TRAIN = ["train/box_loss", "train/cls_loss", "train/dfl_loss", "lr/pg0", "lr/pg1",
                     "lr/pg2"]
METRIC_KEYS_VAL = ["metrics/precisionB", "metrics/recallB", "metrics/mAP50B",
                   "metrics/mAP50-95B", "val/box_loss", "val/cls_loss", "val/dfl_loss"]


def curves(epochs, ran, final, lr0, nan_at=None):
    """Per-epoch values for the 13 Ultralytics keys, ending at `final`."""
    out = {k: [] for k in METRIC_KEYS_TRAIN + METRIC_KEYS_VAL}
    warm = 3
    for ep in range(ran):
        x = (ep + 1) / float(epochs)
        g = 1 - math.exp(-6 * x)
        n = lambda s: rng.gauss(0, s)
        box = 1.62 - (1.62 - final["box_loss"]) * g + n(0.012)
        out["train/box_loss"].append(box)
        out["train/cls_loss"].append(2.6 - (2.6 - 0.62) * g + n(0.02))
        out["train/dfl_loss"].append(1.48 - (1.48 - 0.96) * g + n(0.008))
        if ep < warm:
            bias = 0.1 - (0.1 - lr0) * (ep + 1) / warm
            pg = lr0 * (ep + 1) / warm * 0.33
            out["lr/pg0"].append(bias)
            out["lr/pg1"].append(pg)
            out["lr/pg2"].append(pg)
        else:
            lr = lr0 * ((1 - ep / float(epochs)) * (1 - 0.01) + 0.01)
            for k in ("lr/pg0", "lr/pg1", "lr/pg2"):
                out[k].append(lr)
        m50 = final["map50"] * (1 - math.exp(-5 * x)) / (1 - math.exp(-5)) if ran == epochs else \
            final["map50"] * (1 - math.exp(-5 * x)) / max(1e-6, 1 - math.exp(-5 * ran / float(epochs)))
        m50 = max(0.0, min(0.99, m50 + n(0.008)))
        out["metrics/mAP50B"].append(m50)
        out["metrics/mAP50-95B"].append(m50 * (final["map5095"] / max(final["map50"], 1e-6)) + n(0.004))
        out["metrics/precisionB"].append(min(0.99, m50 * 0.97 + 0.02 + n(0.015)))
        out["metrics/recallB"].append(min(0.99, m50 * 0.96 + n(0.015)))
        out["val/box_loss"].append(1.45 - 0.3 * g + n(0.01))
        out["val/cls_loss"].append(2.1 - 1.55 * g + n(0.02))
        out["val/dfl_loss"].append(1.32 - 0.45 * g + n(0.008))
    for k, vals in out.items():
        vals[:] = [round(max(v, 0.0), 5) for v in vals]
        # The last logged value is exactly the final metric the job reported.
        if ran == epochs and vals:
            if k == "metrics/mAP50B":
                vals[-1] = final["map50"]
            elif k == "metrics/mAP50-95B":
                vals[-1] = final["map5095"]
            elif k == "metrics/precisionB":
                vals[-1] = final["precision"]
            elif k == "metrics/recallB":
                vals[-1] = final["recall"]
            elif k == "train/box_loss":
                vals[-1] = final["box_loss"]
    if nan_at is not None:
        for k in ("train/box_loss", "train/cls_loss", "train/dfl_loss"):
            for i in range(nan_at, ran):
                out[k][i] = "NaN"
        for k in ("metrics/precisionB", "metrics/recallB", "metrics/mAP50B", "metrics/mAP50-95B"):
            for i in range(nan_at, ran):
                out[k][i] = 0.0
    return out


HISTORIES = {}           # run id -> {key: [points]}, for the training logs
LOG_JOBS = []            # (training job, run id or None, seconds per epoch)


def mlflow_run(exp_id, run_id, name, user, start, status, end, params, tags, epochs, ran, final,
               lr0, epoch_secs, nan_at=None):
    vals = curves(epochs, ran, final, lr0, nan_at)
    hist = {}
    for k in METRIC_KEYS_TRAIN + METRIC_KEYS_VAL:
        pts = []
        for ep in range(ran):
            t_ep = start + 70 + (ep + 1) * epoch_secs
            if k in METRIC_KEYS_VAL:
                t_ep += 3.1
            pts.append({"key": k, "value": vals[k][ep], "timestamp": ms(t_ep), "step": ep})
        if pts:
            hist[k] = pts
    latest = [dict(h[-1]) for h in hist.values()]
    info = {"run_uuid": run_id, "experiment_id": exp_id, "run_name": name, "user_id": user,
            "status": status, "start_time": ms(start)}
    if end is not None:
        info["end_time"] = ms(end)
    info["artifact_uri"] = "mlflow-artifacts:/%s/%s/artifacts" % (exp_id, run_id)
    info["lifecycle_stage"] = "active"
    info["run_id"] = run_id
    data = {}
    if latest:
        data["metrics"] = latest
    data["params"] = [{"key": k, "value": v} for k, v in params]
    data["tags"] = [{"key": k, "value": v} for k, v in tags]
    run = {"info": info, "data": data, "inputs": {}}
    HISTORIES[run_id] = hist
    add("runs", exp_id, run)
    for k, pts in hist.items():
        add("metric-histories", run_id, {"metrics": pts})
    return run


def yolo_params(model, imgsz, epochs, batch, lr0, project, name, freeze="None", fliplr="0.5",
                mosaic="1.0", mixup="0.0"):
    fill = {"model": model, "epochs": str(epochs), "batch": str(batch), "imgsz": str(imgsz),
            "project": project, "name": name, "freeze": freeze, "lr0": str(lr0),
            "fliplr": fliplr, "mosaic": mosaic, "mixup": mixup,
            "save_dir": "runs/detect/" + name}
    return [(k, v if v is not None else fill[k]) for k, v in YOLO_ARGS]


def make_mlflow():
    exps = [
        ("0", "Default", None, 90, []),
        ("1", "drone-detection-yolo11", None, 13,
         [("mlflow.note.content", "YOLO11 trained by the yolo11-train pipeline on aerial4 "
                                  "(4 classes: vehicle, person, building, boat)."),
          ("team", "perception"), ("dataset.version", "aerial4-v3")]),
        ("2", "drone-detection-ablation", None, 16,
         [("mlflow.note.content", "Augmentation / freeze ablations, 60 epochs each."),
          ("team", "perception")]),
        ("3", "drone-detection-scratch", "deleted", 30, [("team", "perception")]),
    ]
    runs_by_exp = {}
    # Pipeline runs: one per training job that ran after MLflow logging was enabled.
    for link in mlflow_links:
        tj, ml = link["job"], link["ml"]
        hp = tj["HyperParameters"]
        model = hp["model"].strip('"')
        epochs = int(hp["epochs"])
        ran = link["epochs_ran"]
        status = {"Completed": "FINISHED", "InProgress": "RUNNING", "Stopped": "KILLED",
                  "Failed": "FAILED"}[tj["TrainingJobStatus"]]
        start = tj["TrainingStartTime"]
        end = link["end"]
        final = link["metrics"] or final_metrics(hp, max(ran, 1) / float(epochs))
        imgsz = int(hp["imgsz"])
        per = {"yolo11n.pt": 26, "yolo11s.pt": 41, "yolo11m.pt": 78}[model] * (imgsz / 480.0) ** 2
        if tj["ResourceConfig"]["InstanceType"].startswith("ml.g6"):
            per *= 0.85
        params = yolo_params(model, imgsz, epochs, int(hp["batch"]), float(hp["lr0"]),
                             "drone-detection-yolo11", ml["run_name"])
        tags = [("mlflow.user", "root"), ("mlflow.source.name", "/opt/ml/code/train.py"),
                ("mlflow.source.type", "JOB"), ("ultralytics.version", "8.3.59"),
                ("gpu", "NVIDIA A10G" if tj["ResourceConfig"]["InstanceType"].startswith("ml.g5")
                 else "NVIDIA L4"),
                ("sagemaker.training_job", tj["TrainingJobName"]),
                ("sagemaker.pipeline_execution_arn", link["exec"].arn),
                ("mlflow.runName", ml["run_name"])]
        if status == "FAILED" and ran == 0:
            ran = 0
        run = mlflow_run("1", ml["run_id"], ml["run_name"], "root", start, status, end, params,
                         tags, epochs, ran, final, float(hp["lr0"]), per)
        LOG_JOBS.append((tj, ml["run_id"], per))
        runs_by_exp.setdefault("1", []).append((run, final))
    # The champion: the run the demo's ONNX detector came from.
    champ_start = ANCHOR_S - 9 * DAY + 4 * 3600
    champ_final = {"map50": 0.9271, "map5095": 0.64819, "precision": 0.89551, "recall": 0.88995,
                   "box_loss": 0.96217}
    champ_id = hexid()
    champ = mlflow_run("1", champ_id, "aerial4-yolo11n-320-champion", "mei", champ_start,
                       "FINISHED", champ_start + 70 + 100 * 14.5 + 40,
                       yolo_params("yolo11n.pt", 320, 100, 16, 0.01, "drone-detection-yolo11",
                                   "aerial4-yolo11n-320-champion"),
                       [("mlflow.user", "mei"), ("mlflow.source.name", "/home/mei/venvs/yolo/bin/yolo"),
                        ("mlflow.source.type", "LOCAL"),
                        ("mlflow.source.git.commit", "3b7e2c91d04f5a8e6c1b9d2f70a4e8c5b1d36f29"),
                        ("ultralytics.version", "8.3.59"), ("gpu", "NVIDIA GeForce RTX 4090"),
                        ("mlflow.note.content", "Exported as aerial4_yolo11n_320.onnx (the demo model)."),
                        ("mlflow.runName", "aerial4-yolo11n-320-champion")],
                       100, 100, champ_final, 0.01, 14.5)
    runs_by_exp["1"].append((champ, champ_final))
    # Ablations on a workstation, one diverged to NaN.
    ablations = [("ablate-mosaic0", dict(mosaic="0.0")), ("ablate-freeze10", dict(freeze="10")),
                 ("ablate-noflip", dict(fliplr="0.0")), ("ablate-mixup", dict(mixup="0.15")),
                 ("ablate-lr0-0.1", {}), ("ablate-baseline", {})]
    for i, (name, kw) in enumerate(ablations):
        start = ANCHOR_S - (16 - i * 2.2) * DAY + rng.uniform(9, 17) * 3600
        lr0 = 0.1 if name == "ablate-lr0-0.1" else 0.01
        hp = {"model": "yolo11n.pt", "imgsz": "320", "epochs": "60"}
        final = final_metrics(hp, 1.0)
        nan_at = 21 if lr0 == 0.1 else None
        ran = 23 if nan_at else 60
        status = "FAILED" if nan_at else "FINISHED"
        per = 15.5
        user = rng.choice(USERS)
        tags = [("mlflow.user", user), ("mlflow.source.name", "/home/%s/venvs/yolo/bin/yolo" % user),
                ("mlflow.source.type", "LOCAL"), ("ultralytics.version", "8.3.59"),
                ("gpu", "NVIDIA GeForce RTX 4090")]
        if nan_at:
            tags.append(("mlflow.note.content", "loss went NaN at epoch %d (lr0=0.1)" % nan_at))
        tags.append(("mlflow.runName", name))
        run = mlflow_run("2", hexid(), name, user, start, status, start + 70 + ran * per + 30,
                         yolo_params("yolo11n.pt", 320, 60, 16, lr0, "drone-detection-ablation",
                                     name, **kw),
                         tags, 60, ran, final, lr0, per, nan_at)
        runs_by_exp.setdefault("2", []).append((run, final))
    for exp_id, name, stage, age, tags in exps:
        mine = [r for r, _ in runs_by_exp.get(exp_id, [])]
        created = ANCHOR_S - age * DAY
        last = max([created] + [r["info"].get("end_time", r["info"]["start_time"]) / 1000.0
                                for r in mine])
        e = {"experiment_id": exp_id, "name": name,
             "artifact_location": "mlflow-artifacts:/%s" % exp_id,
             "lifecycle_stage": stage or "active",
             "last_update_time": ms(last if stage != "deleted" else created + 2 * DAY),
             "creation_time": ms(created)}
        if tags:
            e["tags"] = [{"key": k, "value": v} for k, v in tags]
        add("experiments", "", e)
    # Registry: the best finished pipeline runs over time, then the champion.
    finished = sorted([(r, f) for r, f in runs_by_exp["1"] if r["info"]["status"] == "FINISHED"
                       and r is not champ], key=lambda x: x[0]["info"]["start_time"])
    picks = [finished[i] for i in range(0, len(finished), max(1, len(finished) // 5))][:5]
    versions = []
    for i, (r, f) in enumerate(picks + [(champ, champ_final)]):
        created = r["info"]["end_time"] / 1000.0 + rng.uniform(600, 7200)
        imgsz = [p["value"] for p in r["data"]["params"] if p["key"] == "imgsz"][0]
        versions.append({
            "name": "drone-yolo11", "version": str(i + 1),
            "creation_timestamp": ms(created), "last_updated_timestamp": ms(created),
            "current_stage": "None",
            "description": "%s, mAP50 %.3f" % (r["info"]["run_name"], f["map50"]),
            "source": "mlflow-artifacts:/1/%s/artifacts/weights" % r["info"]["run_id"],
            "run_id": r["info"]["run_id"], "status": "READY",
            "tags": [{"key": "imgsz", "value": imgsz}], "run_link": ""})
    versions.sort(key=lambda v: v["creation_timestamp"])
    for i, v in enumerate(versions):
        v["version"] = str(i + 1)
    champion = [v for v in versions if v["run_id"] == champ_id][0]
    challenger = max((v for v in versions if v is not champion),
                     key=lambda v: float(v["description"].rsplit(" ", 1)[1]))
    champion["last_updated_timestamp"] = ms(ANCHOR_S - 2 * DAY)
    challenger["last_updated_timestamp"] = ms(ANCHOR_S - 1 * DAY)
    champion["aliases"] = ["champion"]
    challenger["aliases"] = ["challenger"]
    models = [("drone-yolo11", "YOLO11 drone detector (4 classes: vehicle, person, building, boat).",
               versions)]
    # A second model with two versions from the ablations.
    abl = [r for r, _ in runs_by_exp["2"] if r["info"]["status"] == "FINISHED"][:2]
    hv = []
    for i, r in enumerate(abl):
        created = r["info"]["end_time"] / 1000.0 + 1800
        hv.append({"name": "drone-yolo11-ablation", "version": str(i + 1),
                   "creation_timestamp": ms(created), "last_updated_timestamp": ms(created),
                   "current_stage": "None", "description": r["info"]["run_name"],
                   "source": "mlflow-artifacts:/2/%s/artifacts/weights" % r["info"]["run_id"],
                   "run_id": r["info"]["run_id"], "status": "READY", "run_link": ""})
    models.append(("drone-yolo11-ablation", "Ablation winners kept for comparison.", hv))
    for name, desc, vers in models:
        for v in vers:
            add("model-versions", name, v)
        latest = dict(vers[-1])
        latest.pop("aliases", None)
        m = {"name": name, "creation_timestamp": vers[0]["creation_timestamp"],
             "last_updated_timestamp": max(v["last_updated_timestamp"] for v in vers),
             "description": desc, "latest_versions": [latest],
             "tags": [{"key": "task", "value": "detect"}, {"key": "framework", "value": "ultralytics"}]}
        aliases = sorted((a, v["version"]) for v in vers for a in v.get("aliases", []))
        if aliases:
            m["aliases"] = [{"alias": a, "version": ver} for a, ver in aliases]
        add("registered-models", "", m)
    add("tracking-servers", "", {
        "TrackingServerArn": TRACKING_ARN, "TrackingServerName": "drone-mlflow",
        "CreationTime": ts(ANCHOR_S - 13 * DAY - 5 * 3600),
        "LastModifiedTime": ts(ANCHOR_S - 6 * DAY), "TrackingServerStatus": "Created",
        "IsActive": "Active", "MlflowVersion": "2.16.2"})


# ---------------------------------------------------------------------------
# Images and S3 listing

def copy_images(shared, outdir):
    """A few dozen small images with their YOLO labels, and the S3 objects
    that list them (ETag = MD5 of the bytes, as S3 reports it)."""
    tar_path = os.path.join(shared, "datasets", "aerial4.tar.gz")
    with tarfile.open(tar_path) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        picks = []
        for split, step_ in (("train", 16), ("val", 10)):
            imgs = sorted(n for n in members if n.startswith("aerial4/images/%s/" % split))
            picks += imgs[::step_]
        files = ["aerial4/data.yaml"]
        for img in picks:
            files.append(img)
            files.append(img.replace("/images/", "/labels/").rsplit(".", 1)[0] + ".txt")
        base = ANCHOR_S - 26 * DAY
        for i, name in enumerate(files):
            data = tar.extractfile(members[name]).read()
            rel = name[len("aerial4/"):]
            dst = os.path.join(outdir, "images", rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(data)
            add("objects", "datasets/aerial4/", {
                "Key": "datasets/aerial4/" + rel, "LastModified": iso(base + i * 7.3),
                "ETag": '"%s"' % hashlib.md5(data).hexdigest(), "Size": len(data),
                "StorageClass": "STANDARD"})
    for p in ("datasets/aerial4/", "datasets/aerial4-tiled/", "datasets/gt-exports/"):
        add("datasets", "", {"Prefix": p})
    return files


# ---------------------------------------------------------------------------
# Model Monitor reports (what a data-quality job writes next to its output):
# statistics.json and, when it found some, constraint_violations.json.

mrng = random.Random(SEED + 2)   # its own stream, like the logs

# Features the capture pipeline extracts per request: image statistics and
# what the detector answered.  (baseline mean, std)
MONITOR_FEATURES = [
    ("brightness_mean", 0.47, 0.06), ("contrast_std", 0.21, 0.03),
    ("blur_laplacian_var", 312.0, 41.0), ("detections_per_image", 7.4, 2.1),
    ("mean_confidence", 0.71, 0.04), ("box_area_median", 0.0061, 0.0012),
]


def monitor_report(summary, drifting):
    """(statistics, violations or None) for one data-quality execution.  On the
    drifting endpoint the operators began flying at dusk ten days ago: frames
    get darker, the detector less sure of itself."""
    days_left = (ANCHOR_S - summary["ScheduledTime"]) / DAY
    dusk = max(0.0, min(1.0, (10 - days_left) / 10.0)) if drifting else 0.0
    if summary["MonitoringExecutionStatus"] == "Completed":
        dusk = 0.0               # a morning flight: nothing to report
    n = mrng.randint(900, 1600)
    feats, violations = [], []
    for name, mean, std in MONITOR_FEATURES:
        shift = {"brightness_mean": -0.19, "contrast_std": -0.06, "mean_confidence": -0.13,
                 "detections_per_image": -2.2}.get(name, 0.0) * dusk
        m = mean + shift + mrng.gauss(0, std * 0.05)
        sd = std * mrng.uniform(0.95, 1.1)
        feats.append({"name": name, "inferred_type": "Fractional", "numerical_statistics": {
            "common": {"num_present": n, "num_missing": 0},
            "mean": round(m, 6), "sum": round(m * n, 4), "std_dev": round(sd, 6),
            "min": round(max(0.0, m - 3.1 * sd), 6), "max": round(m + 3.3 * sd, 6)}})
        distance = abs(shift) / (std * 4) + abs(mrng.gauss(0, 0.015))
        if distance > 0.1:
            violations.append({"feature_name": name, "constraint_check_type": "baseline_drift_check",
                               "description": "Baseline drift distance: %.4f exceeds threshold: 0.1"
                                              % distance})
    stats = {"version": 0.0, "dataset": {"item_count": n}, "features": feats}
    if summary["MonitoringExecutionStatus"] == "CompletedWithViolations" and not violations:
        # an occasional clean-endpoint alarm: a few requests without an image
        violations.append({"feature_name": "blur_laplacian_var", "constraint_check_type":
                           "completeness_check", "description": "Data completeness is 0.9971 "
                           "which is below the baseline of 1.0"})
    if summary["MonitoringExecutionStatus"] == "Completed":
        violations = []
    return stats, violations or None


def make_monitor_reports():
    for parent, s in rows["monitoring-executions"]:
        if s["MonitoringType"] != "DataQuality" or s["MonitoringExecutionStatus"] not in (
                "Completed", "CompletedWithViolations"):
            continue
        stats, violations = monitor_report(s, parent == "drone-yolo11-prod-data-quality")
        add("monitoring-reports", s["ProcessingJobArn"], {"name": "statistics.json",
                                                          "content": stats})
        if violations:
            add("monitoring-reports", s["ProcessingJobArn"], {
                "name": "constraint_violations.json", "content": {"violations": violations}})


# ---------------------------------------------------------------------------
# CloudWatch Logs of a few training jobs (what `l` tails)

lrng = random.Random(SEED + 1)   # its own stream: logs never change the other files


def log_lines(tj, hist, per):
    """(epoch seconds, message) lines as a YOLO11 job on SageMaker writes them."""
    hp = tj["HyperParameters"]
    model, imgsz = hp["model"].strip('"'), int(hp["imgsz"])
    epochs, batch = int(hp["epochs"]), int(hp["batch"])
    gpu = "NVIDIA A10G, 22502MiB" if tj["ResourceConfig"]["InstanceType"].startswith("ml.g5") \
        else "NVIDIA L4, 22478MiB"
    t = tj["TrainingStartTime"] + 2.0
    out = []

    def say(msg, dt=0.05):
        nonlocal t
        t += dt
        out.append((t, msg))

    say("bash: cannot set terminal process group (-1): Inappropriate ioctl for device")
    say("bash: no job control in this shell")
    say("sagemaker-training-toolkit INFO     Imported framework sagemaker_pytorch_container.training",
        1.2)
    say("sagemaker-training-toolkit INFO     No Neurons detected (normal if no neurons installed)")
    say("sagemaker-training-toolkit INFO     Invoking user script", 0.4)
    say("Training Env: {\"current_host\": \"algo-1\", \"hosts\": [\"algo-1\"], "
        "\"channel_input_dirs\": {\"train\": \"/opt/ml/input/data/train\", "
        "\"val\": \"/opt/ml/input/data/val\"}, \"module_name\": \"train\"}")
    say("Invoking script with the following command: /usr/local/bin/python3.11 train.py "
        "--batch %d --data aerial4.yaml --epochs %d --imgsz %d --lr0 %s --model %s"
        % (batch, epochs, imgsz, hp["lr0"], model))
    say("Ultralytics 8.3.59 \U0001F680 Python-3.11.9 torch-2.3.0+cu121 CUDA:0 (%s)" % gpu, 6.5)
    say("engine/trainer: task=detect, mode=train, model=%s, data=aerial4.yaml, epochs=%d, "
        "batch=%d, imgsz=%d, lr0=%s, project=/opt/ml/model, name=train" % (
            model, epochs, batch, imgsz, hp["lr0"]), 0.3)
    say("Transferred 499/499 items from pretrained weights", 1.5)
    say("AMP: checks passed \u2705", 2.0)
    say("train: Scanning /opt/ml/input/data/train/labels... 401 images, 0 backgrounds, 0 corrupt: "
        "100%|##########| 401/401 [00:00<00:00, 1874.22it/s]", 1.0)
    say("val: Scanning /opt/ml/input/data/val/labels... 81 images, 0 backgrounds, 0 corrupt: "
        "100%|##########| 81/81 [00:00<00:00, 1712.09it/s]", 0.6)
    say("optimizer: 'optimizer=auto' found, ignoring 'lr0=%s' and 'momentum=0.937' and determining "
        "best 'optimizer', 'lr0' and 'momentum' automatically... " % hp["lr0"], 0.2)
    say("Image sizes %d train, %d val" % (imgsz, imgsz))
    say("Starting training for %d epochs..." % epochs)
    if tj["TrainingJobStatus"] == "Failed" and "OutOfMemory" in tj.get("FailureReason", ""):
        say("      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size", 0.3)
        for msg in ["Traceback (most recent call last):",
                    '  File "/opt/ml/code/train.py", line 48, in <module>',
                    "    model.train(**args)",
                    '  File "/usr/local/lib/python3.11/site-packages/ultralytics/engine/trainer.py", '
                    'line 386, in _do_train',
                    "    self.scaler.scale(self.loss).backward()",
                    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.56 GiB. GPU 0 has "
                    "a total capacity of 22.05 GiB of which 1.12 GiB is free.",
                    "sagemaker-training-toolkit ERROR    Reporting training FAILURE",
                    "sagemaker-training-toolkit ERROR    ExecuteUserScriptError:",
                    "ExitCode 1"]:
            say(msg, 0.4 if msg.startswith("Traceback") else 0.01)
        return out
    say("      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size", 0.3)
    n = len(hist.get("train/box_loss", []))
    nb = (401 + batch - 1) // batch
    mem = {"yolo11n.pt": 2.1, "yolo11s.pt": 3.9, "yolo11m.pt": 7.6}[model] * (imgsz / 640.0) ** 2 * batch / 16
    for ep in range(n):
        v = {k: hist[k][ep]["value"] for k in hist}
        tt = hist["train/box_loss"][ep]["timestamp"] / 1000.0
        fmt = lambda x: ("%10.4g" % x) if not isinstance(x, str) else "%10s" % "nan"
        t = tt - 0.01
        say("%11s %10s %s %s %s %10d %10d: 100%%|##########| %d/%d [00:%02d<00:00, %.2fit/s]" % (
            "%d/%d" % (ep + 1, epochs), "%.3gG" % (mem * lrng.uniform(0.97, 1.03)),
            fmt(v["train/box_loss"]), fmt(v["train/cls_loss"]), fmt(v["train/dfl_loss"]),
            lrng.randint(20, 90), imgsz, nb, nb, min(59, int(per) - 3), nb / max(1.0, per - 3)), 0.01)
        t = hist["metrics/mAP50B"][ep]["timestamp"] / 1000.0 - 0.01
        say("%22s %10s %10s %10s %10s %10s %10s" % ("all", 81, 512, "%.3g" % v["metrics/precisionB"],
                                                  "%.3g" % v["metrics/recallB"],
                                                  "%.3g" % v["metrics/mAP50B"],
                                                  "%.3g" % v["metrics/mAP50-95B"]), 0.01)
    if tj["TrainingJobStatus"] == "Completed":
        say("%d epochs completed in %.3f hours." % (epochs, n * per / 3600.0), 1.0)
        say("Optimizer stripped from /opt/ml/model/train/weights/last.pt, 5.5MB", 0.3)
        say("Optimizer stripped from /opt/ml/model/train/weights/best.pt, 5.5MB")
        say("Results saved to /opt/ml/model/train", 4.0)
        say("sagemaker-training-toolkit INFO     Waiting for the process to finish and give a return code.")
        say("sagemaker-training-toolkit INFO     Done waiting for a return code. Received 0 from exiting process.")
        say("sagemaker-training-toolkit INFO     Reporting training SUCCESS")
    elif tj["TrainingJobStatus"] == "Failed":
        say("sagemaker-training-toolkit ERROR    Reporting training FAILURE", 0.5)
    return out


def make_logs():
    """Streams of the running jobs, the three latest finished ones and every
    failed one of the last twelve days, plus an out-of-memory failure."""
    chosen = [x for x in LOG_JOBS if x[0]["TrainingJobStatus"] == "InProgress"]
    done = sorted((x for x in LOG_JOBS if x[0]["TrainingJobStatus"] == "Completed"),
                  key=lambda x: -x[0]["CreationTime"])[:3]
    failed = [x for x in LOG_JOBS if x[0]["TrainingJobStatus"] == "Failed"]
    chosen += done + failed
    oom = [o for _, o in rows["training-jobs"] if "OutOfMemory" in o.get("FailureReason", "")]
    chosen += [(o, None, 0) for o in sorted(oom, key=lambda o: -o["CreationTime"])[:1]]
    seen = set()
    for tj, run_id, per in chosen:
        if tj["TrainingJobName"] in seen:
            continue
        seen.add(tj["TrainingJobName"])
        stream = "%s/algo-1-%d" % (tj["TrainingJobName"], int(tj["TrainingStartTime"]))
        for t, msg in log_lines(tj, HISTORIES.get(run_id, {}) if run_id else {}, per):
            if t > ANCHOR_S:
                break
            add("log-events", "/aws/sagemaker/TrainingJobs/" + stream,
                {"timestamp": ms(t), "message": msg, "ingestionTime": ms(t + lrng.uniform(0.2, 1.5))})


# ---------------------------------------------------------------------------
# Output

SOURCES = {
    "pipelines": ("sagemaker", "PipelineSummary", "epoch_s"),
    "pipeline-executions": ("sagemaker", "DescribePipelineExecutionResponse", "epoch_s"),
    "pipeline-steps": ("sagemaker", "PipelineExecutionStep", "epoch_s"),
    "training-jobs": ("sagemaker", "DescribeTrainingJobResponse", "epoch_s"),
    "processing-jobs": ("sagemaker", "DescribeProcessingJobResponse", "epoch_s"),
    "labeling-jobs": ("sagemaker", "DescribeLabelingJobResponse", "epoch_s"),
    "monitoring-schedules": ("sagemaker", "DescribeMonitoringScheduleResponse", "epoch_s"),
    "monitoring-executions": ("sagemaker", "MonitoringExecutionSummary", "epoch_s"),
    "endpoints": ("sagemaker", "EndpointSummary", "epoch_s"),
    "tracking-servers": ("sagemaker", "TrackingServerSummary", "epoch_s"),
    "experiments": ("mlflow", "experiments/search experiments[]", "epoch_ms"),
    "runs": ("mlflow", "runs/search runs[]", "epoch_ms"),
    "metric-histories": ("mlflow", "metrics/get-history", "epoch_ms"),
    "registered-models": ("mlflow", "registered-models/search registered_models[]", "epoch_ms"),
    "model-versions": ("mlflow", "model-versions/get model_version", "epoch_ms"),
    "datasets": ("s3", "CommonPrefix", "iso8601"),
    "objects": ("s3", "Object", "iso8601"),
    "log-events": ("logs", "OutputLogEvent", "epoch_ms"),
    "monitoring-reports": ("model-monitor", "statistics.json / constraint_violations.json",
                           "epoch_s"),
}
NOT_KINDS = {"log-events", "monitoring-reports"}   # data the demo serves, not kinds


def write_kind(outdir, kind):
    api, shape, enc = SOURCES[kind]
    keys = {"epoch_s": SM_TIME_KEYS, "epoch_ms": ML_TIME_KEYS, "iso8601": S3_TIME_KEYS}[enc]
    if api == "logs":
        keys = ["timestamp", "ingestionTime"]
    elif api == "model-monitor":
        keys = []
    head = {"kind": kind, "api": api, "shape": shape, "time_encoding": enc, "time_keys": keys}
    if kind in NOT_KINDS:
        head["table"] = False
    path = os.path.join(outdir, kind + ".json")
    with open(path, "w") as f:
        f.write(json.dumps(head, separators=(",", ":"))[:-1] + ',"rows":[\n')
        items = rows.get(kind, [])
        for i, (parent, obj) in enumerate(items):
            line = json.dumps({"parent": parent, "object": obj}, separators=(",", ":"),
                              ensure_ascii=False)
            f.write(line + (",\n" if i + 1 < len(items) else "\n"))
        f.write("]}\n")
    return len(rows.get(kind, []))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get(
        "MLDECK_SHARED", os.path.join(here, "..", "..", "..", "shared")))
    ap.add_argument("--out", default=here)
    args = ap.parse_args()
    make_pipelines()
    make_standalone_jobs()
    make_labeling()
    make_monitoring()
    make_mlflow()
    make_logs()
    make_monitor_reports()
    files = copy_images(args.shared, args.out)
    manifest = {"anchor": ANCHOR, "anchor_epoch_s": ANCHOR_S, "seed": SEED,
                "profile": "demo", "region": REGION, "account": ACCOUNT,
                "generator": "data/demo/generate.py",
                "images": ["images/" + n[len("aerial4/"):] for n in files],
                "files": []}
    for kind in SOURCES:
        n = write_kind(args.out, kind)
        manifest["files"].append({"kind": kind, "file": kind + ".json", "rows": n})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    write_install_rules(args.out, manifest)


def write_install_rules(outdir, manifest):
    """data/demo/files.mk: the install and dist lists (included by data/local.mk)."""
    dirs = {}
    for img in manifest["images"]:
        d = os.path.dirname(img)
        dirs.setdefault(d, []).append(img)
    out = ["# Written by data/demo/generate.py: what `make install` copies to",
           "# $(pkgdatadir)/demo.  Do not edit; run the generator.",
           "demodir = $(pkgdatadir)/demo",
           "dist_demo_DATA = \\",
           "\tdata/demo/manifest.json \\"]
    names = [e["file"] for e in manifest["files"]]
    for i, name in enumerate(names):
        out.append("\tdata/demo/%s%s" % (name, " \\" if i + 1 < len(names) else ""))
    for d in sorted(dirs):
        var = "demo" + "".join(c for c in d.replace("/", "_") if c.isalnum() or c == "_")
        var = var.replace("_", "")
        out.append("%sdir = $(demodir)/%s" % (var, d))
        out.append("dist_%s_DATA = \\" % var)
        files = sorted(dirs[d])
        for i, f in enumerate(files):
            out.append("\tdata/demo/%s%s" % (f, " \\" if i + 1 < len(files) else ""))
    out.append("EXTRA_DIST += data/demo/generate.py data/demo/files.mk")
    with open(os.path.join(outdir, "files.mk"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
