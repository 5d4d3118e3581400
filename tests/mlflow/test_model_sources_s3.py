"""`mldeck infer MODEL IMAGE` with models in S3: s3://BUCKET/FOLDER (the
folder rule), training-job:NAME (DescribeTrainingJob from the awsfake
SageMaker server, the model.tar.gz from s3rver), and runs:/ and models:/
whose MLflow artifact root is in S3 (as on a SageMaker-managed tracking
server): the test MLflow server answers runs/get with an s3:// artifact_uri
and the artifact comes from s3rver behind the SigV4-checking proxy.  The
detections must equal the local file's; the second use is one HEAD (ETag
cache); a folder with only best.pt, a garbage object and an unknown job are
clear errors that cache nothing."""

import glob
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from mlflow_testlib import FIXTURES, SRCDIR, Server, Tap, need_fixtures  # noqa: E402

need_fixtures()
sys.path.insert(0, os.path.join(SRCDIR, "tests", "servers"))
BIN = os.environ.get("MLDECK_BIN") or os.path.join(os.environ.get("MLDECK_BUILDDIR", "."), "mldeck")
MODEL = os.path.join(SRCDIR, "data", "models", "aerial4_yolo11n_320.onnx")
IMAGE = os.path.join(SRCDIR, "data", "demo", "images", "images", "val", "val_0000.jpg")
if not os.access(BIN, os.X_OK) or not os.path.isfile(MODEL):
    print("1..0 # SKIP no mldeck binary or shipped model")
    sys.exit(0)
from s3sigproxy import S3rver, SigProxy, fake_aws_or_skip  # noqa: E402
Fake = fake_aws_or_skip(SRCDIR)

BUCKET = "drone-ml"
MODELS_BUCKET = "mldeck-models"      # awsfake's S3OutputPath: s3://mldeck-models/yolo11
JOB = "yolo11n-src-00000"
JOB_KEY = "yolo11/%s/output/model.tar.gz" % JOB
RUN = "5a9e0000000000000000000000000001"
ROOT = "mlflow/1/%s/artifacts" % RUN
tap = Tap()
TMP = tempfile.mkdtemp(prefix="mldeck-model-sources-s3-")


def put(s3, key, body, bucket=BUCKET):
    return s3.put(bucket, key, body)


def targz(path, arcname):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        t.add(path, arcname=arcname)
    return buf.getvalue()


def detections(out):
    try:
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        return [(d["class_id"], round(d["confidence"], 4), [round(b, 2) for b in d["box"]])
                for d in lines[0]["detections"]] if len(lines) == 1 else None
    except (ValueError, KeyError):
        return None


