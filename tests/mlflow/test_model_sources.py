"""`mldeck infer MODEL IMAGE` with MODEL taken from MLflow: runs:/, models:/
(version and @alias), mlflow-artifacts:/, against the test MLflow server
seeded with the recorded state plus runs whose artifacts hold the real
drone model (data/models/aerial4_yolo11n_320.onnx), served from disk by the
proxied artifact service.  The detections must equal those of the local
file; the second use of an artifact must come from the cache (no download
request reaches the server); a missing artifact, a folder holding only
best.pt, a cut or garbage download (server fault injection) must be clear
errors that leave nothing in the cache; bad MODEL strings are usage errors
before any request."""

import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlflow_testlib import FIXTURES, MLRUNS, SRCDIR, Server, Tap, need_fixtures  # noqa: E402

need_fixtures()
BIN = os.environ.get("MLDECK_BIN") or os.path.join(os.environ.get("MLDECK_BUILDDIR", "."), "mldeck")
if not os.access(BIN, os.X_OK):
    print("1..0 # SKIP mldeck not built (%s)" % BIN)
    sys.exit(0)
MODEL = os.path.join(SRCDIR, "data", "models", "aerial4_yolo11n_320.onnx")
IMAGE = os.path.join(SRCDIR, "data", "demo", "images", "images", "val", "val_0000.jpg")
if not os.path.isfile(MODEL) or not os.path.isfile(IMAGE):
    print("1..0 # SKIP the shipped model or demo image is missing")
    sys.exit(0)

tap = Tap()
TMP = tempfile.mkdtemp(prefix="mldeck-model-sources-")
CACHE = os.path.join(TMP, "cache")

RUN = "c0ffee00000000000000000000000001"      # weights/best.onnx (+ last.onnx, args.yaml)
RUN_PT = "c0ffee00000000000000000000000002"   # weights/best.pt only
RUN_TGZ = "c0ffee00000000000000000000000003"  # output/model.tar.gz with best.onnx inside
RUN_ONE = "c0ffee00000000000000000000000004"  # model/aerial.onnx, the only .onnx
RUN_SRV = "c0ffee00000000000000000000000005"  # artifact root is a folder on the server


