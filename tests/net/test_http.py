"""The HTTP path: proxies from the environment (uppercase HTTP_PROXY is
honoured, unlike plain libcurl; NO_PROXY), TLS verification (an untrusted
certificate fails, AWS_CA_BUNDLE trusts it, --insecure skips the check
with a warning), and the debug trace (awscurl -v) with Authorization,
X-Amz-Security-Token and credential bodies redacted."""
import os
import shutil
import subprocess
import sys
import tempfile

from nettest import AKID, MLDECK, NETC, SECRET, Tap, env, need_binaries, netc

need_binaries(NETC)
try:
    from netfault import FaultServer
except ImportError as e:
    print('1..0 # SKIP %s' % e)
    sys.exit(0)

t = Tap()
plain = FaultServer(keys=None).start()           # a forward proxy sees absolute URLs
tmp = tempfile.mkdtemp(prefix='mldeck-tls-')
cert, key = os.path.join(tmp, 'c.pem'), os.path.join(tmp, 'k.pem')
openssl = shutil.which('openssl')
tls = None
if openssl:
    subprocess.run([openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
                    '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext',
                    'subjectAltName=IP:127.0.0.1'], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    tls = FaultServer(keys={AKID: SECRET}).start(tls=(cert, key))
ONE = ['--attempts', '1', '--service', 'sagemaker', '--timeout-ms', '5000']

try:
    for var in ('http_proxy', 'HTTP_PROXY', 'ALL_PROXY'):
        plain.script(['ok'])
        r = netc('send', '--url', 'http://service.example.invalid/x?y=1', *ONE, **{var: plain.url})
        seen = plain.requests[-1]['path'] if plain.requests else ''
        t.ok(r.get('md_status') == 'ok' and seen == 'http://service.example.invalid/x?y=1',
             '%s is used for http:// URLs' % var, (r, seen))
    plain.script(['ok'])
    r = netc('send', '--url', 'http://service.example.invalid/x', *ONE, HTTP_PROXY=plain.url,
             NO_PROXY='localhost,.example.invalid')
    t.ok(r.get('md_status') == 'network' and not plain.requests,
         'NO_PROXY domain suffix bypasses the proxy', r)
    plain.script(['ok'])
    r = netc('send', '--url', plain.url + '/direct', *ONE, HTTP_PROXY='http://127.0.0.1:9',
             no_proxy='127.0.0.1')
    t.ok(r.get('md_status') == 'ok', 'no_proxy host match goes direct', r)
    plain.script(['ok'])
    r = netc('send', '--url', plain.url + '/direct', *ONE, HTTPS_PROXY='http://127.0.0.1:9')
    t.ok(r.get('md_status') == 'ok', 'HTTPS_PROXY does not apply to http:// URLs', r)

    if tls:
        tls.script(['ok'])
        r = netc('send', '--url', tls.url + '/', *ONE)
        t.ok(r.get('md_status') == 'network' and 'TLS' in r.get('msg', '') and not tls.requests,
             'an untrusted certificate fails (verification is on by default)', r)
        tls.script(['ok'])
        r = netc('send', '--url', tls.url + '/', *ONE, AWS_CA_BUNDLE=cert)
        t.ok(r.get('md_status') == 'ok' and tls.requests and tls.requests[-1]['sig'].ok,
             'AWS_CA_BUNDLE trusts the server', r)
        r = netc('send', '--url', tls.url + '/', *ONE, AWS_CA_BUNDLE=os.path.join(tmp, 'none.pem'))
        t.ok(r.get('md_status') == 'network', 'a missing CA bundle is an error, not a bypass', r)
        if os.path.exists(MLDECK):
            tls.script(['ok'])
            p = subprocess.run([MLDECK, '--insecure', 'awscurl', '--service', 'sagemaker', '--region',
                                'us-east-1', tls.url + '/'], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env(), timeout=30)
            t.ok(p.returncode == 0 and b'warning' in p.stderr and b'"ok": true' in p.stdout,
                 '--insecure skips verification and warns', p.stderr.decode())
            tls.script(['ok'])
            p = subprocess.run([MLDECK, 'awscurl', '--service', 'sagemaker', '--region',
                                'us-east-1', tls.url + '/'], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env(), timeout=30)
            t.ok(p.returncode == 1 and b'TLS' in p.stderr, 'without --insecure awscurl refuses',
                 p.stderr.decode())
            conf = os.path.join(tmp, 'config')
            with open(conf, 'w') as f:
                f.write('[default]\nregion = us-east-1\nca_bundle = %s\n' % cert)
            tls.script(['ok'])
            p = subprocess.run([MLDECK, 'awscurl', '--service', 'sagemaker', tls.url + '/'],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env(AWS_CONFIG_FILE=conf), timeout=30)
            t.ok(p.returncode == 0 and b'"ok": true' in p.stdout,
                 "awscurl trusts the profile's ca_bundle", p.stderr.decode())
    else:
        for i in range(6):
            t.ok(True, '# SKIP openssl not installed')

    # --debug: the trace goes to the log file, redacted.
    logf = os.path.join(tmp, 'debug.log')
    plain.script(['ok'])
    r = netc('send', '--url', plain.url + '/creds', '--method', 'POST', '--body',
             '{"SecretAccessKey":"SECRETBODYVALUE"}', '--log', logf, *ONE,
             AWS_SESSION_TOKEN='LOGTOKENVALUE')
    log = open(logf).read() if os.path.exists(logf) else ''
    t.ok(r.get('md_status') == 'ok' and 'DEBUG http > POST /creds HTTP/1.1' in log and
         'Authorization: <redacted>' in log and 'X-Amz-Security-Token: <redacted>' in log,
         'debug trace in the log file with the secret headers redacted', log[:2000])
    t.ok('LOGTOKENVALUE' not in log and 'SECRETBODYVALUE' not in log and SECRET not in log and
         'bytes <redacted>' in log, 'no token, secret or credential body in the log')
    t.eq(oct(os.stat(logf).st_mode & 0o777) if os.path.exists(logf) else None, '0o600',
         'the log file is 0600')
    # A presigned URL in the trace: its token and signature are blanked.
    plain.script(['ok'])
    logf2 = os.path.join(tmp, 'debug2.log')
    url = plain.url + ('/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDX%2F20260101'
                       '&X-Amz-Security-Token=QUERYTOKENVALUE&X-Amz-Signature=abcdef0123456789')
    r = netc('send', '--url', url, '--log', logf2, '--no-sign', '-H',
             'x-amz-sso_bearer_token: SSOBEARERVALUE', *ONE)
    log2 = open(logf2).read() if os.path.exists(logf2) else ''
    t.ok('QUERYTOKENVALUE' not in log2 and 'abcdef0123456789' not in log2 and
         'SSOBEARERVALUE' not in log2 and
         'X-Amz-Security-Token=***&X-Amz-Signature=***' in log2,
         'presigned URL query and the SSO bearer token are redacted in the trace', log2[:800])

    if os.path.exists(MLDECK):
        plain.script(['ok'])
        token = 'TOKENVALUE/abc+def=='
        p = subprocess.run([MLDECK, 'awscurl', '-v', '--service', 'sts', '--region', 'us-east-1',
                            '-d', 'Action=AssumeRole&WebIdentityToken=SECRETWEBTOKEN',
                            plain.url + '/'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env(AWS_SESSION_TOKEN=token), timeout=30)
        err = p.stderr.decode()
        t.ok('> Authorization: <redacted>' in err and '> X-Amz-Security-Token: <redacted>' in err,
             'trace redacts Authorization and X-Amz-Security-Token', err)
        t.ok(token not in err and 'SECRETWEBTOKEN' not in err and SECRET not in err and
             'Signature=' not in err, 'no token, secret or signature in the trace')
        t.ok('> POST / HTTP/1.1' in err and '< HTTP/1.1 200' in err and '<redacted>' in err,
             'trace shows the exchange, credential-like bodies redacted')
finally:
    plain.stop()
    if tls:
        tls.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
