"""Local stand-in for the AWS credential endpoints mldeck talks to, on one
127.0.0.1 port (stdlib http.server; /usr/bin/python3 for Debian's botocore):

* EC2 instance metadata, IMDSv2: PUT /latest/api/token (TTL header required,
  1..21600), GET /latest/meta-data/iam/security-credentials/[ROLE] and
  /latest/meta-data/placement/region with the token; IMDSv1 (no token) is
  refused unless --imds-v1.
* ECS/EKS container credentials: GET /container/creds (any path under
  /container/), Authorization must equal --container-token when given.
* STS (query protocol, POST /): AssumeRole, AssumeRoleWithWebIdentity,
  GetCallerIdentity.  Every request is validated against the official model
  in aws-models/sts (botocore.validate) and signed requests are checked with
  sigv4check.py (a wrong secret, token or signature gets 403
  SignatureDoesNotMatch / InvalidClientTokenId, as AWS answers).  AssumeRole
  issues fresh temporary keys that are then accepted too.
  A role named --mfa-role needs SerialNumber + TokenCode (--mfa-serial,
  --mfa-code); an ExternalId, when sent, must equal --external-id.
* SSO portal: GET /federation/credentials?role_name=&account_id= with the
  x-amz-sso_bearer_token header equal to --sso-token.

Issued credentials expire --expires seconds from now.  GET /_counts returns
{"imds_token":n, "imds_creds":n, "container":n, "AssumeRole":n, ...} and
GET /_requests the last STS requests (action, params without secrets,
access key, region).

Start: /usr/bin/python3 creds_server.py [options]; the first line on stdout
is "PORT <n>".  It exits when stdin closes (the test ends) or on SIGTERM.
"""
import argparse
import datetime
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4check  # noqa: E402

import botocore.model  # noqa: E402
import botocore.validate  # noqa: E402

ACCOUNT = "123456789012"
BASE_KEYS = {
    # access key -> (secret, token or None, identity ARN)
    "AKIDBASEEXAMPLE": ("base/secret/EXAMPLEKEY", None, "arn:aws:iam::%s:user/alice" % ACCOUNT),
    "AKIDSOURCE2": ("source2-secret", None, "arn:aws:iam::%s:user/bob" % ACCOUNT),
}


