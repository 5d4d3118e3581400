"""S3 against a real third-party server: s3rver 3.7.1 (npm, run as
`node --openssl-legacy-provider` under Node 20) on a free 127.0.0.1 port,
behind tests/servers/s3sigproxy.py, which verifies every SigV4 signature
(s3rver itself does not).  Lists 2,000 keys with pagination (s3rver's
continuation tokens are base64 with '+' and '/'), encoding-type=url asked
(s3rver ignores it and sends keys raw, so keys are decoded only when the
reply says <EncodingType>url</EncodingType>, as botocore does; the unit
test covers the encoded form), get with Range, head, put, NoSuchKey, and a presigned GET
fetched with plain curl."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import unquote

from nettest import NETC, Tap, need_binaries, netc

need_binaries(NETC)
try:
    from s3sigproxy import S3rver, SigProxy
except ImportError as e:
    print('1..0 # SKIP %s' % e)
    sys.exit(0)
if not S3rver.find():
    print('1..0 # SKIP node or tests/node_modules/s3rver missing '
          '(npm install --ignore-scripts --prefix tests)')
    sys.exit(0)

N = int(os.environ.get('S3_TEST_KEYS', '2000'))
BUCKET = 'mldeck-test'
t = Tap()
tmp = tempfile.mkdtemp(prefix='mldeck-s3rver-')
s3 = S3rver(tmp, buckets=[BUCKET]).start()
px = SigProxy(s3.url, keys={'S3RVER': 'S3RVER'}).start()
E = dict(AWS_ACCESS_KEY_ID='S3RVER', AWS_SECRET_ACCESS_KEY='S3RVER')
COMMON = ['--endpoint', px.url, '--service', 's3', '--region', 'us-east-1', '--path-style',
          '--bucket', BUCKET, '--base-ms', '5']


def key_of(i, prefix='k/'):
    # the same names netc s3-put-many makes
    return '%s%05d %s+&=%s.txt' % (prefix, i, 'a' if i % 3 else '\u00e9', 'x' if i % 2 else 'y/z')


try:
    r = netc('s3-put-many', *COMMON, '--count', N, '--prefix', 'k/', timeout=300, **E)
    t.eq((r.get('md_status'), r.get('put')), ('ok', N), 'put %d objects (each signature verified)' % N)
    t.ok(px.log and all(e['ok'] for e in px.log), 'the proxy verified every PUT',
         [e for e in px.log if not e['ok']][:3])

    px.log.clear()
    r = netc('s3-list', *COMMON, '--prefix', 'k/', '--max-keys', '700', **E)
    want = sorted(key_of(i) for i in range(N))
    t.eq(r.get('md_status'), 'ok', 'ListObjectsV2 over %d keys' % N)
    t.eq(r.get('pages'), (N + 699) // 700, 'pages of 700 keys')
    t.ok(r.get('keys') == want, 'every key once, decoded (spaces, +, &, =, unicode, /)',
         [k for k in (r.get('keys') or [])[:3]])
    tokens = []
    for e in px.log:
        q = e['path'].split('?', 1)[1] if '?' in e['path'] else ''
        t_ = [p.split('=', 1)[1] for p in q.split('&') if p.startswith('continuation-token=')]
        tokens += [unquote(x) for x in t_]
    t.ok(all(e['ok'] for e in px.log) and len(tokens) == r.get('pages', 0) - 1,
         'continuation tokens sent back, every listing request verified', tokens[:2])
    t.ok(any(('+' in x or '/' in x) for x in tokens), "tokens with '+' or '/' were signed correctly",
         tokens[:3])
    t.ok(all('encoding-type=url' in e['path'] for e in px.log), 'encoding-type=url asked')

    r = netc('s3-list', *COMMON, '--prefix', 'k/', **E)
    t.eq((r.get('pages'), len(r.get('keys') or [])), ((N + 999) // 1000, N),
         'default page size: past 1,000 keys works (openssl-legacy-provider)')

    r = netc('s3-list', *COMMON, '--prefix', 'k/0000', '--delimiter', '/', **E)
    t.ok(r.get('md_status') == 'ok' and 'k/00002 a+&=y/' in (r.get('prefixes') or []),
         'delimiter: CommonPrefixes decoded', r.get('prefixes', [])[:3])

    k7 = key_of(7)
    r = netc('s3-get', *COMMON, '--key', k7, '--range', 'bytes=0-3', **E)
    t.eq((r.get('md_status'), r.get('http'), r.get('body')), ('ok', 206, 'body'), 'GET with Range: 206')
    t.ok(r.get('content_range', '').startswith('bytes 0-3/'), 'Content-Range', r.get('content_range'))
    r = netc('s3-get', *COMMON, '--key', k7, **E)
    t.eq(r.get('body'), 'body 7\n', 'GET whole object')
    r = netc('s3-head', *COMMON, '--key', k7, **E)
    t.eq((r.get('md_status'), r.get('http'), r.get('content_length'), r.get('body')),
         ('ok', 200, '7', ''), 'HEAD: length, no body')
    r = netc('s3-get', *COMMON, '--key', 'k/missing', **E)
    t.eq((r.get('md_status'), r.get('code'), r.get('err_http')), ('notfound', 'NoSuchKey', 404),
         'GET of a missing key: NoSuchKey as a value')
    r = netc('s3-head', *COMMON, '--key', 'k/missing', **E)
    t.eq((r.get('md_status'), r.get('code')), ('notfound', '404'), 'HEAD of a missing key: bare 404')

    data = 'payload \u00fc ' * 50
    r = netc('s3-put', *COMMON, '--key', 'put/ü file~(1).bin', '--data', data, **E)
    md5 = hashlib.md5(data.encode()).hexdigest()
    t.ok(r.get('md_status') == 'ok' and md5 in r.get('etag', ''), 'PUT: ETag is the MD5', r)
    r = netc('s3-put', *COMMON, '--key', 'put/unsigned', '--data', 'u', '--unsigned', **E)
    t.eq(r.get('md_status'), 'ok', 'PUT with UNSIGNED-PAYLOAD')
    r = netc('s3-get', *COMMON, '--key', 'put/ü file~(1).bin', **E)
    t.eq(r.get('body'), data, 'GET returns what was PUT')

    r = netc('s3-put', *COMMON, '--key', 'x', '--data', 'x', AWS_ACCESS_KEY_ID='S3RVER',
             AWS_SECRET_ACCESS_KEY='wrong')
    t.eq((r.get('err_http'), r.get('code')), (403, 'SignatureDoesNotMatch'),
         'wrong secret: 403 SignatureDoesNotMatch from the checking proxy')

    curl = shutil.which('curl')
    r = netc('s3-presign', *COMMON, '--key', k7, '--expires', '120', **E)
    url = r.get('url', '')
    if curl:
        p = subprocess.run([curl, '-s', '-w', '\n%{http_code}', url], stdout=subprocess.PIPE,
                           timeout=30)
        out = p.stdout.decode().rsplit('\n', 1)
        t.eq(out, ['body 7\n', '200'], 'presigned GET fetched with plain curl')
        bad = url.replace('X-Amz-Expires=120', 'X-Amz-Expires=121')
        p = subprocess.run([curl, '-s', '-o', '/dev/null', '-w', '%{http_code}', bad],
                           stdout=subprocess.PIPE, timeout=30)
        t.eq(p.stdout.decode(), '403', 'a presigned URL changed after signing is refused')
    else:
        t.ok(True, '# SKIP curl not installed')
        t.ok(True, '# SKIP curl not installed')
finally:
    px.stop()
    s3.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