def write(name, data):
    p = os.path.join(TMP, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


# last.onnx is not a model: picking it instead of best.onnx would fail.
last = write("last.onnx", b"not the model\n")
args = write("args.yaml", b"imgsz: 320\nepochs: 100\n")
pt = write("best.pt", b"PK\x03\x04 torch weights\n")
tgz = os.path.join(TMP, "model.tar.gz")
with tarfile.open(tgz, "w:gz") as t:
    t.add(MODEL, arcname="best.onnx")
    t.add(args, arcname="code/args.yaml")


def run(rid, name, root=None):
    return {"info": {"run_uuid": rid, "experiment_id": "1", "run_name": name, "user_id": "ayoub",
                     "status": "FINISHED", "start_time": 1795681700000,
                     "end_time": 1795681750000,
                     "artifact_uri": root or "mlflow-artifacts:/1/%s/artifacts" % rid,
                     "lifecycle_stage": "active", "run_id": rid},
            "data": {"metrics": [], "params": [], "tags": []}, "inputs": {}}


def version(v, source, rid, aliases=()):
    return {"name": "drone-aerial4", "version": str(v), "creation_timestamp": 1795681760000 + v,
            "last_updated_timestamp": 1795681760000 + v, "current_stage": "None",
            "source": source, "run_id": rid, "status": "READY", "tags": [], "run_link": "",
            "aliases": list(aliases)}


seed = {
    "runs": [run(RUN, "aerial4"), run(RUN_PT, "pt-only"), run(RUN_TGZ, "sagemaker-style"),
             run(RUN_ONE, "one-onnx"),
             run(RUN_SRV, "server-root", "file:///srv/mlflow/mlruns/1/%s/artifacts" % RUN_SRV)],
    "artifact_files": {
        RUN: {"weights/best.onnx": MODEL, "weights/last.onnx": last, "args.yaml": args},
        RUN_PT: {"weights/best.pt": pt, "args.yaml": args},
        RUN_TGZ: {"output/model.tar.gz": tgz},
        RUN_ONE: {"model/aerial.onnx": MODEL, "model/args.yaml": args},
        RUN_SRV: {"weights/best.onnx": MODEL, "weights/last.onnx": last},
    },
    "models": [{"name": "drone-aerial4", "creation_timestamp": 1795681760000,
                "last_updated_timestamp": 1795681760003, "tags": [],
                "aliases": [{"alias": "champion", "version": "1"}]}],
    "versions": [version(1, "runs:/%s/weights" % RUN, RUN, ["champion"]),
                 version(2, "mlflow-artifacts:/1/%s/artifacts/weights/best.onnx" % RUN, RUN),
                 version(3, "runs:/%s/weights" % RUN_PT, RUN_PT),
                 dict(version(4, "runs:/%s/weights" % RUN, RUN), status="FAILED_REGISTRATION",
                      status_message="copy to the registry failed")],
}
seed_file = write("seed.json", json.dumps(seed).encode())
srv = Server("--fixtures", FIXTURES, "--seed", seed_file)
U = srv.url
DL = "/api/2.0/mlflow-artifacts/artifacts/"


def mldeck(*argv, uri=U, cache=CACHE, env=None):
    e = {"PATH": "/usr/bin:/bin", "HOME": TMP, "XDG_CONFIG_HOME": TMP + "/cfg",
         "XDG_CACHE_HOME": cache, "XDG_STATE_HOME": TMP + "/state",
         "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0", "LC_ALL": "C.UTF-8",
         "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
         "AWS_EC2_METADATA_DISABLED": "true"}
    if uri:
        e["MLFLOW_TRACKING_URI"] = uri
    # sanitizer settings and the engine's kernel choice pass through
    e.update({k: v for k, v in os.environ.items()
              if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "MLDECK_YOLO_KERNEL")})
    e.update(env or {})
    r = subprocess.run([BIN] + list(argv), capture_output=True, text=True, env=e, timeout=120)
    return r.returncode, r.stdout, r.stderr


def detections(out):
    try:
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
    except ValueError:
        return None
    if len(lines) != 1:
        return None
    return [(d["class_id"], round(d["confidence"], 4), [round(b, 2) for b in d["box"]])
            for d in lines[0]["detections"]]


def cache_files(cache=CACHE):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(cache, "mldeck", "models", "*")))


def downloads():
    return [r for r in srv.requests() if r["method"] == "GET" and r["path"].startswith(DL)]


rc, out, err = mldeck("infer", MODEL, IMAGE, "--json", "--threads", "1")
WANT = detections(out)
tap.ok(rc == 0 and WANT, "baseline: the local file gives detections", err)

# ---- runs:/ -----------------------------------------------------------------------
srv.clear()
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT, "runs:/RUN/weights: the same detections as the file",
       err + out[:300])
tap.ok("downloading mlflow-artifacts:/1/%s/artifacts/weights/best.onnx" % RUN in err,
       "a 'downloading' line on stderr names the artifact (best.onnx, not last.onnx)", err)
tap.ok(out.count("\n") == 1 and out.startswith("{"), "--json: stdout holds only the JSON line", out)
reqs = srv.requests()
paths = [r["path"] for r in reqs]
tap.ok("/api/2.0/mlflow/runs/get" in paths and "/api/2.0/mlflow-artifacts/artifacts" in paths,
       "resolved through runs/get and the proxied listing", paths)
dl = downloads()
tap.eq([r["path"] for r in dl], [DL + "1/%s/artifacts/weights/best.onnx" % RUN],
       "one download request, for best.onnx")
files = cache_files()
tap.ok(len(files) == 1 and files[0].startswith("mlflow-") and files[0].endswith(".onnx"),
       "cached as mlflow-<hash>.onnx, nothing else left", files)
if files:
    with open(os.path.join(CACHE, "mldeck", "models", files[0]), "rb") as a, open(MODEL, "rb") as b:
        tap.ok(a.read() == b.read(), "the cached file is the model byte for byte")
else:
    tap.ok(False, "the cached file is the model byte for byte")
st = os.stat(os.path.join(CACHE, "mldeck", "models"))
tap.eq(oct(st.st_mode & 0o777), "0o700", "the models cache folder is private (0700)")

