"""Starts the project's fake AWS server (tests/servers/aws_server.py) on a
free 127.0.0.1 port for a test, and talks to its control endpoints."""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

SRC = os.environ.get('MLDECK_SRCDIR') or os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SHARED = os.environ.get('MLDECK_SHARED') or os.path.join(SRC, '..', 'shared')

KEY_ID = 'AKIDEXAMPLE'
SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'


class FakeAws(object):
    def __init__(self, time_scale=20.0):
        self.dir = tempfile.mkdtemp(prefix='mdfake')
        portfile = os.path.join(self.dir, 'port')
        env = dict(os.environ, MLDECK_SHARED=SHARED)
        self.proc = subprocess.Popen(
            ['/usr/bin/python3', os.path.join(SRC, 'tests', 'servers', 'aws_server.py'),
             '--port-file', portfile, '--time-scale', str(time_scale), '--self-check'],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.dir, 'server.err'), 'w'),
            env=env)
        for _ in range(200):
            if os.path.exists(portfile):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError('fake AWS server did not start')
        self.port = int(open(portfile).read())
        self.url = 'http://127.0.0.1:%d' % self.port

    def control(self, path, body=None, method=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + '/__control/' + path, data=data,
                                     method=method or ('POST' if data else 'GET'))
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b'{}')

    def counts(self):
        return self.control('requests')['counts']

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


BIN = os.environ.get('MLDECK_BIN') or os.path.join(SRC, 'mldeck')


def need_models():
    """Skips the whole test (TAP plan 1..0) without the official AWS models."""
    if not os.path.isdir(os.path.join(SHARED, 'aws-models')):
        print('1..0 # SKIP ../shared/aws-models not found')
        sys.exit(0)


def mldeck_runner(fake, env, timeout=60):
    """md(*args, **kw) -> (rc, stdout, stderr): the mldeck binary against the fake."""
    def md(*args, **kw):
        p = subprocess.run([BIN, '--endpoint-url', fake.url] + list(args), env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors='replace', timeout=timeout, **kw)
        return p.returncode, p.stdout, p.stderr
    return md


def need_smrefresh():
    """The screen's refresh driver (tests/aws/smrefresh.c); skips the whole
    test when it is not built."""
    build = os.environ.get('MLDECK_BUILDDIR') or os.path.join(os.path.dirname(__file__), '..', '..')
    driver = os.path.join(build, 'tests', 'aws', 'smrefresh')
    if not os.access(driver, os.X_OK):
        print('1..0 # SKIP %s not built' % driver)
        sys.exit(0)
    return driver


def smrefresh_runner(driver, fake, env):
    """refresh(kind, parent=None) -> dict: one refresh as the screen's worker
    runs it, its JSON report ('status' 'crash' when it printed none)."""
    def refresh(kind, parent=None):
        args = [driver, fake.url, kind] + ([parent] if parent else [])
        p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        try:
            return json.loads(p.stdout)
        except ValueError:
            return {'status': 'crash', 'message': p.stdout + p.stderr}
    return refresh


def mldeck_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith('AWS_')}
    env.update(HOME=home, XDG_CACHE_HOME=home + '/cache', XDG_STATE_HOME=home + '/state',
               XDG_CONFIG_HOME=home + '/config', AWS_ACCESS_KEY_ID=KEY_ID,
               AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION='us-east-1',
               AWS_EC2_METADATA_DISABLED='true', AWS_MAX_ATTEMPTS='3')
    # A listing is read from both ends when its first reply is slow, which
    # on a loaded machine it may be: the requests a test counts must not
    # depend on that.  Tests of the two-ended listing set it themselves.
    env['MLDECK_LIST_ENDS'] = '1'
    return env


class Tap(object):
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, name))
        if not cond:
            self.failed += 1
            if diag:
                for line in str(diag).splitlines()[:20]:
                    print('#   ' + line)
        sys.stdout.flush()
        return cond

    def done(self):
        print('1..%d' % self.n)
        return 1 if self.failed else 0
