"""Shared bits of the tests/net/*.py integration tests: TAP output, the
netc driver, the test servers on sys.path."""
import json
import os
import subprocess
import sys

SRC = os.environ.get('MLDECK_SRCDIR', os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD = os.environ.get('MLDECK_BUILDDIR', '.')
NETC = os.path.join(BUILD, 'tests', 'net', 'netc')
MLDECK = os.environ.get('MLDECK_BIN', os.path.join(BUILD, 'mldeck'))
sys.path.insert(0, os.path.join(SRC, 'tests', 'servers'))

AKID = 'AKIDNETTEST0000001'
SECRET = 'nettest/secret+key/0123456789abcdefABCDEF'


class Tap(object):
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, name), flush=True)
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in str(diag).splitlines()[:30]:
                    print('#   ' + line)
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, 'got %r, want %r' % (got, want))

    def done(self):
        print('1..%d' % self.n)
        return 1 if self.failed else 0


def skip_all(why):
    print('1..0 # SKIP %s' % why)
    sys.exit(0)


def env(**extra):
    e = dict(os.environ)
    for k in ('AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN',
              'AWS_MAX_ATTEMPTS', 'AWS_RETRY_MODE', 'AWS_CA_BUNDLE', 'http_proxy', 'HTTP_PROXY',
              'https_proxy', 'HTTPS_PROXY', 'ALL_PROXY', 'all_proxy', 'AWS_ENDPOINT_URL',
              'AWS_REGION', 'AWS_DEFAULT_REGION', 'NO_PROXY', 'no_proxy'):
        e.pop(k, None)
    e.update({'AWS_ACCESS_KEY_ID': AKID, 'AWS_SECRET_ACCESS_KEY': SECRET,
              'AWS_EC2_METADATA_DISABLED': 'true', 'AWS_CONFIG_FILE': '/nonexistent',
              'AWS_SHARED_CREDENTIALS_FILE': '/nonexistent'})
    for k, v in extra.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return e


def netc(*args, timeout=60, **envx):
    """Runs netc; returns the JSON it printed (or {'error': stderr})."""
    p = subprocess.run([NETC] + [str(a) for a in args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout, env=env(**envx))
    try:
        return json.loads(p.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {'error': p.stderr.decode(), 'stdout': p.stdout.decode(), 'rc': p.returncode}


def need_binaries(*paths):
    for p in paths:
        if not os.path.exists(p):
            skip_all('%s not built' % p)