s3 = px = fake = None
try:
    s3 = S3rver(os.path.join(TMP, "s3"), buckets=[BUCKET, MODELS_BUCKET]).start()
    px = SigProxy(s3.url, keys={"S3RVER": "S3RVER"}).start()
    fake = Fake(seed={"region": "us-east-1",
                      "training_jobs": {"count": 1, "prefix": "yolo11n-src", "in_progress": 0}},
                args=["--key", "S3RVER:S3RVER"])
    onnx = open(MODEL, "rb").read()
    st = [put(s3, "models/aerial4/best.onnx", onnx),
          put(s3, "models/aerial4/last.onnx", b"not the model"),
          put(s3, "models/pt-only/weights/best.pt", b"PK torch"),
          put(s3, "models/garbage/best.onnx", bytes(range(256)) * 64),
          put(s3, ROOT + "/weights/best.onnx", onnx),
          put(s3, ROOT + "/args.yaml", b"imgsz: 320\n"),
          put(s3, JOB_KEY, targz(MODEL, "best.onnx"), bucket=MODELS_BUCKET)]
    tap.ok(st == [200] * 7, "objects uploaded to s3rver", st)

    run = {"info": {"run_uuid": RUN, "experiment_id": "1", "run_name": "sm-run", "user_id": "ayoub",
                    "status": "FINISHED", "start_time": 1795681700000,
                    "artifact_uri": "s3://%s/%s" % (BUCKET, ROOT),
                    "lifecycle_stage": "active", "run_id": RUN},
           "data": {}, "inputs": {}}
    seed = {"runs": [run],
            "models": [{"name": "sm-aerial4", "creation_timestamp": 1, "last_updated_timestamp": 1}],
            "versions": [{"name": "sm-aerial4", "version": "1", "current_stage": "None",
                          "source": "runs:/%s/weights" % RUN, "run_id": RUN, "status": "READY",
                          "creation_timestamp": 1, "last_updated_timestamp": 1}]}
    with open(os.path.join(TMP, "seed.json"), "w") as f:
        json.dump(seed, f)
    ml = Server("--fixtures", FIXTURES, "--seed", os.path.join(TMP, "seed.json"))

    def mldeck(*argv, cache="cache"):
        e = {"PATH": "/usr/bin:/bin", "HOME": TMP, "XDG_CONFIG_HOME": TMP + "/cfg",
             "XDG_CACHE_HOME": os.path.join(TMP, cache), "XDG_STATE_HOME": TMP + "/state",
             "LC_ALL": "C.UTF-8", "AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER",
             "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
             "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
             "AWS_ENDPOINT_URL_S3": px.url, "AWS_ENDPOINT_URL_SAGEMAKER": fake.url,
             "MLFLOW_TRACKING_URI": ml.url, "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0"}
        e.update({k: v for k, v in os.environ.items()
                  if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "MLDECK_YOLO_KERNEL")})
        r = subprocess.run([BIN] + list(argv), capture_output=True, text=True, env=e, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def cached(cache="cache"):
        return sorted(os.path.basename(p)
                      for p in glob.glob(os.path.join(TMP, cache, "mldeck", "models", "*")))

    rc, out, err = mldeck("infer", MODEL, IMAGE, "--json", "--threads", "1")
    WANT = detections(out)
    tap.ok(rc == 0 and WANT, "baseline: the local file", err)

    px.log.clear()
    rc, out, err = mldeck("infer", "s3://%s/models/aerial4" % BUCKET, IMAGE, "--json", "--threads", "1")
    tap.ok(rc == 0 and detections(out) == WANT, "s3:// folder: best.onnx, same detections", err)
    tap.ok("downloading s3://%s/models/aerial4/best.onnx" % BUCKET in err,
           "stderr: downloading ... best.onnx", err)
    tap.ok(px.log and all(e["ok"] for e in px.log), "every S3 request correctly signed")
    parts = [dict(e["headers"]).get("Range") for e in px.log if e["method"] == "GET" and
             e["path"].split("?")[0] == "/%s/models/aerial4/best.onnx" % BUCKET]
    size = os.path.getsize(MODEL)
    tap.eq(parts, ["bytes=0-8388607", "bytes=8388608-%d" % (size - 1)],
           "downloaded in 8 MiB ranges (memory stays bounded)")
    px.log.clear()
    rc, out, err = mldeck("infer", "s3://%s/models/aerial4/" % BUCKET, IMAGE, "--json", "--threads", "1")
    methods = [e["method"] for e in px.log]
    tap.ok(rc == 0 and detections(out) == WANT and "using the cached copy" in err and
           "GET" in methods and methods.count("HEAD") == 1 and
           not any(e["method"] == "GET" and e["path"].split("?")[0].endswith(".onnx") for e in px.log),
           "second use: the listing and one HEAD, no download", [methods, err])

    rc, out, err = mldeck("infer", "training-job:%s" % JOB, IMAGE, "--json", "--threads", "1")
    tap.ok(rc == 0 and detections(out) == WANT,
           "training-job:NAME: the job's model.tar.gz, unpacked, same detections", err)
    tap.ok("training-job:%s is s3://%s/%s" % (JOB, MODELS_BUCKET, JOB_KEY) in err,
           "stderr says where the job's model is", err)
    rc, out, err = mldeck("infer", "training-job:no-such-job", IMAGE)
    tap.ok(rc == 3 and "no-such-job" in err, "an unknown training job: exit 3, named", err)

    px.log.clear()
    rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE, "--json", "--threads", "1")
    tap.ok(rc == 0 and detections(out) == WANT,
           "runs:/ whose artifact root is s3:// (SageMaker-managed MLflow): same detections", err)
    tap.ok(any(e["method"] == "HEAD" and e["path"].split("?")[0] == "/%s/%s/weights/best.onnx"
               % (BUCKET, ROOT) for e in px.log) and "using the cached copy" in err,
           "the artifact is the S3 object under the run's root (same bytes as before: same ETag, "
           "cached)", [e["method"] + " " + e["path"] for e in px.log])
    rc, out, err = mldeck("infer", "models:/sm-aerial4/1", IMAGE, "--json", "--threads", "1")
    tap.ok(rc == 0 and detections(out) == WANT and "using the cached copy" in err,
           "models:/ to the same S3 artifact: from the cache", err)

    before = cached()
    rc, out, err = mldeck("infer", "s3://%s/models/pt-only" % BUCKET, IMAGE)
    tap.ok(rc != 0 and "yolo export" in err, "an S3 folder with only best.pt: export to ONNX", err)
    rc, out, err = mldeck("infer", "s3://%s/models/garbage/best.onnx" % BUCKET, IMAGE)
    tap.ok(rc != 0 and "not a usable ONNX model" in err, "a garbage .onnx: a clear error", err)
    tap.eq(cached(), before, "the errors cached nothing")
    tap.ok(not [p for p in os.listdir(os.path.join(TMP, "cache", "mldeck", "models"))
                if "part" in p or "download" in p], "no temporary file left")
finally:
    if fake:
        fake.stop()
    if px:
        px.stop()
    if s3:
        s3.stop()
    shutil.rmtree(TMP, ignore_errors=True)
tap.done()
