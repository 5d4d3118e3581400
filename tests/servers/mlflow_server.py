#!/usr/bin/python3
"""A local MLflow 2.x tracking server for mldeck's tests (stdlib only).

It answers the REST API 2.0 read calls mldeck uses in exactly the shapes of
the requests/responses recorded from a real server in
../shared/fixtures/mlflow (those recordings are its acceptance tests, see
tests/mlflow/test_server_fixtures.py), from a state you fill:

  --seed FILE        a JSON state (see mlflow_state.py for its shape)
  --fixtures DIR     build the state from the recorded fixtures
  --synthetic N:P    add an experiment "scale" with N runs whose 14 metric
                     keys have P points each (histories made on demand)
  --mlruns DIR       (not needed: mldeck reads file stores itself)

Auth modes (--auth): none | bearer:TOKEN | basic:USER:PASS[,USER:PASS...]
(first user is admin) | sigv4:REGION:ARN with --creds AKID:SECRET[:TOKEN] (checks the SigV4 signature with
tests/servers/sigv4check.py, signing name sagemaker-mlflow, and the
x-mlflow-sm-tracking-server-arn header).

Test control (never behind auth), JSON:
  GET    /_test/requests         every request seen (method, path, query, headers, body)
  DELETE /_test/requests         forget them
  POST   /_test/fault            {"path": prefix, "status": 503, "times": 1,
                                  "delay_ms": 0, "drop": false}; for artifact
                                 downloads also "truncate": N (announce the
                                 full length, send N bytes, close),
                                 "garbage": true (the right length, wrong bytes) and
                                 "throttle_ms": T (1 MiB, then a T ms pause, ...)
  POST   /_test/state            replace the state with the body
--tls CERT KEY serves HTTPS.
Start: prints "PORT <n>" on stdout (use --port 0 for a free port).
"""

import argparse
import base64
import binascii
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlflow_search as S  # noqa: E402
import mlflow_state  # noqa: E402

VERSION = "2.17.3.dev0"
HTML_404 = ("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
            "<p>The requested URL was not found on the server. If you entered the URL manually "
            "please check your spelling and try again.</p>\n")
HTML_405 = ("<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n"
            "<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n")
UNAUTH = ("You are not authenticated. Please see "
          "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how "
          "to authenticate.")


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def bad(msg):
    return ApiError(400, "INVALID_PARAMETER_VALUE", msg)


def missing(name):
    return bad("Missing value for required parameter '%s'. See the API docs for more "
               "information about request parameters." % name)


def not_found(msg):
    return ApiError(404, "RESOURCE_DOES_NOT_EXIST", msg)


def type_hint(value, typ):
    shown = json.dumps(value) if isinstance(value, str) else str(value)
    return bad("Invalid value %s for parameter 'max_results' supplied:  Hint: Value was of "
               "type '%s'. See the API docs for more information about request parameters."
               % (shown, typ))


def make_token(offset):
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def read_token(tok):
    if not tok:
        return 0
    try:
        raw = base64.b64decode(tok, validate=True)
    except (binascii.Error, ValueError):
        raise bad("Invalid page token, could not base64-decode")
    try:
        d = json.loads(raw)
        off = int(d["offset"])
        if off < 0:
            raise ValueError
        return off
    except (ValueError, KeyError, TypeError):
        raise bad("Invalid page token, decoded value=%s" % raw.decode("utf-8", "replace"))


def page(items, offset, max_results, full_page_token=False):
    """runs/search hands out a token whenever a page is full (so the last one
    can lead to an empty page); the other searches only when more remain."""
    chunk = items[offset:offset + max_results]
    more = len(chunk) == max_results if full_page_token else offset + max_results < len(items)
    return chunk, make_token(offset + max_results) if more else None


