"""mldeck's MLflow CLI (ls experiments/runs/registered-models/model-versions,
metrics) against the test MLflow server loaded with the recorded state,
against the fixture file store, and against a SageMaker-managed server
(awsfake answers DescribeMlflowTrackingServer, the MLflow server checks
SigV4).  Covers paging with tokens, filters and order-by, bad filters (no
request sent), auth modes and the headers sent, retries on faults, and
errors with exit codes."""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlflow_testlib import FIXTURES, MLRUNS, SRCDIR, Server, Tap, need_fixtures  # noqa: E402

need_fixtures()
BIN = os.environ.get("MLDECK_BIN") or os.path.join(os.environ.get("MLDECK_BUILDDIR", "."), "mldeck")
if not os.access(BIN, os.X_OK):
    print("1..0 # SKIP mldeck not built (%s)" % BIN)
    sys.exit(0)
tap = Tap()
TMP = tempfile.mkdtemp(prefix="mldeck-mlflow-cli-")


def fixture(name):
    return json.load(open(os.path.join(FIXTURES, name)))["response"]


def mldeck(*args, env=None, uri=None):
    e = {"PATH": "/usr/bin:/bin", "HOME": TMP, "XDG_CONFIG_HOME": TMP + "/cfg",
         "XDG_CACHE_HOME": TMP + "/cache", "XDG_STATE_HOME": TMP + "/state",
         "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0", "LC_ALL": "C.UTF-8",
         "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
         "AWS_EC2_METADATA_DISABLED": "true"}
    if uri:
        e["MLFLOW_TRACKING_URI"] = uri
    e.update(env or {})
    r = subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e, timeout=120)
    return r.returncode, r.stdout, r.stderr


def jout(rc_out_err):
    rc, out, err = rc_out_err
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, err + "\nstdout: " + out[:300]


srv = Server("--fixtures", FIXTURES)
U = srv.url

# ---- experiments ---------------------------------------------------------------
rc, got, err = jout(mldeck("ls", "experiments", "--json", uri=U))
want = fixture("experiments_search_GET_max2_page1.json")["experiments"] + \
    fixture("experiments_search_GET_max2_page2.json")["experiments"]
tap.ok(rc == 0 and got == want, "ls experiments --json = the server's Experiment objects", err)
rc, got, err = jout(mldeck("ls", "experiments", "--all", "--json", "--page-size", "2", uri=U))
want_all = fixture("experiments_search_POST_all_max2_page1.json")["experiments"] + \
    fixture("experiments_search_POST_all_max2_page2.json")["experiments"]
tap.ok(rc == 0 and got == want_all, "ls experiments --all pages through deleted ones too", err)
reqs = [r for r in srv.requests() if r["path"].endswith("experiments/search")]
bodies = [json.loads(r["body"]) for r in reqs[-2:]]
tap.eq([b.get("max_results") for b in bodies], [2, 2], "max_results always sent")
tap.eq(bodies[1].get("page_token"), "eyJvZmZzZXQiOiAyfQ==", "second page uses the server's token")
rc, out, err = mldeck("ls", "experiments", "--tsv", uri=U)
lines = out.splitlines()
tap.ok(rc == 0 and lines[0].split("\t")[:3] == ["Name", "ID", "Lifecycle"] and
       lines[1].split("\t")[:2] == ["drone-detection-ablation", "2"] and
       lines[1].split("\t")[3] == "1795681748923", "ls experiments --tsv: raw epoch ms", out)
rc, out, err = mldeck("ls", "experiments", uri=U)
tap.ok(rc == 0 and out.startswith("NAME") and "drone-detection-yolo11" in out,
       "ls experiments table", out + err)
rc, got, err = jout(mldeck("ls", "experiments", "--filter", "name LIKE 'drone-%'", "--json", uri=U))
tap.eq([e["experiment_id"] for e in got or []], ["2", "1"], "experiment filter sent to the server")

