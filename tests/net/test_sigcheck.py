"""Signatures checked by a server the way AWS checks them (sigv4check with
botocore's signer): mldeck's signed requests pass; a wrong secret, a changed
body or a changed signed header get 403 as AWS answers.  Also the JSON and
query protocol helpers, JSON pagination, a large body (no Expect), and
`mldeck awscurl` end to end (flags, --request files, --dry-run)."""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

from nettest import AKID, MLDECK, NETC, SECRET, Tap, env, need_binaries, netc

need_binaries(NETC)
try:
    from netfault import FaultServer
    import sigv4check
except ImportError as e:
    print('1..0 # SKIP %s' % e)
    sys.exit(0)

t = Tap()
TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+/=='
srv = FaultServer(keys={AKID: SECRET, 'ASIATEMPKEY00000001': ('tempsecret', TOKEN)}).start()
COMMON = ['--service', 'sagemaker', '--region', 'us-east-1', '--base-ms', '5']


def last_sig():
    return srv.requests[-1].get('sig') if srv.requests else None


try:
    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/a/b%20c/../d?z=1&a=2&a=1&k=%2F%2B', '--method', 'POST',
             '--body', '{"x":1}', '-H', 'X-Amz-Target: SageMaker.ListPipelines',
             '-H', 'X-Odd:   spaced    value  ', *COMMON)
    t.eq((r.get('md_status'), r.get('http')), ('ok', 200), 'a signed request passes the server check')

    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/', *COMMON, AWS_SECRET_ACCESS_KEY='wrong-secret')
    t.eq((r.get('err_http'), r.get('code'), r.get('attempts')),
         (403, 'InvalidSignatureException', 1), 'wrong secret -> 403 InvalidSignatureException (JSON), not retried')

    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/', '--service', 'sts', '--method', 'POST', '--body', 'Action=GetCallerIdentity&Version=2011-06-15',
             '-H', 'Content-Type: application/x-www-form-urlencoded', AWS_SECRET_ACCESS_KEY='wrong-secret')
    t.eq((r.get('err_http'), r.get('code')), (403, 'SignatureDoesNotMatch'),
         'wrong secret on STS (query) -> 403 SignatureDoesNotMatch')

    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/', '--method', 'POST', '--body', '{"a":1}', '--tamper', 'body',
             '-H', 'X-Amz-Target: SageMaker.ListPipelines', *COMMON)
    t.eq((r.get('err_http'), r.get('code')), (403, 'InvalidSignatureException'), 'changed body -> 403')

    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/', '--method', 'POST', '--body', '{}', '--tamper', 'header',
             '-H', 'X-Amz-Target: SageMaker.ListPipelines', *COMMON)
    t.eq((r.get('err_http'), r.get('code')), (403, 'InvalidSignatureException'), 'changed signed header -> 403')

    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/', *COMMON, AWS_ACCESS_KEY_ID='AKIDUNKNOWN')
    t.eq((r.get('md_status'), r.get('code')), ('auth', 'UnrecognizedClientException'),
         'unknown access key -> auth error')

    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/', *COMMON, AWS_ACCESS_KEY_ID='ASIATEMPKEY00000001',
             AWS_SECRET_ACCESS_KEY='tempsecret', AWS_SESSION_TOKEN=TOKEN)
    t.eq(r.get('md_status'), 'ok', 'session token sent and signed')
    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/', *COMMON, AWS_ACCESS_KEY_ID='ASIATEMPKEY00000001',
             AWS_SECRET_ACCESS_KEY='tempsecret')
    t.eq(r.get('code'), 'UnrecognizedClientException', 'temporary key without its token refused')

    # A 3 MB body: libcurl would add Expect: 100-continue; mldeck neither
    # sends nor signs it, and the server verifies the hash of every byte.
    big = 'x' * (3 << 20)
    with tempfile.NamedTemporaryFile('w', delete=False) as f:
        f.write(big)
    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/upload', '--method', 'PUT', '--body-file', f.name, *COMMON)
    os.unlink(f.name)
    rec = srv.requests[-1] if srv.requests else {'headers': [], 'body': b''}
    t.ok(r.get('md_status') == 'ok' and srv.header(rec, 'Expect') is None and len(rec['body']) == len(big),
         '3 MB PUT: verified, no Expect header', {k: v for k, v in r.items() if k != 'body'})

    # S3 rules on the same checker: X-Amz-Content-SHA256, UNSIGNED-PAYLOAD.
    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/bucket/a%20key~x', '--method', 'PUT', '--body', 'data',
             '--service', 's3')
    t.eq(r.get('md_status'), 'ok', 'S3 PUT with X-Amz-Content-SHA256 verifies')
    t.eq(srv.header(srv.requests[-1], 'X-Amz-Content-SHA256'), hashlib.sha256(b'data').hexdigest(),
         'S3 sends the body hash')
    srv.script(['ok'])
    r = netc('send', '--url', srv.url + '/bucket/k', '--method', 'PUT', '--body', 'data',
             '--service', 's3', '--unsigned')
    t.ok(r.get('md_status') == 'ok' and
         srv.header(srv.requests[-1], 'X-Amz-Content-SHA256') == 'UNSIGNED-PAYLOAD',
         'S3 UNSIGNED-PAYLOAD verifies')

    # S3 region redirect: the bucket is in eu-west-1; the client signed for
    # us-east-1, gets 301 + x-amz-bucket-region, re-signs for eu-west-1.
    for cmd in ('s3-get', 's3-head'):
        srv.script(['ok', 'ok'])
        r = netc(cmd, '--endpoint', srv.url, '--service', 's3', '--region', 'us-east-1',
                 '--path-style', '--bucket', 'redirbucket', '--key', 'k', '--base-ms', '5')
        regions = [q['sig'].region for q in srv.requests if q.get('sig')]
        t.ok(r.get('md_status') == 'ok' and regions == ['us-east-1', 'eu-west-1'],
             '%s: wrong-region 301 followed by re-signing for x-amz-bucket-region' % cmd, (r, regions))

    # JSON protocol helper and pagination.
    srv.script(['ok'] * 3)
    r = netc('json', '--endpoint', srv.url, '--service', 'sagemaker', '--target-prefix', 'Test',
             '--op', 'ListThings', '--input', '{"MaxResults": 2}', '--paginate', '0', '--model',
             'sagemaker', *COMMON[4:])
    pages = r.get('pages') or []
    t.eq([x for p in pages for x in p.get('Things', [])], ['t0', 't1', 't2', 't3', 't4', 't5'],
         'NextToken pagination: 3 pages')
    sent = [json.loads(q['body']) for q in srv.requests]
    t.eq([s.get('NextToken') for s in sent], [None, '1', '2'], 'the token goes back as input')
    t.eq(srv.header(srv.requests[0], 'Content-Type'), 'application/x-amz-json-1.1', 'json 1.1 content type')
    t.ok(all(q.get('sig') and q['sig'].ok for q in srv.requests), 'every page request verified')

    srv.script(['ok'] * 5)
    r = netc('json', '--endpoint', srv.url, '--service', 'logs', '--target-prefix', 'Logs_20140328',
             '--op', 'GetLogEvents', '--input', '{"logGroupName":"g","logStreamName":"s"}',
             '--paginate', '0', '--model', 'logs', '--base-ms', '5')
    t.eq((r.get('md_status'), len(r.get('pages') or [])), ('ok', 3),
         'GetLogEvents stops when the forward token comes back unchanged')

    srv.script(['ok'])
    r = netc('query', '--endpoint', srv.url, '--service', 'sts', '--action', 'GetCallerIdentity',
             '--get', 'GetCallerIdentityResult/Account', '--base-ms', '5')
    t.eq((r.get('md_status'), r.get('root'), r.get('value')),
         ('ok', 'GetCallerIdentityResponse', '123456789012'), 'query protocol: STS GetCallerIdentity')
    body = srv.requests[-1]['body'].decode()
    t.eq(body, 'Action=GetCallerIdentity&Version=2011-06-15', 'query form body')
    srv.script(['ok'])
    r = netc('query', '--endpoint', srv.url, '--service', 'sts', '--action', 'Nope', '--param',
             'RoleArn=arn:aws:iam::1:role/a b', '--base-ms', '5')
    t.ok(r.get('code') == 'InvalidAction' and len(r.get('request_id', '')) == 36,
         'query error: code, and the request id (x-amzn-RequestId header first)', r)
    t.ok('RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b' in srv.requests[-1]['body'].decode(),
         'query parameters form-encoded')

    # mldeck awscurl end to end.
    if os.path.exists(MLDECK):
        def awscurl(*args, stdin=None, **envx):
            p = subprocess.run([MLDECK, 'awscurl'] + list(args), input=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env(**envx), timeout=60)
            return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode()

        srv.script(['ok'])
        rc, out, err = awscurl('--service', 'sagemaker', '--region', 'eu-west-1', '-X', 'POST',
                               '-H', 'X-Amz-Target: SageMaker.ListPipelines', '-H',
                               'Content-Type: application/x-amz-json-1.1', '-d', '{}', '-i',
                               srv.url + '/')
        t.ok(rc == 0 and out.startswith('HTTP/1.1 200') and '"ok": true' in out,
             'awscurl: signed POST, -i prints the status line', out + err)
        sig = last_sig()
        t.ok(sig is not None and sig.ok and sig.region == 'eu-west-1' and sig.service == 'sagemaker',
             'awscurl: the server verified region and service')

        srv.script(['ok'])
        rc, out, err = awscurl('--service', 'sagemaker', srv.url + '/', AWS_SECRET_ACCESS_KEY='bad',
                               AWS_REGION='us-east-1')
        t.ok(rc == 4 and 'InvalidSignatureException' in err and 'HTTP 403' in err,
             'awscurl: refused signature -> exit 4 and a one-line error', (rc, err))

        with tempfile.NamedTemporaryFile('wb', suffix='.http', delete=False) as f:
            f.write(('POST /raw/path?b=2&a=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n'
                     'X-Amz-Target: SageMaker.ListPipelines\r\nX-Folded: first\r\n   second\r\n'
                     'Authorization: stale\r\nX-Amz-Date: 19990101T000000Z\r\n'
                     'Connection: keep-alive\r\nUser-Agent: raw-test/1\r\nContent-Length: 9\r\n'
                     '\r\n{"q": 42}' % srv.port).encode())
            raw = f.name
        srv.script(['ok'])
        rc, out, err = awscurl('--service', 'sagemaker', '--region', 'us-east-1', '--scheme', 'http',
                               '--request', raw)
        rec = srv.requests[-1] if srv.requests else {'headers': [], 'body': b''}
        t.ok(rc == 0 and last_sig() is not None and last_sig().ok and rec['body'] == b'{"q": 42}',
             'awscurl --request FILE: verified by the server', out + err)
        t.eq(srv.header(rec, 'X-Folded'), 'first second', 'folded header joined with one space')
        sh = re.search(r'SignedHeaders=([^,]+)', srv.header(rec, 'Authorization') or '')
        t.eq(sh and sh.group(1), 'content-length;host;x-amz-date;x-amz-target;x-folded',
             'hop-by-hop and User-Agent not signed; stale Authorization/X-Amz-Date replaced')
        srv.script(['ok'])
        with open(raw, 'rb') as f:
            rc, out, err = awscurl('--service', 'sagemaker', '--region', 'us-east-1', '--scheme',
                                   'http', '--request', '-', stdin=f.read())
        t.ok(rc == 0 and last_sig() is not None and last_sig().ok, 'awscurl --request - (stdin)', err)
        os.unlink(raw)

        # S3 via --request: mldeck owns X-Amz-Content-SHA256 and replaces a stale one.
        srv.script(['ok'])
        req = ('PUT /bucket/dir/a%%20b.txt HTTP/1.1\nHost: 127.0.0.1:%d\n'
               'X-Amz-Content-SHA256: 0000stale\nX-Amz-Security-Token: stale\n'
               'Content-Type: text/plain\n\nhello s3' % srv.port).encode()
        rc, out, err = awscurl('--service', 's3', '--region', 'us-east-1', '--scheme', 'http',
                               '--request', '-', stdin=req)
        rec = srv.requests[-1] if srv.requests else {'headers': []}
        t.ok(rc == 0 and last_sig() is not None and last_sig().ok and
             srv.header(rec, 'X-Amz-Content-SHA256') == hashlib.sha256(b'hello s3').hexdigest() and
             srv.header(rec, 'X-Amz-Security-Token') is None,
             'awscurl --request S3 PUT: X-Amz-Content-SHA256 and the token are mldeck\'s', err)

        # --dry-run: the printed request, replayed into the checker, verifies.
        rc, out, err = awscurl('--service', 'sagemaker', '--region', 'us-east-1', '--dry-run',
                               '--date', '20150830T123600Z', '-H', 'X-Amz-Target: T.Op', '-d',
                               'hello', 'https://api.example.com/x?b=1&a=2')
        m = re.search(r'--- signed request ---\n(.*?)\n(.*?)\n\n(.*)', out, re.S)
        ok = False
        if m:
            line = m.group(1).split(' ')
            hp = [tuple(h.split(': ', 1)) for h in m.group(2).split('\n')]
            res = sigv4check.verify(line[0], line[1], hp, m.group(3).rstrip('\n').encode(),
                                    {AKID: SECRET}, now=False)
            ok = res.ok
        t.ok(rc == 0 and ok, '--dry-run output is a request the checker accepts', out + err)
        t.ok('--- canonical request ---\nPOST\n/x\na=2&b=1\n' in out and '--- string to sign ---\nAWS4-HMAC-SHA256\n20150830T123600Z\n' in out,
             '--dry-run prints canonical request and string to sign')
        rc, out, err = awscurl('--dry-run', '--date', '20150830T123600Z', 'https://example.amazonaws.com/',
                               '--service', 'service', '--region', 'us-east-1',
                               AWS_SESSION_TOKEN='SECRETTOKENVALUE')
        t.ok('SECRETTOKENVALUE' not in out and 'X-Amz-Security-Token: <redacted>' in out,
             '--dry-run never prints the session token')
        rc, out, err = awscurl('--dry-run', 'https://examplebucket.s3.eu-west-2.amazonaws.com/k',
                               '--unsigned-payload')
        t.ok(rc == 0 and '/eu-west-2/s3/aws4_request' in out and 'X-Amz-Content-SHA256: UNSIGNED-PAYLOAD' in out,
             'service and region inferred from an S3 host; --unsigned-payload', out + err)
        hosts = [
            ('api.sagemaker.eu-west-1.amazonaws.com', 'eu-west-1/sagemaker'),
            ('runtime.sagemaker.us-east-2.amazonaws.com', 'us-east-2/sagemaker'),
            ('api-fips.sagemaker.us-gov-west-1.amazonaws.com', 'us-gov-west-1/sagemaker'),
            ('logs.ap-south-1.amazonaws.com', 'ap-south-1/logs'),
            ('abc123.execute-api.us-west-2.amazonaws.com', 'us-west-2/execute-api'),
            ('vpce-0a1-b2.api.sagemaker.eu-west-1.vpce.amazonaws.com', 'eu-west-1/sagemaker'),
            ('monitoring.cn-north-1.amazonaws.com.cn', 'cn-north-1/monitoring'),
            ('sts.amazonaws.com', 'us-east-1/sts'),
            ('s3.amazonaws.com', 'us-east-1/s3'),
            ('bucket.s3-eu-west-1.amazonaws.com', 'eu-west-1/s3'),
            ('my.bucket.s3.dualstack.ap-northeast-1.amazonaws.com', 'ap-northeast-1/s3'),
        ]
        got = []
        for h, want in hosts:
            rc, out, err = awscurl('--dry-run', 'https://%s/' % h)
            m = re.search(r'Credential=[^/]+/\d{8}/([^/]+/[^/]+)/aws4_request', out)
            got.append((h, m.group(1) if m else err.strip()))
        t.eq(got, [(h, w) for h, w in hosts], 'service and region inferred from AWS host names')
        rc, out, err = awscurl('http://127.0.0.1:1/')
        t.ok(rc == 2 and '--service' in err, 'no service for an unknown host: usage error', err)
        rc, out, err = awscurl('--request', '/nonexistent/req.http', '--service', 's3')
        t.ok(rc != 0 and 'nonexistent' in err, 'missing --request file: clear error', err)
    else:
        t.ok(True, '# SKIP mldeck not built')
finally:
    srv.stop()
sys.exit(t.done())
