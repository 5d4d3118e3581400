"""Differential SigV4 test: thousands of random requests signed by mldeck
(tests/net/sigv4_signer) and by botocore's signer must carry identical
Authorization headers.

The requests are what an SDK puts on the wire: paths with unicode and
reserved characters (percent-encoded as botocore's serializers do, dot and
empty segments for non-S3 services), repeated and unsorted query keys,
bare keys, header names in mixed case with odd whitespace and repeats,
hop-by-hop headers, empty/text/binary bodies, S3 (signed and UNSIGNED
payload) and non-S3 services, ports, session tokens.

botocore 1.29 (Debian) never signs expect/user-agent/x-amzn-trace-id;
current botocore also leaves out the other hop-by-hop headers
(connection, keep-alive, proxy-*, te, trailer, transfer-encoding,
upgrade): the test gives botocore that current list, which mldeck follows.

Env: MLDECK_BUILDDIR (the signer binary), SIGV4_DIFF_N (default 4000),
SIGV4_DIFF_SEED.
"""
import json
import os
import random
import subprocess
import sys
from urllib.parse import quote

try:
    import botocore.auth as bauth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    print('1..0 # SKIP botocore not available to /usr/bin/python3')
    sys.exit(0)

bauth.SIGNED_HEADERS_BLACKLIST[:] = [
    'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te',
    'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id']

BUILD = os.environ.get('MLDECK_BUILDDIR', '.')
SIGNER = os.path.join(BUILD, 'tests', 'net', 'sigv4_signer')
N = int(os.environ.get('SIGV4_DIFF_N', '4000'))
SEED = int(os.environ.get('SIGV4_DIFF_SEED', str(random.randrange(1 << 30))))
rnd = random.Random(SEED)

CHARS = (list('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') +
         list("-_.~ !$&'()*+,;=:@%/?#[]\"<>\\^`{|}") +
         ['\u00e9', '\u1234', '\U0001F600', '\u00fc', '\t', '\u4e2d'])
SERVICES = ['s3', 's3', 'sagemaker', 'monitoring', 'logs', 'events', 'sts', 'execute-api',
            'sagemaker-mlflow', 'service']
REGIONS = ['us-east-1', 'eu-west-3', 'ap-southeast-2', 'cn-north-1', 'us-gov-west-1']
HEADER_NAMES = ['Content-Type', 'x-amz-meta-Foo', 'X-Custom', 'Range', 'If-Match',
                'X-Amz-Target', 'content-md5', 'Cache-Control', 'x-AMZ-acl', 'My-Header1',
                'User-Agent', 'Expect', 'Connection', 'Transfer-Encoding', 'X-Amzn-Trace-Id',
                'Keep-Alive', 'TE', 'Upgrade', 'Proxy-Authorization']
VALUE_CHARS = list('abcXYZ0189-_/+=:;,."()<>@?*&%') + [' ', ' ', '  ', '\t']


def rstr(pool, lo, hi):
    return ''.join(rnd.choice(pool) for _ in range(rnd.randint(lo, hi)))


def rpath(s3):
    segs = []
    for _ in range(rnd.randint(0, 5)):
        r = rnd.random()
        if not s3 and r < 0.08:
            segs.append(rnd.choice(['.', '..', '']))
        else:
            segs.append(quote(rstr(CHARS, 1, 8), safe='~'))
    path = '/' + '/'.join(segs)
    if rnd.random() < 0.2:
        path += '/'
    return path


def rquery():
    if rnd.random() < 0.25:
        return ''
    parts = []
    keys = [rstr(CHARS, 1, 6) for _ in range(rnd.randint(1, 4))]
    for _ in range(rnd.randint(1, 7)):
        k = quote(rnd.choice(keys), safe='-_.~')
        r = rnd.random()
        if r < 0.1:
            parts.append(k)                      # bare key: "?uploads"
        else:
            parts.append('%s=%s' % (k, quote(rstr(CHARS, 0, 10), safe='-_.~')))
    return '?' + '&'.join(parts)