# ---- runs ---------------------------------------------------------------------------
rc, got, err = jout(mldeck("ls", "runs", "--experiment", "drone-detection-yolo11", "--json", uri=U))
tap.ok(rc == 0 and got == fixture("quirk_experiment_ids_string_200.json")["runs"],
       "ls runs --experiment NAME = the server's Run objects, newest first", err)
rc, got2, err = jout(mldeck("ls", "runs", "--experiment", "1", "--json", uri=U))
tap.ok(rc == 0 and got2 == got, "ls runs --experiment ID gives the same", err)

srv.clear()
q = "metrics.`metrics/mAP50B` > 0.5"
rc, got, err = jout(mldeck("ls", "runs", "--experiment", "1", "--experiment", "2",
                           "--filter", q, "--order-by", "metrics.`metrics/mAP50B` DESC",
                           "--order-by", "attributes.start_time DESC", "--page-size", "3",
                           "--json", uri=U))
want = sum((fixture("runs_search_map50_gt_0.5_page%d.json" % i).get("runs", [])
            for i in (1, 2, 3, 4)), [])
tap.ok(rc == 0 and got == want, "filter + order-by + 3 per page = the recorded 3 pages", err)
searches = [json.loads(r["body"]) for r in srv.requests() if r["path"].endswith("runs/search")]
tap.eq([s.get("page_token") for s in searches],
       [None, "eyJvZmZzZXQiOiAzfQ==", "eyJvZmZzZXQiOiA2fQ==", "eyJvZmZzZXQiOiA5fQ=="],
       "page tokens followed until the empty last page")
tap.eq(searches[0], {"experiment_ids": ["1", "2"], "filter": q, "run_view_type": "ACTIVE_ONLY",
                     "max_results": 3, "order_by": ["metrics.`metrics/mAP50B` DESC",
                                                    "attributes.start_time DESC"]},
       "runs/search body as MLflow's client sends it")
rc, got, err = jout(mldeck("ls", "runs", "--all-experiments", "--filter", q, "--max", "4",
                           "--order-by", "metrics.`metrics/mAP50B` DESC", "--json", uri=U))
tap.eq([r["info"]["run_name"] for r in got or []], [r["info"]["run_name"] for r in want[:4]],
       "--all-experiments and --max")
rc, got, err = jout(mldeck("ls", "runs", "--experiment", "1", "--deleted", "--json", uri=U))
tap.eq([r["info"]["run_id"] for r in got or []],
       [r["info"]["run_id"] for r in fixture("runs_search_deleted_only.json")["runs"]],
       "--deleted lists the deleted run")
rc, out, err = mldeck("ls", "runs", "--experiment", "1", "--tsv", "--metric", "metrics/mAP50B",
                      "--param", "lr0", uri=U)
hdr = out.splitlines()[0].split("\t") if out else []
row5 = [l.split("\t") for l in out.splitlines() if l.startswith("train5\t")]
tap.ok(rc == 0 and hdr[-2:] == ["lr0", "metrics/mAP50B"] and row5 and row5[0][1] == "FAILED",
       "--tsv with extra param/metric columns", out[:300] + err)
rc, out, err = mldeck("ls", "runs", "--experiment", "1", uri=U)
tap.ok(rc == 0 and "train7" in out and "RUNNING" in out and "MAP50" in out,
       "ls runs table shows status and metric columns", out + err)

# ---- bad filters: clear error, nothing sent ----------------------------------
bad = [("metrics.metrics/mAP50B > 0.5", "must be backticked"),
       ("metrics.mAP50 >>> 0.5", "unknown comparator '>>>'"),
       ("foo.bar = 1", "unknown key type 'foo'"),
       ("params.imgsz = 640", "expected a quoted string"),
       ("params.a = 'x' OR params.b = 'y'", "OR is not supported")]