def load_sts_model(shared):
    path = os.path.join(shared, "aws-models", "sts", "service-2.json")
    with open(path) as f:
        return botocore.model.ServiceModel(json.load(f), service_name="sts")


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class State(object):
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.counts = {}
        self.requests = []
        self.keys = dict(BASE_KEYS)
        self.imds_tokens = set()
        self.sts = load_sts_model(args.shared)

    def count(self, name):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def issue(self, arn):
        """New temporary credentials (access key, secret, token, expiration)."""
        akid = "ASIA" + uuid.uuid4().hex[:16].upper()
        secret = uuid.uuid4().hex + "/+" + uuid.uuid4().hex[:8]
        token = "TOKEN" + uuid.uuid4().hex + "//" + uuid.uuid4().hex
        exp = datetime.datetime.utcnow() + datetime.timedelta(seconds=self.args.expires)
        with self.lock:
            self.keys[akid] = (secret, token, arn)
        return akid, secret, token, exp


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "creds-server/1"

    def log_message(self, fmt, *a):  # quiet
        pass

    @property
    def st(self):
        return self.server.state

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, ctype="application/json", extra=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # ---- routing -------------------------------------------------------
    def do_PUT(self):
        self.body()
        if self.path == "/latest/api/token":
            return self.imds_token()
        self.reply(404, "{}")

    def do_GET(self):
        u = urlsplit(self.path)
        if u.path == "/_counts":
            with self.st.lock:
                return self.reply(200, json.dumps(self.st.counts))
        if u.path == "/_requests":
            with self.st.lock:
                return self.reply(200, json.dumps(self.st.requests))
        if u.path.startswith("/latest/meta-data/"):
            return self.imds_get(u.path)
        if u.path.startswith("/container/"):
            return self.container()
        if u.path == "/federation/credentials":
            return self.sso(parse_qs(u.query))
        self.reply(404, "{}")

    def do_POST(self):
        body = self.body()
        if self.path.split("?")[0] == "/":
            return self.sts_call(body)
        self.reply(404, "{}")

    # ---- IMDS ------------------------------------------------------------
    def imds_token(self):
        self.st.count("imds_token")
        if self.st.args.imds_no_token:
            return self.reply(403, "", "text/plain")   # IMDSv2 switched off
        ttl = self.headers.get("x-aws-ec2-metadata-token-ttl-seconds")
        try:
            ttl_ok = ttl is not None and 1 <= int(ttl) <= 21600
        except ValueError:
            ttl_ok = False
        if not ttl_ok:
            return self.reply(400, "missing or bad x-aws-ec2-metadata-token-ttl-seconds",
                              "text/plain")
        tok = "IMDSTOKEN-" + uuid.uuid4().hex
        with self.st.lock:
            self.st.imds_tokens.add(tok)
        self.reply(200, tok, "text/plain", {"x-aws-ec2-metadata-token-ttl-seconds": ttl})

    def imds_get(self, path):
        tok = self.headers.get("x-aws-ec2-metadata-token")
        if tok is None and not self.st.args.imds_v1:
            return self.reply(401, "", "text/plain")
        if tok is not None and tok not in self.st.imds_tokens:
            return self.reply(401, "", "text/plain")
        role = self.st.args.imds_role
        prefix = "/latest/meta-data/iam/security-credentials/"
        if path == "/latest/meta-data/placement/region":
            return self.reply(200, self.st.args.imds_region, "text/plain")
        if path == prefix:
            if not role:
                return self.reply(404, "", "text/plain")
            return self.reply(200, role + "\n", "text/plain")
        if path == prefix + role and role:
            self.st.count("imds_creds")
            akid, secret, token, exp = self.st.issue(
                "arn:aws:sts::%s:assumed-role/%s/i-0123456789abcdef0" % (ACCOUNT, role))
            now = datetime.datetime.utcnow()
            return self.reply(200, json.dumps({
                "Code": "Success", "LastUpdated": iso(now), "Type": "AWS-HMAC",
                "AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
                "Expiration": iso(exp)}, indent=2), "text/plain")
        self.reply(404, "", "text/plain")

    # ---- container ---------------------------------------------------------
    def container(self):
        self.st.count("container")
        want = self.st.args.container_token
        if want and self.headers.get("Authorization") != want:
            return self.reply(401, json.dumps({"code": "AccessDenied"}))
        akid, secret, token, exp = self.st.issue(
            "arn:aws:sts::%s:assumed-role/task-role/task" % ACCOUNT)
        self.reply(200, json.dumps({
            "RoleArn": "arn:aws:iam::%s:role/task-role" % ACCOUNT,
            "AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
            "Expiration": iso(exp)}))

    # ---- SSO ----------------------------------------------------------------
    def sso(self, q):
        self.st.count("sso")
        if self.headers.get("x-amz-sso_bearer_token") != self.st.args.sso_token:
            return self.reply(401, json.dumps({"message": "Session token not found or invalid"}),
                              extra={"x-amzn-ErrorType": "UnauthorizedException"})
        role = (q.get("role_name") or [""])[0]
        acct = (q.get("account_id") or [""])[0]
        if not role or not acct:
            return self.reply(400, json.dumps({"message": "role_name and account_id required"}),
                              extra={"x-amzn-ErrorType": "InvalidRequestException"})
        akid, secret, token, exp = self.st.issue(
            "arn:aws:sts::%s:assumed-role/AWSReservedSSO_%s_0123/alice" % (acct, role))
        ms = int((exp - datetime.datetime(1970, 1, 1)).total_seconds() * 1000)
        self.reply(200, json.dumps({"roleCredentials": {
            "accessKeyId": akid, "secretAccessKey": secret, "sessionToken": token,
            "expiration": ms}}))

    # ---- STS ------------------------------------------------------------------
    def sts_error(self, status, code, message):
        body = ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
                '<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>'
                '<RequestId>%s</RequestId></ErrorResponse>' % (
                    escape(code), escape(message), uuid.uuid4()))
        self.reply(status, body, "text/xml")

    def sts_call(self, body):
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return self.sts_error(400, "InvalidParameterValue", "form body expected")
        form = parse_qs(body.decode(), keep_blank_values=True)
        params = {k: v[0] for k, v in form.items()}
        action = params.pop("Action", "")
        version = params.pop("Version", "")
        if version != "2011-06-15":
            return self.sts_error(400, "InvalidParameterValue", "bad Version %r" % version)
        try:
            op = self.st.sts.operation_model(action)
        except Exception:
            return self.sts_error(400, "InvalidAction", "unknown action %r" % action)
        shape = op.input_shape
        typed = {}
        for k, v in params.items():
            member = shape.members.get(k) if shape else None
            if member is None:
                return self.sts_error(400, "InvalidParameterValue", "unknown parameter %s" % k)
            typed[k] = int(v) if member.type_name == "integer" else v
        report = botocore.validate.ParamValidator().validate(typed, shape) if shape else None
        if report is not None and report.has_errors():
            return self.sts_error(400, "ValidationError", report.generate_report())

        signed = op.auth_type != "none" and action != "AssumeRoleWithWebIdentity"
        akid = ""
        region = ""
        if signed:
            with self.st.lock:
                keys = {k: (v[0], v[1]) if v[1] else v[0] for k, v in self.st.keys.items()}
            res = sigv4check.verify(self.command, self.path, list(self.headers.items()), body,
                                    keys, protocol="query")
            if not res.ok:
                self.st.count("sts_refused")
                return self.sts_error(res.status, res.code, res.message)
            if res.service != "sts":
                return self.sts_error(403, "SignatureDoesNotMatch",
                                      "credential scope service %r is not sts" % res.service)
            akid, region = res.access_key, res.region
        self.st.count(action)
        safe = {k: v for k, v in typed.items() if k not in ("WebIdentityToken", "TokenCode")}
        if "TokenCode" in typed:
            safe["TokenCode"] = "<given>"
        with self.st.lock:
            self.st.requests.append({"action": action, "params": safe, "access_key": akid,
                                     "region": region})
        return getattr(self, "sts_" + action, self.sts_unsupported)(typed, akid)

    def sts_unsupported(self, p, akid):
        self.sts_error(400, "InvalidAction", "not implemented by the test server")

    def creds_xml(self, akid, secret, token, exp):
        return ("<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>" % (
                    akid, escape(secret), escape(token), iso(exp)))

    def sts_AssumeRole(self, p, akid):
        args = self.st.args
        role = p["RoleArn"].rsplit("/", 1)[-1]
        if args.external_id and "ExternalId" in p and p["ExternalId"] != args.external_id:
            return self.sts_error(403, "AccessDenied", "ExternalId does not match")
        if args.mfa_serial and role == args.mfa_role:
            if p.get("SerialNumber") != args.mfa_serial or p.get("TokenCode") != args.mfa_code:
                return self.sts_error(403, "AccessDenied", "MultiFactorAuthentication failed")
        role = p["RoleArn"].rsplit("/", 1)[-1]
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role, p["RoleSessionName"])
        akid2, secret, token, exp = self.st.issue(arn)
        body = ('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                '<AssumeRoleResult><SourceIdentity/>%s<AssumedRoleUser><AssumedRoleId>'
                'AROAEXAMPLE:%s</AssumedRoleId><Arn>%s</Arn></AssumedRoleUser>'
                '<PackedPolicySize>0</PackedPolicySize></AssumeRoleResult>'
                '<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>'
                '</AssumeRoleResponse>' % (self.creds_xml(akid2, secret, token, exp),
                                           escape(p["RoleSessionName"]), escape(arn),
                                           uuid.uuid4()))
        self.reply(200, body, "text/xml")

    def sts_AssumeRoleWithWebIdentity(self, p, akid):
        want = self.st.args.web_token
        if want and p.get("WebIdentityToken") != want:
            return self.sts_error(400, "InvalidIdentityToken", "token not recognised")
        if "Authorization" in self.headers:
            return self.sts_error(400, "InvalidParameterValue", "this call is not signed")
        role = p["RoleArn"].rsplit("/", 1)[-1]
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role, p["RoleSessionName"])
        akid2, secret, token, exp = self.st.issue(arn)
        body = ('<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/'
                '2011-06-15/"><AssumeRoleWithWebIdentityResult>'
                '<SubjectFromWebIdentityToken>system:serviceaccount:ml:runner'
                '</SubjectFromWebIdentityToken>%s<AssumedRoleUser><Arn>%s</Arn>'
                '<AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser>'
                '</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>%s</RequestId>'
                '</ResponseMetadata></AssumeRoleWithWebIdentityResponse>' % (
                    self.creds_xml(akid2, secret, token, exp), escape(arn),
                    escape(p["RoleSessionName"]), uuid.uuid4()))
        self.reply(200, body, "text/xml")

    def sts_GetCallerIdentity(self, p, akid):
        with self.st.lock:
            arn = self.st.keys[akid][2]
        uid = "AIDAEXAMPLEUSERID" if ":user/" in arn else "AROAEXAMPLE:" + arn.rsplit("/", 1)[-1]
        body = ('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                '<GetCallerIdentityResult><Arn>%s</Arn><UserId>%s</UserId>'
                '<Account>%s</Account></GetCallerIdentityResult><ResponseMetadata>'
                '<RequestId>%s</RequestId></ResponseMetadata></GetCallerIdentityResponse>' % (
                    escape(arn), escape(uid), arn.split(":")[4], uuid.uuid4()))
        self.reply(200, body, "text/xml")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.environ.get("MLDECK_SHARED", "/work/shared"))
    ap.add_argument("--expires", type=int, default=3600)
    ap.add_argument("--imds-role", default="bastion-role")
    ap.add_argument("--imds-region", default="eu-central-1")
    ap.add_argument("--imds-v1", action="store_true", help="also answer without a token")
    ap.add_argument("--imds-no-token", action="store_true", help="refuse the token PUT (403)")
    ap.add_argument("--container-token", default="")
    ap.add_argument("--sso-token", default="sso-access-token-123")
    ap.add_argument("--web-token", default="")
    ap.add_argument("--external-id", default="")
    ap.add_argument("--mfa-serial", default="")
    ap.add_argument("--mfa-code", default="123456")
    ap.add_argument("--mfa-role", default="admin", help="role name that requires MFA")
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(args)
    print("PORT %d" % srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        sys.stdin.read()   # the test closes our stdin (or dies) when done
    except KeyboardInterrupt:
        pass
    srv.shutdown()


if __name__ == "__main__":
    main()
