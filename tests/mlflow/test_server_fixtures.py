"""Acceptance test of the test MLflow server: replays every recorded request
in ../shared/fixtures/mlflow against tests/servers/mlflow_server.py loaded
with the state the recordings reveal, and compares status, content type and
body (JSON by value, text byte for byte).  metrics/get-history-bulk-interval
samples with an algorithm we only approximate: for it the reply's shape and
the recorded points it returns are compared, not the sample choice."""

import json
import os
import urllib.parse

from mlflow_testlib import FIXTURES, Server, Tap, need_fixtures

need_fixtures()
tap = Tap()
idx = json.load(open(os.path.join(FIXTURES, "index.json")))


def replay(srv, entry, with_headers=False):
    x = json.load(open(os.path.join(FIXTURES, entry["file"])))
    req = x["request"]
    qs = req.get("query_string")
    if qs is None:
        qs = urllib.parse.urlencode(req.get("query") or {}, doseq=True)
    body = req.get("body")
    if isinstance(body, str):
        body = body.encode()
    headers = dict(req.get("headers") or {}) if with_headers else {}
    st, ctype, _, data = srv.call(req["method"], req["path"], qs, body, headers)
    name = entry["file"]
    tap.eq(st, x["status"], "%s: status" % name)
    want_ct = (x.get("response_content_type") or "").split(";")[0]
    tap.eq((ctype or "").split(";")[0], want_ct, "%s: content type" % name)
    want = x["response"]
    if want_ct == "application/json" and not isinstance(want, str):
        try:
            got = json.loads(data)
        except ValueError:
            return tap.ok(False, "%s: body is JSON" % name, data[:200])
        if "bulk-interval" in req["path"]:
            ok = set(got) == set(want) and all(
                m in want["metrics"] for m in got.get("metrics", []) if
                any(w["run_id"] == m["run_id"] and w["step"] == m["step"] for w in want["metrics"]))
            return tap.ok(ok, "%s: body shape and points" % name, json.dumps(got)[:300])
        tap.ok(got == want, "%s: body" % name,
               "got:  %s\nwant: %s" % (json.dumps(got)[:600], json.dumps(want)[:600]))
    else:
        text = want if isinstance(want, str) else json.dumps(want)
        if want_ct == "application/json":
            tap.eq(json.loads(data), json.loads(text), "%s: body" % name)
        else:
            tap.eq(data.decode("utf-8", "replace"), text, "%s: body" % name)
    return x


srv = Server("--fixtures", FIXTURES)
for e in idx["files"]:
    replay(srv, e)
srv.stop()

# The basic-auth app: admin password and the user's from the recorded headers.
auth = Server("--fixtures", FIXTURES, "--auth", "basic:admin:password1234")
for e in idx["auth_files"]:
    x = replay(auth, e, with_headers=True)
    if "response_headers" in x and "WWW-Authenticate" in x["response_headers"]:
        _, _, hdrs, _ = auth.call(x["request"]["method"], x["request"]["path"],
                                  urllib.parse.urlencode(x["request"]["query"]), None,
                                  x["request"].get("headers") or {})
        tap.eq(hdrs.get("WWW-Authenticate"), x["response_headers"]["WWW-Authenticate"],
               "%s: WWW-Authenticate" % e["file"])
auth.stop()
tap.done()