def positive(value, limit, typ_from_get, *, at_most_msg):
    """max_results checks worded as the recorded server words them."""
    if isinstance(value, str):
        try:
            n = int(value)
        except ValueError:
            raise type_hint(value, "str")
    elif isinstance(value, bool) or not isinstance(value, int):
        raise type_hint(value, type(value).__name__)
    else:
        n = value
    if n <= 0:
        raise bad("Invalid value %d for parameter 'max_results' supplied. It must be a "
                  "positive integer" % n)
    if n > limit:
        if at_most_msg:
            raise bad("Invalid value %d for parameter 'max_results' supplied. It must be at "
                      "most %d" % (n, limit))
        raise type_hint(value, "str" if isinstance(value, str) else "int")
    return n


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def add(self, rule):
        with self.lock:
            self.rules.append(dict(rule, times=int(rule.get("times", 1))))

    def take(self, path):
        with self.lock:
            for r in self.rules:
                if path.startswith(r.get("path", "")) and r["times"] != 0:
                    r["times"] -= 1
                    return dict(r)
        return None


class App:
    def __init__(self, state, auth):
        self.state = state
        self.auth = auth
        self.faults = Faults()
        self.log = []
        self.log_lock = threading.Lock()
        self.lock = threading.Lock()

    # ---- routes: (method, path) -> handler(params) -> dict -------------
    def routes(self):
        p = "/api/2.0/mlflow/"
        return {
            p + "experiments/search": ({"GET", "POST"}, self.experiments_search),
            p + "experiments/get": ({"GET"}, self.experiments_get),
            p + "experiments/get-by-name": ({"GET"}, self.experiments_get_by_name),
            p + "runs/search": ({"POST"}, self.runs_search),
            p + "runs/get": ({"GET"}, self.runs_get),
            p + "runs/log-metric": ({"POST"}, self.runs_log_metric),
            p + "metrics/get-history": ({"GET"}, self.metrics_get_history),
            p + "metrics/get-history-bulk-interval": ({"GET"}, self.metrics_bulk_interval),
            "/ajax-api/2.0/mlflow/metrics/get-history-bulk": ({"GET"}, self.metrics_bulk),
            p + "registered-models/search": ({"GET"}, self.registered_models_search),
            p + "registered-models/get": ({"GET"}, self.registered_models_get),
            p + "registered-models/get-latest-versions": ({"GET", "POST"}, self.latest_versions),
            p + "registered-models/alias": ({"GET"}, self.alias_get),
            p + "model-versions/search": ({"GET"}, self.model_versions_search),
            p + "model-versions/get": ({"GET"}, self.model_versions_get),
            p + "model-versions/get-download-uri": ({"GET"}, self.download_uri),
            p + "artifacts/list": ({"GET"}, self.artifacts_list),
            "/api/2.0/mlflow-artifacts/artifacts": ({"GET"}, self.proxied_list),
            p + "users/create": ({"POST"}, self.users_create),
            p + "experiments/permissions/create": ({"POST"}, self.permissions_create),
        }

    # ---- experiments ------------------------------------------------------
    def experiments_search(self, q):
        if "max_results" not in q:
            raise bad("Invalid value 0 for parameter 'max_results' supplied. It must be a "
                      "positive integer")
        n = positive(q["max_results"], 50000, True, at_most_msg=True)
        view = q.get("view_type") or "ACTIVE_ONLY"
        try:
            clauses = S.parse_filter(q.get("filter"), "experiments")
            order = S.parse_order_by(_as_list(q.get("order_by")), "experiments")
        except S.SearchError as e:
            raise bad(str(e))
        offset = read_token(q.get("page_token"))
        exps = [e for e in self.state.experiments() if _view_ok(e["lifecycle_stage"], view)
                and S.experiment_matches(e, clauses)]
        exps = S.sort_experiments(exps, order)
        chunk, token = page(exps, offset, n)
        out = {}
        if chunk:
            out["experiments"] = chunk
        if token:
            out["next_page_token"] = token
        return out

    def experiments_get(self, q):
        eid = q.get("experiment_id")
        if not eid:
            raise missing("experiment_id")
        e = self.state.experiment(eid)
        if not e:
            raise not_found("No Experiment with id=%s exists" % eid)
        return {"experiment": e}

    def experiments_get_by_name(self, q):
        name = q.get("experiment_name")
        if not name:
            raise missing("experiment_name")
        for e in self.state.experiments():
            if e["name"] == name:
                return {"experiment": e}
        raise not_found("Could not find experiment with name '%s'" % name)

    # ---- runs -------------------------------------------------------------
    def runs_search(self, q):
        ids = q.get("experiment_ids") or []
        if isinstance(ids, str):
            ids = [ids]
        n = 1000
        if "max_results" in q:
            n = positive(q["max_results"], 50000, False, at_most_msg=False)
        try:
            clauses = S.parse_filter(q.get("filter"), "runs")
            order = S.parse_order_by(q.get("order_by") or [], "runs")
        except S.SearchError as e:
            raise bad(str(e))
        offset = read_token(q.get("page_token"))
        view = q.get("run_view_type") or "ACTIVE_ONLY"
        runs = [r for r in self.state.runs_of(ids) if _view_ok(r["info"]["lifecycle_stage"], view)
                and S.run_matches(r, clauses)]
        runs = S.sort_runs(runs, order)
        chunk, token = page(runs, offset, n, full_page_token=True)
        out = {}
        if chunk:
            out["runs"] = chunk
        if token:
            out["next_page_token"] = token
        return out

    def runs_get(self, q):
        rid = q.get("run_id") or q.get("run_uuid")
        if not rid:
            raise missing("run_id")
        r = self.state.run(rid)
        if not r:
            raise not_found("Run with id=%s not found" % rid)
        return {"run": r}

    def runs_log_metric(self, q):
        key = q.get("key") or ""
        ok = all(c.isalnum() or c in "_-. :/" for c in key)
        if not ok:
            raise bad('Invalid value "%s" for parameter \'name\' supplied: Names may only '
                      'contain alphanumerics, underscores (_), dashes (-), periods (.), spaces '
                      '( ), colon(:) and slashes (/).' % key)
        rid = q.get("run_id") or q.get("run_uuid")
        if not self.state.run(rid):
            raise not_found("Run with id=%s not found" % rid)
        self.state.log_metric(rid, key, q.get("value"), int(q.get("timestamp") or 0),
                              int(q.get("step") or 0))
        return {}

    # ---- metrics ----------------------------------------------------------
    def metrics_get_history(self, q):
        rid = q.get("run_id") or q.get("run_uuid")
        if not rid:
            raise missing("run_id")
        key = q.get("metric_key")
        if not key:
            raise missing("metric_key")
        pts = self.state.history(rid, key)
        # This server version ignores max_results / page_token: all points, no token.
        return {"metrics": pts} if pts else {}

    def _sampled(self, run_ids, key, start, end, n):
        per_run = {rid: [p for p in self.state.history(rid, key)
                         if (start is None or p["step"] >= start) and (end is None or p["step"] <= end)]
                   for rid in run_ids}
        steps = sorted({p["step"] for pts in per_run.values() for p in pts})
        if len(steps) > n:
            stride = max(1, len(steps) // n)
            keep = set(steps[::stride][:n])
            for pts in per_run.values():
                if pts:
                    keep.add(max(p["step"] for p in pts))
        else:
            keep = set(steps)
        out = []
        for rid in run_ids:
            for p in per_run[rid]:
                if p["step"] in keep:
                    out.append(dict(p, run_id=rid))
        return out

    def metrics_bulk_interval(self, q):
        ids = _as_list(q.get("run_ids"))
        if not ids:
            raise missing("run_ids")
        key = q.get("metric_key")
        if not key:
            raise missing("metric_key")
        n = int(q.get("max_results") or 2500)
        if n < 1 or n > 2500:
            raise bad("max_results must be between 1 and 2500. See the API docs for more "
                      "information about request parameters.")
        s = q.get("start_step")
        e = q.get("end_step")
        pts = self._sampled(ids, key, int(s) if s is not None else None,
                            int(e) if e is not None else None, n)
        return {"metrics": pts} if pts else {}

    def metrics_bulk(self, q):
        ids = _as_list(q.get("run_id"))
        key = q.get("metric_key")
        n = int(q.get("max_results") or 25000)
        out = []
        for rid in ids:
            for p in self.state.history(rid, key)[:n]:
                out.append({"key": p["key"], "run_id": rid, "step": p["step"],
                            "timestamp": p["timestamp"], "value": p["value"]})
        return {"metrics": out} if out else {}

    # ---- registry ---------------------------------------------------------
    def registered_models_search(self, q):
        n = 100
        if "max_results" in q:
            n = positive(q["max_results"], 1000, True, at_most_msg=False)
        try:
            clauses = S.parse_filter(q.get("filter"), "models")
        except S.SearchError as e:
            raise bad(str(e))
        offset = read_token(q.get("page_token"))
        models = []
        for m in sorted(self.state.models(), key=lambda m: m["name"]):
            if all(S.compare(op, m.get(k) if et == "attribute" else S._kv(m.get("tags"), k), v)
                   for et, k, op, v in clauses):
                models.append(self.state.model_view(m))
        chunk, token = page(models, offset, n)
        out = {}
        if chunk:
            out["registered_models"] = chunk
        if token:
            out["next_page_token"] = token
        return out

    def registered_models_get(self, q):
        name = q.get("name")
        if not name:
            raise missing("name")
        m = self.state.model(name)
        if not m:
            raise not_found("Registered Model with name=%s not found" % name)
        return {"registered_model": self.state.model_view(m)}

    def latest_versions(self, q):
        name = q.get("name")
        if not name:
            raise missing("name")
        m = self.state.model(name)
        if not m:
            raise not_found("Registered Model with name=%s not found" % name)
        return {"model_versions": self.state.model_view(m).get("latest_versions", [])}

    def alias_get(self, q):
        name, alias = q.get("name"), q.get("alias")
        if not name:
            raise missing("name")
        if not alias:
            raise missing("alias")
        for v in self.state.versions(name):
            if alias in v.get("aliases", []):
                return {"model_version": v}
        raise not_found("Registered model alias %s not found." % alias)

    def model_versions_search(self, q):
        n = 200000
        if "max_results" in q:
            n = positive(q["max_results"], 200000, True, at_most_msg=False)
        try:
            clauses = S.parse_filter(q.get("filter"), "models")
        except S.SearchError as e:
            raise bad(str(e))
        offset = read_token(q.get("page_token"))
        vs = []
        for v in self.state.all_versions():
            if all(S.compare(op, v.get(k) if et == "attribute" else S._kv(v.get("tags"), k), val)
                   for et, k, op, val in clauses):
                vs.append({k: x for k, x in v.items() if k != "aliases"})
        vs.sort(key=lambda v: (v["name"], -int(v["version"])))
        chunk, token = page(vs, offset, n)
        out = {}
        if chunk:
            out["model_versions"] = chunk
        if token:
            out["next_page_token"] = token
        return out

    def model_versions_get(self, q):
        name, ver = q.get("name"), q.get("version")
        if not name:
            raise missing("name")
        if not ver:
            raise missing("version")
        for v in self.state.versions(name):
            if v["version"] == str(ver):
                return {"model_version": v}
        raise not_found("Model Version (name=%s, version=%s) not found" % (name, ver))

    def download_uri(self, q):
        r = self.model_versions_get(q)["model_version"]
        return {"artifact_uri": self.state.download_uri(r)}

    # ---- artifacts --------------------------------------------------------
    def artifacts_list(self, q):
        rid = q.get("run_id") or q.get("run_uuid")
        if not rid:
            raise missing("run_id")
        r = self.state.run(rid)
        if not r:
            raise not_found("Run with id=%s not found" % rid)
        out = {"root_uri": r["info"]["artifact_uri"]}
        files = self.state.artifacts(rid, q.get("path") or "")
        if files:
            out["files"] = files
        return out

    def proxied_list(self, q):
        path = q.get("path") or ""
        parts = path.split("/")
        if len(parts) >= 3 and parts[2] == "artifacts":
            files = self.state.artifacts(parts[1], "/".join(parts[3:]))
            if files:
                # the proxied service answers with names, not run-relative paths
                return {"files": [dict(f, path=f["path"].rsplit("/", 1)[-1]) for f in files]}
        return {}

    # ---- basic-auth admin -------------------------------------------------
    def users_create(self, q):
        if not isinstance(self.auth, BasicAuth):
            raise ApiError(404, "ENDPOINT_NOT_FOUND", "not an auth server")
        u = self.auth.create(q.get("username"), q.get("password"))
        return {"user": u}

    def permissions_create(self, q):
        if not isinstance(self.auth, BasicAuth):
            raise ApiError(404, "ENDPOINT_NOT_FOUND", "not an auth server")
        return {"experiment_permission": self.auth.grant(q.get("username"),
                                                          str(q.get("experiment_id")),
                                                          q.get("permission"))}


def _as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def _view_ok(stage, view):
    if view == "ALL":
        return True
    if view == "DELETED_ONLY":
        return stage == "deleted"
    return stage == "active"


# ---- auth -----------------------------------------------------------------
class NoAuth:
    def check(self, handler, path, params, body):
        return None


class BearerAuth:
    def __init__(self, token):
        self.token = token

    def check(self, handler, path, params, body):
        if handler.headers.get("Authorization") == "Bearer " + self.token:
            return None
        return (401, "application/json", {"WWW-Authenticate": "Bearer"},
                json.dumps({"error_code": "UNAUTHENTICATED",
                            "message": "Invalid or missing bearer token"}).encode())


class BasicAuth:
    def __init__(self, users, state):
        self.users = {}     # name -> {"password", "is_admin", "id"}
        self.denied = {}    # (name, experiment_id) -> permission
        self.state = state
        for i, (u, pw) in enumerate(users):
            self.users[u] = {"password": pw, "is_admin": i == 0, "id": i + 1}

    def create(self, name, pw):
        self.users[name] = {"password": pw, "is_admin": False, "id": len(self.users) + 1}
        return {"experiment_permissions": [], "id": self.users[name]["id"], "is_admin": False,
                "registered_model_permissions": [], "username": name}

    def grant(self, name, eid, perm):
        self.denied[(name, eid)] = perm
        return {"experiment_id": eid, "permission": perm, "user_id": self.users[name]["id"]}

    def check(self, handler, path, params, body):
        hdr = handler.headers.get("Authorization") or ""
        user = None
        if hdr.startswith("Basic "):
            try:
                name, _, pw = base64.b64decode(hdr[6:]).decode().partition(":")
                if name in self.users and self.users[name]["password"] == pw:
                    user = name
            except (binascii.Error, UnicodeDecodeError):
                pass
        if user is None:
            return (401, "text/html; charset=utf-8", {"WWW-Authenticate": 'Basic realm="mlflow"'},
                    UNAUTH.encode())
        if self.users[user]["is_admin"]:
            return None
        for eid in self._experiments_touched(path, params):
            if self.denied.get((user, eid)) == "NO_PERMISSIONS":
                return (403, "text/html; charset=utf-8", {}, b"Permission denied")
        if path.endswith(("users/create", "permissions/create")):
            return (403, "text/html; charset=utf-8", {}, b"Permission denied")
        return None

    def _experiments_touched(self, path, params):
        out = []
        if params.get("experiment_id"):
            out.append(str(params["experiment_id"]))
        out += [str(x) for x in _as_list(params.get("experiment_ids"))]
        rid = params.get("run_id") or params.get("run_uuid")
        if rid:
            r = self.state.run(rid)
            if r:
                out.append(r["info"]["experiment_id"])
        if params.get("experiment_name"):
            for e in self.state.experiments():
                if e["name"] == params["experiment_name"]:
                    out.append(e["experiment_id"])
        return out


class SigV4Auth:
    """SageMaker-managed MLflow: SigV4 under the signing name sagemaker-mlflow,
    with the tracking server's ARN in x-mlflow-sm-tracking-server-arn and the
    payload hash in X-Amz-Content-SHA256 (checked by sigv4check.py)."""

    def __init__(self, region, arn, keys):
        import sigv4check  # tests/servers/sigv4check.py (botocore's signer)
        self.region, self.arn, self.keys, self.mod = region, arn, keys, sigv4check

    def check(self, handler, path, params, body):
        import hashlib

        def deny(status, code, msg):
            return (status, "application/json", {},
                    json.dumps({"__type": code, "message": msg}).encode())
        if handler.headers.get("x-mlflow-sm-tracking-server-arn") != self.arn:
            return deny(403, "AccessDeniedException",
                        "missing or wrong x-mlflow-sm-tracking-server-arn header")
        if handler.headers.get("X-Amz-Content-SHA256") != hashlib.sha256(body or b"").hexdigest():
            return deny(400, "InvalidSignatureException",
                        "X-Amz-Content-SHA256 does not match the payload")
        res = self.mod.verify(handler.command, handler.path, list(handler.headers.items()),
                              body or b"", self.keys, protocol="json")
        if not res.ok:
            return deny(res.status, res.code, res.message)
        if res.service != "sagemaker-mlflow" or res.region != self.region:
            return deny(403, "InvalidSignatureException",
                        "signed for %s/%s, not sagemaker-mlflow/%s" % (res.service, res.region,
                                                                      self.region))
        return None


# ---- HTTP -------------------------------------------------------------------
def make_handler(app):
    routes = app.routes()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "mlflow-test"

        def log_message(self, fmt, *args):
            pass

        def setup(self):
            super().setup()
            # one segment per reply, no Nagle wait between headers and body
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _send(self, status, ctype, body, extra=None):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self._headers_buffer.append(b"\r\n")
            if self.command != "HEAD":
                self._headers_buffer.append(body)
            self.flush_headers()

        def _json(self, status, obj):
            self._send(status, "application/json", json.dumps(obj).encode())

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _handle(self):
            url = urllib.parse.urlsplit(self.path)
            path = url.path
            body = self._body()
            if path.startswith("/_test/"):
                return self._control(path, body)
            with app.log_lock:
                app.log.append({"method": self.command, "path": path, "query_string": url.query,
                                "headers": {k: v for k, v in self.headers.items()},
                                "body": body.decode("utf-8", "replace")})
            fault = app.faults.take(path)
            body_fault = None
            if fault and (fault.get("truncate") is not None or fault.get("garbage") or
                          fault.get("throttle_ms")):
                body_fault, fault = fault, None
            if fault:
                if fault.get("delay_ms"):
                    time.sleep(fault["delay_ms"] / 1000.0)
                if fault.get("drop"):
                    self.close_connection = True
                    try:
                        self.connection.shutdown(2)
                    except OSError:
                        pass
                    return
                if fault.get("status"):
                    return self._json(int(fault["status"]),
                                      {"error_code": "TEMPORARILY_UNAVAILABLE",
                                       "message": "injected fault"})
            q = {}
            for k, vs in urllib.parse.parse_qs(url.query, keep_blank_values=True).items():
                q[k] = vs if len(vs) > 1 or k == "run_ids" else vs[0]
            if self.command == "POST":
                try:
                    parsed = json.loads(body) if body else {}
                    if isinstance(parsed, dict):
                        q.update(parsed)
                except ValueError:
                    pass   # the recorded server treats a malformed body as {}
            problem = app.auth.check(self, path, q, body)
            if problem:
                status, ctype, extra, payload = problem
                return self._send(status, ctype, payload, extra)
            if path == "/health":
                return self._send(200, "text/html; charset=utf-8", b"OK")
            if path == "/version":
                return self._send(200, "text/html; charset=utf-8", VERSION.encode())
            if path == "/get-artifact" or path.startswith("/api/2.0/mlflow-artifacts/artifacts/"):
                return self._artifact(path, q, body_fault)
            route = routes.get(path)
            if not route:
                return self._send(404, "text/html; charset=utf-8", HTML_404.encode())
            methods, fn = route
            if self.command not in methods:
                return self._send(405, "text/html; charset=utf-8", HTML_405.encode(),
                                  {"Allow": ", ".join(sorted(methods | {"OPTIONS"}))})
            try:
                with app.lock:
                    out = fn(q)
            except ApiError as e:
                return self._json(e.status, {"error_code": e.code, "message": e.message})
            self._json(200, out)

        def _artifact(self, path, q, body_fault=None):
            if path == "/get-artifact":
                rid, rel = q.get("run_uuid") or q.get("run_id"), q.get("path")
            else:
                parts = path[len("/api/2.0/mlflow-artifacts/artifacts/"):].split("/")
                rid, rel = (parts[1], "/".join(parts[3:])) if len(parts) > 3 else (None, None)
            blob = app.state.artifact_content(rid, rel)
            if blob is None:
                return self._json(404, {"error_code": "RESOURCE_DOES_NOT_EXIST",
                                        "message": "File %s not found" % rel})
            ctype, data = blob
            if body_fault and body_fault.get("garbage"):
                data = bytes((i * 131 + 7) & 0xFF for i in range(len(data)))
            if body_fault and body_fault.get("truncate") is not None:
                n = int(body_fault["truncate"])
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:n])
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if body_fault and body_fault.get("throttle_ms"):
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                for i in range(0, len(data), 1 << 20):
                    self.wfile.write(data[i:i + (1 << 20)])
                    self.wfile.flush()
                    time.sleep(body_fault["throttle_ms"] / 1000.0)
                return
            self._send(200, ctype, data)

        def _control(self, path, body):
            if path == "/_test/requests" and self.command == "GET":
                with app.log_lock:
                    return self._json(200, app.log)
            if path == "/_test/requests" and self.command == "DELETE":
                with app.log_lock:
                    app.log.clear()
                return self._json(200, {})
            if path == "/_test/fault" and self.command == "POST":
                app.faults.add(json.loads(body or b"{}"))
                return self._json(200, {})
            if path == "/_test/state" and self.command == "POST":
                with app.lock:
                    app.state = mlflow_state.State(json.loads(body))
                return self._json(200, {})
            return self._send(404, "text/html; charset=utf-8", HTML_404.encode())

        def do_GET(self):
            self._handle()

        def do_POST(self):
            self._handle()

        def do_DELETE(self):
            self._handle()

        def do_PATCH(self):
            self._handle()

        def do_PUT(self):   # logged like the rest (a misdirected client shows up)
            self._handle()

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--seed")
    ap.add_argument("--fixtures")
    ap.add_argument("--synthetic", help="RUNS:POINTS, an experiment 'scale'")
    ap.add_argument("--auth", default="none")
    ap.add_argument("--creds", help="sigv4: ACCESS_KEY:SECRET[:TOKEN]")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS")
    args = ap.parse_args()

    seed = {}
    if args.fixtures:
        seed = mlflow_state.seed_from_fixtures(args.fixtures)
    if args.seed:
        with open(args.seed) as f:
            seed = mlflow_state.merge(seed, json.load(f))
    state = mlflow_state.State(seed)
    if args.synthetic:
        nruns, npoints = (int(x) for x in args.synthetic.split(":"))
        state.add_synthetic("scale", nruns, npoints)

    mode, _, rest = args.auth.partition(":")
    if mode == "none":
        auth = NoAuth()
    elif mode == "bearer":
        auth = BearerAuth(rest)
    elif mode == "basic":
        users = [tuple(u.split(":", 1)) for u in rest.split(",")]
        auth = BasicAuth(users, state)
    elif mode == "sigv4":
        region, _, arn = rest.partition(":")
        ak, sk, tok = ((args.creds or "AKIDEXAMPLE:secret").split(":") + [""])[:3]
        auth = SigV4Auth(region, arn, {ak: (sk, tok) if tok else sk})
    else:
        sys.exit("unknown --auth mode %s" % mode)

    app = App(state, auth)
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(app))
    srv.daemon_threads = True
    if args.tls:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