def rvalue():
    v = rstr(VALUE_CHARS, 0, 14)
    if rnd.random() < 0.3:
        v = '  ' + v + ' \t '
    return v


def make_case(i):
    service = rnd.choice(SERVICES)
    s3 = service == 's3'
    scheme = rnd.choice(['https', 'https', 'http'])
    host = rnd.choice(['example.amazonaws.com', 'bucket.s3.us-east-1.amazonaws.com',
                       '127.0.0.1', 'localhost', 'api.sagemaker.eu-west-3.amazonaws.com'])
    port = rnd.choice(['', '', ':443', ':80', ':4566', ':9000'])
    url = '%s://%s%s%s%s' % (scheme, host, port, rpath(s3), rquery())
    headers = []
    for _ in range(rnd.randint(0, 6)):
        name = rnd.choice(HEADER_NAMES)
        headers.append([name, rvalue()])
    if rnd.random() < 0.15:
        headers.append(['Host', rnd.choice(['Example.com', 'h.example:8080', ' spaced.host '])])
    if not s3 and rnd.random() < 0.05:
        headers.append(['X-Amz-Content-SHA256', 'beefbeef'])
    r = rnd.random()
    if r < 0.4:
        body = b''
    elif r < 0.7:
        body = rstr(CHARS, 1, 200).encode('utf-8')
    else:
        body = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 300)))
    token = ''
    if rnd.random() < 0.35:
        token = rstr(list('ABCDEFabcdef0123456789/+='), 20, 300)
    date = '20%02d%02d%02dT%02d%02d%02dZ' % (rnd.randint(10, 40), rnd.randint(1, 12),
                                              rnd.randint(1, 28), rnd.randint(0, 23),
                                              rnd.randint(0, 59), rnd.randint(0, 59))
    return {
        'method': rnd.choice(['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH']),
        'url': url,
        'headers': headers,
        'body_hex': body.hex(),
        'service': service,
        'region': rnd.choice(REGIONS),
        'akid': 'AKIA' + rstr(list('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), 16, 16),
        'secret': rstr(list('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+'),
                       40, 40),
        'token': token,
        'date': date,
        'unsigned': s3 and rnd.random() < 0.3,
    }


class _S3Config(object):
    s3 = {'payload_signing_enabled': False}


def botocore_sign(c):
    req = AWSRequest(method=c['method'], url=c['url'], data=bytes.fromhex(c['body_hex']))
    for k, v in c['headers']:
        req.headers[k] = v
    creds = Credentials(c['akid'], c['secret'], c['token'] or None)
    cls = bauth.S3SigV4Auth if c['service'] == 's3' else bauth.SigV4Auth
    signer = cls(creds, c['service'], c['region'])
    req.context['timestamp'] = c['date']
    if c['unsigned']:
        req.context['client_config'] = _S3Config()
        req.context['payload_signing_enabled'] = False
        req.url = req.url.replace('http://', 'https://', 1)
    # add_auth without the wall clock: the same steps, fixed timestamp.
    signer._modify_request_before_signing(req)
    cr = signer.canonical_request(req)
    sts = signer.string_to_sign(req, cr)
    signer._inject_signature_to_request(req, signer.signature(sts, req))
    return req.headers['Authorization'], cr


def botocore_presign(c):
    import datetime
    req = AWSRequest(method=c['method'], url=c['url'], data=b'')
    creds = Credentials(c['akid'], c['secret'], c['token'] or None)
    signer = bauth.S3SigV4QueryAuth(creds, 's3', c['region'], expires=c['presign'])
    req.context['timestamp'] = c['date']
    signer._modify_request_before_signing(req)
    cr = signer.canonical_request(req)
    sts = signer.string_to_sign(req, cr)
    signer._inject_signature_to_request(req, signer.signature(sts, req))
    return req.url


def presign_cases(n):
    out = []
    for i in range(n):
        c = make_case(i)
        c.update(service='s3', method=rnd.choice(['GET', 'GET', 'PUT', 'HEAD']), headers=[],
                 body_hex='', unsigned=False, presign=rnd.randint(1, 604800))
        # botocore's presigner keeps one value per query name (parse_qs): no repeats here
        path, _, q = c['url'].partition('?')
        seen, parts = set(), []
        for part in q.split('&') if q else []:
            k = part.partition('=')[0]
            if k not in seen and '=' in part:
                seen.add(k)
                parts.append(part)
        c['url'] = path + ('?' + '&'.join(parts) if parts else '')
        out.append(c)
    return out


def main():
    if not os.path.exists(SIGNER):
        print('1..0 # SKIP %s not built' % SIGNER)
        return 0
    cases = [make_case(i) for i in range(N)]
    for c in cases:
        if c['unsigned']:
            c['url'] = c['url'].replace('http://', 'https://', 1)
    data = ''.join(json.dumps(c) + '\n' for c in cases)
    out = subprocess.run([SIGNER], input=data.encode(), stdout=subprocess.PIPE,
                         check=True).stdout.decode().splitlines()
    n = 0
    failures = 0
    by_kind = {}
    for c, got in zip(cases, out):
        want, cr = botocore_sign(c)
        kind = 's3' if c['service'] == 's3' else 'other'
        by_kind.setdefault(kind, [0, 0])
        by_kind[kind][0] += 1
        if got != want:
            by_kind[kind][1] += 1
            failures += 1
            if failures <= 5:
                print('# mismatch (seed %d): %s' % (SEED, json.dumps(c)))
                print('#   mldeck:   %s' % got)
                print('#   botocore: %s' % want)
                print('#   botocore canonical request:')
                for line in cr.split('\n'):
                    print('#     %r' % line)
    n += 1
    print('%s %d - %d requests signed identically by mldeck and botocore (seed %d)' % (
        'ok' if failures == 0 and len(out) == len(cases) else 'not ok', n, len(cases), SEED))
    for kind in sorted(by_kind):
        n += 1
        total, bad = by_kind[kind]
        print('%s %d - %s: %d of %d identical' % ('ok' if bad == 0 else 'not ok', n, kind,
                                                   total - bad, total))
    # Presigned URLs (S3 query signing) against botocore's S3SigV4QueryAuth:
    # the same signature; the same URL when there was no query to reorder.
    pcases = presign_cases(max(N // 4, 50))
    pdata = ''.join(json.dumps(c) + '\n' for c in pcases)
    pout = subprocess.run([SIGNER], input=pdata.encode(), stdout=subprocess.PIPE,
                          check=True).stdout.decode().splitlines()
    bad = 0
    for c, got in zip(pcases, pout):
        want = botocore_presign(c)
        sig = lambda u: u.rsplit('X-Amz-Signature=', 1)[-1]
        same = sig(got) == sig(want) and ('?' in c['url'] or got == want)
        if not same:
            bad += 1
            if bad <= 3:
                print('# presign mismatch: %s\n#   mldeck:   %s\n#   botocore: %s' % (
                    json.dumps(c), got, want))
    n += 1
    print('%s %d - %d presigned URLs identical to botocore\'s' % (
        'ok' if bad == 0 and len(pout) == len(pcases) else 'not ok', n, len(pcases) - bad))
    n += 1
    tok = sum(1 for c in cases if c['token'])
    uns = sum(1 for c in cases if c['unsigned'])
    print('%s %d - the sample covers session tokens (%d) and unsigned S3 payloads (%d)' % (
        'ok' if tok and uns else 'not ok', n, tok, uns))
    print('1..%d' % n)
    return 0


if __name__ == '__main__':
    sys.exit(main())