for expr, msg in bad:
    srv.clear()
    rc, out, err = mldeck("ls", "runs", "--experiment", "drone-detection-yolo11", "--filter",
                          expr, uri=U)
    tap.ok(rc == 2 and msg in err and "column" in err, "bad filter [%s]: exit 2, %s" % (expr, msg),
           err)
    tap.eq(len(srv.requests()), 0, "bad filter [%s]: no request sent" % expr)
srv.clear()
rc, out, err = mldeck("ls", "runs", "--experiment", "1", "--order-by", "metrics.`m` UP", uri=U)
tap.ok(rc == 2 and "order-by" in err and len(srv.requests()) == 0, "bad order-by: nothing sent", err)

# ---- errors from the server ------------------------------------------------------
rc, out, err = mldeck("ls", "runs", "--experiment", "no-such-experiment", uri=U)
tap.ok(rc == 3 and "no-such-experiment" in err, "unknown experiment: exit 3", err)
rc, out, err = mldeck("ls", "runs", uri=U)
tap.ok(rc == 2 and "--experiment" in err, "no experiment given: usage error", err)
rc, got, err = jout(mldeck("ls", "runs", "--json", uri=U, env={"MLFLOW_EXPERIMENT_NAME": "drone-detection-ablation"}))
tap.eq(len(got or []), 4, "MLFLOW_EXPERIMENT_NAME picks the experiment")
rc, out, err = mldeck("ls", "runs", "--experiment", "1", uri=U + "/nope")
tap.ok(rc == 1 and "404" in err and "not an MLflow REST endpoint" in err,
       "wrong URI prefix: Flask 404 explained", err)
rc, out, err = mldeck("ls", "experiments", uri="http://127.0.0.1:9")
tap.ok(rc == 1 and err.startswith("mldeck:"), "connection refused: exit 1", err)
rc, out, err = mldeck("ls", "experiments", uri="gopher://x")
tap.ok(rc != 0 and "unsupported MLflow tracking URI" in err, "unknown URI scheme", err)
rc, out, err = mldeck("ls", "widgets", uri=U)
tap.ok(rc == 2 and "unknown kind" in err, "ls unknown kind", err)

# ---- metrics ----------------------------------------------------------------------------
for name, run, key in (("metrics_get_history.json", "ae9d632f5d87465bacb36832a1a8582f",
                        "metrics/mAP50B"),
                       ("metrics_get_history_nan.json", "0d93fe22a2b54a379b84578a055d4bff",
                        "train/box_loss")):
    rc, got, err = jout(mldeck("metrics", run, key, "--json", uri=U))
    tap.ok(rc == 0 and got == fixture(name)["metrics"], "metrics --json = %s" % name, err)
rc, out, err = mldeck("metrics", "0d93fe22a2b54a379b84578a055d4bff", "train/box_loss", "--tsv",
                      uri=U)
tail = out.splitlines()[-1].split("\t") if out else []
tap.ok(rc == 0 and tail[0] == "22" and tail[2] == "NaN", "metrics --tsv shows NaN as NaN", out[-200:])
rc, out, err = mldeck("metrics", "ae9d632f5d87465bacb36832a1a8582f", "metrics/mAP50B", uri=U)
tap.ok(rc == 0 and "0.08695" in out and "T" in out.splitlines()[1], "metrics table", out[:200])
rc, out, err = mldeck("metrics", "onlyone", uri=U)
tap.eq(rc, 2, "metrics without a key: usage")
srv.stop()

# ---- auth ------------------------------------------------------------------------------
basic = Server("--fixtures", FIXTURES, "--auth", "basic:ayoub:s3cr3t:pw")
rc, out, err = mldeck("ls", "experiments", uri=basic.url)
tap.ok(rc == 4 and "401" in err and "not authenticated" in err, "basic server, no creds: exit 4",
       err)
both = {"MLFLOW_TRACKING_USERNAME": "ayoub", "MLFLOW_TRACKING_PASSWORD": "s3cr3t:pw",
        "MLFLOW_TRACKING_TOKEN": "dapi-test-token-123"}