srv.clear()
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT and "using the cached copy" in err,
       "second use: from the cache, same detections", err)
tap.eq(len(downloads()), 0, "second use: no download request reached the server")
tap.eq(cache_files(), files, "second use: the cache is unchanged")

rc, out, err = mldeck("infer", "runs:/%s" % RUN, IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT, "runs:/RUN (the root): weights/best.onnx is found", err)

# ---- models:/ and mlflow-artifacts:/ ------------------------------------------------
srv.clear()
rc, out, err = mldeck("infer", "models:/drone-aerial4/1", IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT, "models:/NAME/1: the same detections", err)
tap.ok("/api/2.0/mlflow/model-versions/get-download-uri" in [r["path"] for r in srv.requests()],
       "models:/ asks get-download-uri")
tap.ok("using the cached copy" in err and len(downloads()) == 0,
       "the version's artifact is the run's: one cache entry serves both", err)
rc, out, err = mldeck("infer", "models:/drone-aerial4@champion", IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT, "models:/NAME@champion: the same detections", err)
rc, out, err = mldeck("infer", "models:/drone-aerial4/2", IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT,
       "models:/NAME/2 whose source is mlflow-artifacts:/.../best.onnx", err)
rc, out, err = mldeck("infer", "mlflow-artifacts:/1/%s/artifacts/weights/best.onnx" % RUN, IMAGE,
                      "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT, "mlflow-artifacts:/PATH to the file", err)
rc, out, err = mldeck("infer", "runs:/%s/output" % RUN_TGZ, IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT, "a folder with model.tar.gz: unpacked, same detections",
       err)
rc, out, err = mldeck("infer", "runs:/%s/model" % RUN_ONE, IMAGE, "--json", "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT, "a folder with one .onnx (not best.onnx): taken", err)
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE)
tap.ok(rc == 0 and len(out.splitlines()) == len(WANT), "table output from a runs:/ model too", err)

# a server without the proxied service: the run's root is a folder on the server
srv.clear()
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN_SRV, IMAGE, "--json", "--threads", "1")
got = [r for r in srv.requests() if r["path"] == "/get-artifact"]
tap.ok(rc == 0 and detections(out) == WANT and "read through the tracking server" in err,
       "a run whose artifact root is a server folder: read through the server, same detections",
       err)
tap.ok(len(got) == 1 and "path=weights%2Fbest.onnx" in got[0]["query_string"] and
       ("run_uuid=" + RUN_SRV) in got[0]["query_string"],
       "listed with artifacts/list, downloaded with /get-artifact?path=&run_uuid=",
       [r["path"] + "?" + r["query_string"] for r in srv.requests()])
srv.clear()
rc, out, err = mldeck("infer", "runs:/%s/weights/best.onnx" % RUN_SRV, IMAGE, "--json",
                      "--threads", "1")
tap.ok(rc == 0 and detections(out) == WANT and "using the cached copy" in err and
       not [r for r in srv.requests() if r["path"] == "/get-artifact"],
       "the same file named directly: from the cache", err)
rc, out, err = mldeck("infer", "runs:/%s/weights/nope.onnx" % RUN_SRV, IMAGE)
tap.ok(rc == 3 and "no such artifact: runs:/%s/weights/nope.onnx" % RUN_SRV in err,
       "a missing file there: exit 3, named as runs:/", err)

# ---- errors: nothing cached -----------------------------------------------------------
before = cache_files()
rc, out, err = mldeck("infer", "models:/drone-aerial4/3", IMAGE)
tap.ok(rc != 0 and "yolo export" in err and "format=onnx" in err,
       "a folder with only best.pt: says to export to ONNX", err)
rc, out, err = mldeck("infer", "models:/drone-yolo11/1", IMAGE)
tap.ok(rc != 0 and "yolo export" in err, "the recorded registry version (best.pt only): same", err)
rc, out, err = mldeck("infer", "runs:/%s/weights/best.pt" % RUN_PT, IMAGE)
tap.ok(rc != 0 and "PyTorch" in err and "format=onnx" in err, "best.pt named directly: same", err)
rc, out, err = mldeck("infer", "runs:/%s/weights/nope.onnx" % RUN, IMAGE)
tap.ok(rc == 3 and "no such artifact" in err and "nope.onnx" in err,
       "a missing artifact: exit 3, named", err)
