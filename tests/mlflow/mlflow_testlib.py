"""Shared helpers for mldeck's MLflow tests: start the test MLflow server on a
free port (killed at exit), talk to it, print TAP."""

import atexit
import json
import os
import subprocess
import sys
import urllib.request

SRCDIR = os.environ.get("MLDECK_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("MLDECK_SHARED") or os.path.join(SRCDIR, "..", "shared")
FIXTURES = os.path.join(SHARED, "fixtures", "mlflow")
MLRUNS = os.path.join(SHARED, "fixtures", "mlruns")
SERVER = os.path.join(SRCDIR, "tests", "servers", "mlflow_server.py")


def need_fixtures():
    if not os.path.isfile(os.path.join(FIXTURES, "index.json")):
        print("1..0 # SKIP recorded fixtures not found (MLDECK_SHARED)")
        sys.exit(0)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen(["/usr/bin/python3", SERVER, "--port", "0"] + list(args),
                                     stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError("test server did not start: %r" % line)
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port
        atexit.register(self.stop)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def call(self, method, path, query="", body=None, headers=None):
        """-> (status, content_type, headers, bytes)"""
        url = self.url + path + ("?" + query if query else "")
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if data is not None and "Content-Type" not in (headers or {}):
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.headers.get("Content-Type"), r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.headers, e.read()

    def requests(self):
        return json.loads(self.call("GET", "/_test/requests")[3])

    def clear(self):
        self.call("DELETE", "/_test/requests")

    def fault(self, **rule):
        self.call("POST", "/_test/fault", body=rule)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond:
            self.failed += 1
            if diag:
                for line in str(diag).splitlines()[:40]:
                    print("#   " + line)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)
