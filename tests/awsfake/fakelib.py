"""Helpers for the awsfake tests (and anyone else's Python tests): start the
server on a free port, call its control endpoints, send signed raw requests,
run Debian's AWS CLI, and build botocore clients on the 2026 models.

    from fakelib import Fake, Tap
    with Fake(seed={...}, time_scale=20) as fake:
        fake.control('requests')
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get('MLDECK_SRCDIR') or os.path.normpath(os.path.join(HERE, '..', '..'))
SERVER = os.path.join(SRCDIR, 'tests', 'servers', 'aws_server.py')
AKID = 'AKIDEXAMPLE'
SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
REGION = 'us-east-1'
AWS_CLI = '/usr/bin/aws'

TARGETS = {'sagemaker': ('SageMaker', '1.1'), 'logs': ('Logs_20140328', '1.1'),
           'events': ('AWSEvents', '1.1'), 'monitoring': ('GraniteServiceVersion20100801', '1.0')}


def shared_dir():
    d = os.environ.get('MLDECK_SHARED')
    if d and os.path.isdir(os.path.join(d, 'aws-models')):
        return d
    cand = os.path.normpath(os.path.join(SRCDIR, '..', 'shared'))
    if os.path.isdir(os.path.join(cand, 'aws-models')):
        return cand
    return None


def skip_all_unless_ready(need_cli=False):
    """Print the TAP skip line and exit when the shared models (or the CLI)
    are missing."""
    if shared_dir() is None:
        print('1..0 # SKIP ../shared/aws-models not found (set MLDECK_SHARED)')
        sys.exit(0)
    if need_cli and not os.access(AWS_CLI, os.X_OK):
        print('1..0 # SKIP %s (Debian awscli) not installed' % AWS_CLI)
        sys.exit(0)


class Tap(object):
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if cond:
            print('ok %d - %s' % (self.n, name))
        else:
            self.failed += 1
            print('not ok %d - %s' % (self.n, name))
            if diag is not None:
                for line in str(diag).splitlines()[:40]:
                    print('#   ' + line)
        sys.stdout.flush()
        return bool(cond)

    def eq(self, got, want, name):
        return self.ok(got == want, name, 'got:  %r\nwant: %r' % (got, want))

    def done(self):
        print('1..%d' % self.n)
        return 1 if self.failed else 0


class Fake(object):
    """A running aws_server.py (with --self-check)."""

    def __init__(self, seed=None, time_scale=None, args=()):
        self.tmp = tempfile.mkdtemp(prefix='awsfake-test-')
        cmd = ['/usr/bin/python3', SERVER, '--self-check']
        if seed is not None:
            path = os.path.join(self.tmp, 'seed.json')
            with open(path, 'w') as f:
                json.dump(seed, f)
            cmd += ['--seed', path]
        if time_scale:
            cmd += ['--time-scale', str(time_scale)]
        cmd += list(args)
        env = dict(os.environ)
        if shared_dir():
            env['MLDECK_SHARED'] = shared_dir()
        self.stderr_path = os.path.join(self.tmp, 'stderr')
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=open(self.stderr_path, 'w'), env=env)
        line = self.proc.stdout.readline().decode().strip()
        if not line.isdigit():
            self.proc.kill()
            raise RuntimeError('awsfake did not start: %r %s' % (line, self.stderr()))
        self.port = int(line)
        self.url = 'http://127.0.0.1:%d' % self.port
        self._data_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stderr(self):
        try:
            with open(self.stderr_path) as f:
                return f.read()
        except OSError:
            return ''

    def stop(self):
        """Terminate; return the exit status (0 clean, 3 self-check failures)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return self.proc.returncode

    def control(self, path, data=None, method=None):
        body = json.dumps(data).encode() if data is not None else None
        req = urllib.request.Request(self.url + '/__control/' + path, data=body,
                                     method=method or ('POST' if body is not None else 'GET'))
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read().decode())

    def requests(self):
        return self.control('requests')

    def count(self, service, op):
        return self.requests()['counts'].get('%s.%s' % (service, op), 0)

    # -- raw signed requests
    def raw(self, service, op, body, secret=SECRET, akid=AKID, headers=None, mutate=None,
            sign=True, region=REGION, timeout=30, target=None, content_type=None):
        """Send one signed awsJson request; returns (status, headers dict
        lower-case, body bytes).  body: dict (JSON-encoded) or bytes.
        mutate(request) runs after signing (to tamper with it)."""
        prefix, ver = TARGETS[service]
        data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        h = {'Content-Type': content_type or 'application/x-amz-json-%s' % ver,
             'X-Amz-Target': target or '%s.%s' % (prefix, op)}
        h.update(headers or {})
        req = AWSRequest(method='POST', url=self.url + '/', data=data, headers=h)
        if sign:
            SigV4Auth(Credentials(akid, secret), service, region).add_auth(req)
        if mutate:
            mutate(req)
        return self.send(req, timeout)

    def raw_query(self, action, params, secret=SECRET):
        import urllib.parse
        form = dict(params)
        form.update({'Action': action, 'Version': '2010-08-01'})
        data = urllib.parse.urlencode(form).encode()
        req = AWSRequest(method='POST', url=self.url + '/', data=data,
                         headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
        SigV4Auth(Credentials(AKID, secret), 'monitoring', REGION).add_auth(req)
        return self.send(req)

    def send(self, req, timeout=30):
        import http.client
        p = req.prepare()
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)
        try:
            conn.request(p.method, '/', body=p.body, headers=dict(p.headers.items()))
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    # -- clients
    def data_dir(self):
        """A botocore data folder holding the 2026 models (CloudWatch's
        protocol switched to awsJson1_0, which botocore 1.29 speaks)."""
        if self._data_dir:
            return self._data_dir
        d = os.path.join(self.tmp, 'botodata')
        models = os.path.join(shared_dir(), 'aws-models')
        for folder in ('sagemaker', 'cloudwatch', 'logs', 'events'):
            with open(os.path.join(models, folder, 'service-2.json')) as f:
                m = json.load(f)
            if m['metadata'].get('protocol') not in ('json', 'query', 'rest-json', 'rest-xml'):
                m['metadata']['protocol'] = 'json'
            out = os.path.join(d, folder, m['metadata']['apiVersion'])
            os.makedirs(out)
            with open(os.path.join(out, 'service-2.json'), 'w') as f:
                json.dump(m, f)
            shutil.copy(os.path.join(models, folder, 'paginators-1.json'), out)
        self._data_dir = d
        return d

    def client(self, name, secret=SECRET, retries=0):
        """botocore client for sagemaker|cloudwatch|logs|events on the 2026
        models, pointed at the fake."""
        session = botocore.session.get_session()
        session.get_component('data_loader').search_paths.insert(0, self.data_dir())
        return session.create_client(
            name, region_name=REGION, endpoint_url=self.url, aws_access_key_id=AKID,
            aws_secret_access_key=secret,
            config=Config(retries={'max_attempts': retries, 'mode': 'standard'} if retries
                          else {'total_max_attempts': 1}, connect_timeout=5, read_timeout=30))

    def aws(self, *args, secret=SECRET, env=None):
        """Run Debian's AWS CLI against the fake; returns (rc, stdout, stderr)."""
        e = {'PATH': '/usr/bin:/bin', 'HOME': self.tmp, 'AWS_ACCESS_KEY_ID': AKID,
             'AWS_SECRET_ACCESS_KEY': secret, 'AWS_DEFAULT_REGION': REGION,
             'AWS_PAGER': '', 'AWS_CONFIG_FILE': os.devnull,
             'AWS_SHARED_CREDENTIALS_FILE': os.devnull, 'LC_ALL': 'C.UTF-8'}
        e.update(env or {})
        r = subprocess.run([AWS_CLI, '--endpoint-url', self.url] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, timeout=120)
        return r.returncode, r.stdout.decode(), r.stderr.decode()