basic.clear()
rc, out, err = mldeck("ls", "experiments", "--json", uri=basic.url, env=both)
wire = json.load(open(os.path.join(FIXTURES, "client_wire_both.json")))["requests"][0]["headers"]
seen = basic.requests()
tap.ok(rc == 0 and seen and seen[0]["headers"].get("Authorization") == wire["Authorization"],
       "token + user/password: Basic wins, the same header MLflow's client sends", err)
rc, out, err = mldeck("ls", "experiments", uri=basic.url,
                      env={"MLFLOW_TRACKING_USERNAME": "ayoub", "MLFLOW_TRACKING_PASSWORD": "nope"})
tap.eq(rc, 4, "wrong password: exit 4")
# a user without permission on experiment 1 (set up the way the auth fixtures did)
import base64  # noqa: E402
adm = {"Authorization": "Basic " + base64.b64encode(b"ayoub:s3cr3t:pw").decode()}
basic.call("POST", "/api/2.0/mlflow/users/create", body={"username": "mina",
                                                         "password": "mina-pass-1234"},
           headers=dict(adm, **{"Content-Type": "application/json"}))
basic.call("POST", "/api/2.0/mlflow/experiments/permissions/create",
           body={"experiment_id": "1", "username": "mina", "permission": "NO_PERMISSIONS"},
           headers=dict(adm, **{"Content-Type": "application/json"}))
mina = {"MLFLOW_TRACKING_USERNAME": "mina", "MLFLOW_TRACKING_PASSWORD": "mina-pass-1234"}
rc, out, err = mldeck("ls", "runs", "--experiment", "1", uri=basic.url, env=mina)
tap.ok(rc == 4 and "403" in err and "Permission denied" in err, "403 Permission denied: exit 4",
       err)
rc, got, err = jout(mldeck("ls", "runs", "--experiment", "2", "--json", uri=basic.url, env=mina))
tap.eq(len(got or []), 4, "the same user reads experiment 2")
basic.stop()
bearer = Server("--fixtures", FIXTURES, "--auth", "bearer:dapi-test-token-123")
bearer.clear()
rc, out, err = mldeck("ls", "experiments", uri=bearer.url,
                      env={"MLFLOW_TRACKING_TOKEN": "dapi-test-token-123"})
wire = json.load(open(os.path.join(FIXTURES, "client_wire_token.json")))["requests"][0]["headers"]
seen = bearer.requests()
tap.ok(rc == 0 and seen[0]["headers"].get("Authorization") == wire["Authorization"],
       "MLFLOW_TRACKING_TOKEN: Bearer header as MLflow's client", err)
rc, out, err = mldeck("ls", "experiments", uri=bearer.url, env={"MLFLOW_TRACKING_TOKEN": "bad"})
tap.ok(rc == 4 and "bearer" in err.lower(), "wrong token: exit 4", err)
bearer.stop()