rc, out, err = mldeck("infer", "runs:/0123456789abcdef0123456789abcdef/weights", IMAGE)
tap.ok(rc == 3 and "not found" in err, "an unknown run: exit 3 with the server's message", err)
rc, out, err = mldeck("infer", "models:/drone-aerial4/99", IMAGE)
tap.ok(rc == 3 and "not found" in err, "an unknown version: exit 3", err)
rc, out, err = mldeck("infer", "models:/drone-aerial4/4", IMAGE)
tap.ok(rc == 2 and "version 4 is FAILED_REGISTRATION, not READY: copy to the registry failed"
       in err, "a version whose registration failed: says so (model-versions/get)", err)
rc, out, err = mldeck("infer", "models:/drone-aerial4@nobody", IMAGE)
tap.ok(rc == 3 and "alias" in err, "an unknown alias: exit 3", err)
tap.eq(cache_files(), before, "errors added nothing to the cache")

# faults on a fresh cache: the download is cut, or is garbage of the right length
fresh = os.path.join(TMP, "cache2")
srv.fault(path=DL + "1/%s/" % RUN, truncate=100000, times=3)
srv.clear()
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE, cache=fresh,
                      env={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2"})
tap.ok(rc != 0 and "mlflow-artifacts:/1/%s/artifacts/weights/best.onnx" % RUN in err,
       "a cut download: an error naming the artifact", err)
tap.eq(len(downloads()), 3, "a cut download is tried again (MLFLOW_HTTP_REQUEST_MAX_RETRIES=2)")
tap.eq(cache_files(fresh), [], "a cut download leaves no file in the cache")

srv.fault(path=DL + "1/%s/" % RUN, garbage=True, times=1)
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE, cache=fresh)
tap.ok(rc != 0 and "not a usable ONNX model" in err, "a garbage download: a clear error", err)
tap.eq(cache_files(fresh), [], "a garbage download leaves no file in the cache")
# temporary files of a killed download: swept when an hour old, kept when fresh
mdir = os.path.join(fresh, "mldeck", "models")
stale = os.path.join(mdir, "mlflow-0123.download4242")
live = os.path.join(mdir, "mlflow-4567.onnx.part4343")
for p in (stale, live):
    open(p, "wb").write(b"half")
os.utime(stale, (1700000000, 1700000000))
srv.fault(path=DL + "1/%s/" % RUN, status=503, times=1)
srv.clear()
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE, "--json", "--threads", "1",
                      cache=fresh)
tap.ok(rc == 0 and detections(out) == WANT and len(downloads()) == 2,
       "a 503 on the download is retried (2 requests) and the model works", err)
tap.ok(not os.path.exists(stale) and os.path.exists(live),
       "a download sweeps an hour-old temporary file, not a fresh one")
os.unlink(live)
tap.eq(len(cache_files(fresh)), 1, "after the faults, one good cached file")

# ---- MODEL strings: refused before any request ------------------------------------
srv.clear()
for bad, why in [("runs:/", "needs a run id"), ("runs://x/y", "runs:/RUN_ID"),
                 ("models:/drone-aerial4", "needs a version"),
                 ("models:/drone-aerial4/", "needs a version"),
                 ("models:/drone-aerial4/Production", "not a version number"),
                 ("models:/@champion", "ALIAS"), ("mlflow-artifacts:/", "needs a path"),
                 ("runs:/%s/../x" % RUN, "'..'"), ("gs://bucket/model.onnx", "unsupported")]:
    rc, out, err = mldeck("infer", bad, IMAGE)
    tap.ok(rc == 2 and why in err, "%s: usage error (%s)" % (bad, why), err)
tap.eq(srv.requests(), [], "no request was sent for a malformed MODEL")
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE, uri=None)
tap.ok(rc == 2 and "MLFLOW_TRACKING_URI" in err, "no tracking URI: says how to set one", err)
rc, out, err = mldeck("infer", "--help")
tap.ok(rc == 0 and "runs:/RUN_ID" in err and "models:/NAME/VERSION" in err and
       "mlflow-artifacts:/PATH" in err and "training-job:NAME" in err,
       "--help lists the MODEL forms", err)

# An MLflow-only user: the AWS environment (whose region lookup may ask the
# EC2 metadata service) is never opened for an artifact served by MLflow.
srv.clear()
rc, out, err = mldeck("infer", "runs:/%s/weights" % RUN, IMAGE,
                      env={"AWS_EC2_METADATA_DISABLED": "false",
                           "AWS_EC2_METADATA_SERVICE_ENDPOINT": U})
tap.ok(rc == 0 and not [r for r in srv.requests() if r["path"].startswith("/latest/")],
       "an MLflow artifact: no EC2 metadata (region) request", [r["path"] for r in srv.requests()])
rc, out, err = mldeck("infer", "s3://bucket/m/best.onnx", IMAGE,
                      env={"AWS_EC2_METADATA_DISABLED": "false",
                           "AWS_EC2_METADATA_SERVICE_ENDPOINT": U})
tap.ok(rc != 0 and [r for r in srv.requests() if r["path"].startswith("/latest/")],
       "an s3:// model: the AWS environment is opened (the metadata service is asked)",
       [r["path"] for r in srv.requests()] + [err])

# ---- auth: the download carries the token -----------------------------------------------
auth = Server("--fixtures", FIXTURES, "--seed", seed_file, "--auth", "bearer:tok-123")
rc, out, err = mldeck("infer", "models:/drone-aerial4/1", IMAGE, "--json", "--threads", "1",
                      uri=auth.url, cache=os.path.join(TMP, "cache3"),
                      env={"MLFLOW_TRACKING_TOKEN": "tok-123"})
got = [r for r in auth.requests() if r["path"].startswith(DL)]
tap.ok(rc == 0 and detections(out) == WANT and got and
       got[0]["headers"].get("Authorization") == "Bearer tok-123",
       "bearer auth: the download request carries the token", err)
rc, out, err = mldeck("infer", "models:/drone-aerial4/1", IMAGE, uri=auth.url,
                      cache=os.path.join(TMP, "cache4"))
tap.ok(rc == 4, "no token: exit 4 (authentication)", err)

# ---- a local file store (mlruns folder): read straight from disk ---------------------
if os.path.isdir(MLRUNS):
    store = os.path.join(TMP, "mlruns")
    shutil.copytree(MLRUNS, store)
    frun = "175e05e146af4985877964eb4dcf2527"     # drone-yolo11 version 1's run
    wdir = os.path.join(store, "775704356759393566", frun, "artifacts", "weights")
    rc, out, err = mldeck("infer", "models:/drone-yolo11/1", IMAGE, uri=store)
    tap.ok(rc != 0 and "yolo export" in err,
           "file store as recorded (weights/best.pt only): export to ONNX", err)
    shutil.copy(MODEL, os.path.join(wdir, "best.onnx"))
    rc, out, err = mldeck("infer", "models:/drone-yolo11/1", IMAGE, "--json", "--threads", "1",
                          uri=store, cache=os.path.join(TMP, "cache5"))
    tap.ok(rc == 0 and detections(out) == WANT, "file store: models:/NAME/1 (runs:/ source), read "
           "from the run's artifacts folder, same detections", err)
    tap.eq(cache_files(os.path.join(TMP, "cache5")), [], "file store: nothing is copied into the cache")
    rc, out, err = mldeck("infer", "runs:/%s/weights/best.onnx" % frun, IMAGE, "--json",
                          "--threads", "1", uri=store)
    tap.ok(rc == 0 and detections(out) == WANT, "file store: runs:/RUN/weights/best.onnx", err)
    rc, out, err = mldeck("infer", "mlflow-artifacts:/1/x/artifacts/best.onnx", IMAGE, uri=store)
    tap.ok(rc != 0 and "tracking server" in err, "file store: mlflow-artifacts:/ needs a server", err)
else:
    tap.ok(True, "# SKIP no mlruns fixture")

shutil.rmtree(TMP, ignore_errors=True)
tap.done()