# ---- faults --------------------------------------------------------------------------------
flt = Server("--fixtures", FIXTURES)
flt.fault(path="/api/2.0/mlflow/runs/search", status=503, times=2)
flt.clear()
rc, got, err = jout(mldeck("ls", "runs", "--experiment", "1", "--json", uri=flt.url))
n = len([r for r in flt.requests() if r["path"].endswith("runs/search")])
tap.ok(rc == 0 and len(got or []) == 8 and n == 3, "two 503s then success: retried (%d)" % n, err)
flt.fault(path="/api/2.0/mlflow/runs/search", drop=True, times=1)
rc, got, err = jout(mldeck("ls", "runs", "--experiment", "1", "--json", uri=flt.url))
tap.ok(rc == 0 and len(got or []) == 8, "dropped connection: retried", err)
flt.fault(path="/api/2.0/mlflow/runs/search", status=500, times=1)
rc, out, err = mldeck("ls", "runs", "--experiment", "1", uri=flt.url,
                      env={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
tap.ok(rc == 1 and "injected fault" in err and "500" in err, "no retries: the 500 is reported", err)
flt.fault(path="/api/2.0/mlflow/experiments/search", delay_ms=3000, times=1)
rc, out, err = mldeck("ls", "experiments", uri=flt.url,
                      env={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0", "MLFLOW_HTTP_REQUEST_TIMEOUT": "1"})
tap.ok(rc == 1 and err, "slow server past MLFLOW_HTTP_REQUEST_TIMEOUT: error", err)
flt.stop()

# ---- TLS ------------------------------------------------------------------------------------
cert, key = os.path.join(TMP, "cert.pem"), os.path.join(TMP, "key.pem")
try:
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                           "1", "-subj", "/CN=127.0.0.1", "-addext",
                           "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                          capture_output=True).returncode == 0
except OSError:
    made = False
if made:
    tls = Server("--fixtures", FIXTURES, "--tls", cert, key)
    https = "https://127.0.0.1:%d" % tls.port
    rc, out, err = mldeck("ls", "experiments", uri=https, env={"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0"})
    tap.ok(rc == 1 and err, "self-signed server: refused without its CA", err)
    rc, out, err = mldeck("ls", "experiments", uri=https,
                          env={"MLFLOW_TRACKING_SERVER_CERT_PATH": cert})
    tap.ok(rc == 0 and "drone-detection-yolo11" in out, "MLFLOW_TRACKING_SERVER_CERT_PATH", err)
    rc, out, err = mldeck("ls", "experiments", uri=https,
                          env={"MLFLOW_TRACKING_INSECURE_TLS": "true"})
    tap.ok(rc == 0 and "drone-detection-yolo11" in out, "MLFLOW_TRACKING_INSECURE_TLS=true", err)
    rc, out, err = mldeck("--insecure", "ls", "experiments", uri=https)
    tap.ok(rc == 0, "--insecure", err)
    tls.stop()
else:
    tap.ok(True, "# SKIP TLS: openssl could not make a certificate")

# ---- file store -------------------------------------------------------------------------------
rc, got, err = jout(mldeck("ls", "experiments", "--json", uri=MLRUNS))
names = sorted(e["name"] for e in got or [])
tap.eq(names, ["Default", "drone-detection-ablation", "drone-detection-yolo11"],
       "file store: ls experiments")
rc, got, err = jout(mldeck("ls", "runs", "--all-experiments", "--json", uri="file://" + MLRUNS))
dump = os.path.join(os.environ.get("MLDECK_BUILDDIR", "."), "tests", "mlflow", "mlruns_dump")
if os.access(dump, os.X_OK):
    d = json.loads(subprocess.run([dump, MLRUNS], capture_output=True, text=True).stdout)
    allruns = {r["info"]["run_id"]: r for rs in d["runs"].values() for r in rs}
    tap.ok(rc == 0 and got and all(allruns[r["info"]["run_id"]] == r for r in got) and
           len(got) == len(allruns), "file store: ls runs --json = the reader's Run objects", err)
starts = [r["info"]["start_time"] for r in got or []]
tap.ok(starts == sorted(starts, reverse=True), "file store: newest first, as the server orders")
rc, got, err = jout(mldeck("ls", "runs", "--all-experiments", "--filter",
                           "metrics.`metrics/mAP50B` > 0.5 and params.imgsz = '640'", "--json",
                           uri=MLRUNS))
ok = rc == 0 and got is not None
for r in got or []:
    m = {x["key"]: x["value"] for x in r["data"]["metrics"]}
    p = {x["key"]: x["value"] for x in r["data"]["params"]}
    ok = ok and isinstance(m.get("metrics/mAP50B"), float) and m["metrics/mAP50B"] > 0.5 and \
        p.get("imgsz") == "640"
tap.ok(ok and len(got or []) >= 1, "file store: filter evaluated locally (%d runs)" % len(got or []),
       err)
rid = (got or [{}])[0].get("info", {}).get("run_id", "")
rc, pts, err = jout(mldeck("metrics", rid, "metrics/mAP50B", "--json", uri=MLRUNS))
tap.ok(rc == 0 and pts and all(set(p) == {"key", "value", "timestamp", "step"} for p in pts),
       "file store: metrics --json in MLflow's Metric shape", err)
rc, got, err = jout(mldeck("ls", "registered-models", "--json", uri=MLRUNS))
tap.eq([m["name"] for m in got or []], ["drone-yolo11"], "file store: registered models")
rc, got, err = jout(mldeck("ls", "runs", "--all-experiments", "--json", "--page-size", "2",
                           uri=MLRUNS))
tap.eq(len(got or []), 4, "file store: local paging with page tokens")

# ---- registry over REST ------------------------------------------------------------------------
reg = Server("--fixtures", FIXTURES)
rc, got, err = jout(mldeck("ls", "registered-models", "--json", uri=reg.url))
tap.ok(rc == 0 and got == fixture("registered_models_search.json")["registered_models"],
       "ls registered-models --json", err)
rc, got, err = jout(mldeck("ls", "model-versions", "--model", "drone-yolo11", "--json",
                           "--page-size", "1", uri=reg.url))
tap.ok(rc == 0 and got == fixture("model_versions_search_max1_page1.json")["model_versions"] +
       fixture("model_versions_search_max1_page2.json")["model_versions"],
       "ls model-versions --model pages with max_results=1", err)
reg.stop()

# ---- SageMaker-managed tracking server ------------------------------------------------------------
sys.path.insert(0, os.path.join(SRCDIR, "tests", "awsfake"))
try:
    from fakelib import AKID, SECRET, Fake, shared_dir
    have_fake = shared_dir() is not None
except Exception as e:  # botocore missing
    have_fake = False
    print("# awsfake unavailable: %s" % e)
if have_fake:
    region = "us-east-1"
    arn = "arn:aws:sagemaker:%s:123456789012:mlflow-tracking-server/drone-mlflow" % region
    sm = Server("--fixtures", FIXTURES, "--auth", "sigv4:%s:%s" % (region, arn),
                "--creds", "%s:%s" % (AKID, SECRET))
    with Fake(seed={"region": region, "mlflow_tracking_servers": [
            {"name": "drone-mlflow", "url": sm.url}]}) as fake:
        awsenv = {"AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
                  "AWS_REGION": region}
        sm.clear()
        rc, got, err = jout(mldeck("--endpoint-url", fake.url, "ls", "runs", "--experiment",
                                   "drone-detection-yolo11", "--json", uri=arn, env=awsenv))
        tap.ok(rc == 0 and got == fixture("quirk_experiment_ids_string_200.json")["runs"],
               "SageMaker ARN: Describe -> TrackingServerUrl, SigV4-signed REST calls", err)
        seen = sm.requests()
        h = seen[0]["headers"] if seen else {}
        tap.ok(h.get("x-mlflow-sm-tracking-server-arn") == arn and
               "sagemaker-mlflow" in h.get("Authorization", "") and
               len(h.get("X-Amz-Content-SHA256", "")) == 64,
               "ARN header, sagemaker-mlflow signing name, payload hash", json.dumps(h))
        tap.eq(fake.count("sagemaker", "DescribeMlflowTrackingServer"), 1, "one Describe call")
        rc, out, err = mldeck("--endpoint-url", fake.url, "ls", "experiments", uri=arn,
                              env=dict(awsenv, AWS_SECRET_ACCESS_KEY="wrong"))
        tap.ok(rc == 4, "SageMaker: wrong secret refused (exit 4)", err)
        rc, out, err = mldeck("--endpoint-url", fake.url, "ls", "experiments",
                              uri=arn.replace("drone-mlflow", "nope"), env=awsenv)
        tap.ok(rc == 3 and "nope" in err, "SageMaker: unknown tracking server (exit 3)", err)
    sm.stop()
else:
    tap.ok(True, "# SKIP SageMaker path: awsfake/botocore models not available")

import shutil  # noqa: E402
shutil.rmtree(TMP, ignore_errors=True)
tap.done()
