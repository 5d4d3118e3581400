"""Server-side SigV4 verification for mldeck's test servers.

Given a request as a server received it (method, raw path + query, header
pairs in wire order, body bytes) and a table of known access keys, recompute
the signature the way AWS does and answer ok or an AWS-style refusal.  The
HMAC chain, canonical headers and string to sign come from botocore's own
signer (Debian's python3-botocore, /usr/bin/python3); what AWS does on its
side and botocore cannot know (which headers the client signed, the
decoding of the wire URL) is done here:

* the headers signed are exactly the client's SignedHeaders list (botocore
  drops a few hop-by-hop names on the client side; a server honours the
  list);
* the canonical query is rebuilt from the wire query: every name and value
  percent-decoded (``+`` stays a ``+``) and encoded again with the SigV4
  unreserved set, pairs sorted by (name, value);
* the canonical URI is botocore's: S3 verbatim, other services normalised
  and encoded once more.

Public API (also used by the fake SageMaker server, tests/servers/awsfake):

    res = verify(method, path_and_query, header_pairs, body, keys,
                 now=None, protocol=None)
    res.ok, res.status, res.code, res.message, res.access_key, res.region,
    res.service

keys: {access_key_id: secret} or {access_key_id: (secret, session_token)};
with a session token the request must carry it in X-Amz-Security-Token
(signed).  now: a timezone-aware datetime for the 15-minute skew check
(None = the real clock; False = no check).  protocol: 'json', 'query' or
's3' picks the error codes AWS uses for that protocol (default from the
signing name: s3 -> s3, sts/monitoring -> query, others json).

Presigned URLs (X-Amz-Signature in the query) are verified too.

Self-test: /usr/bin/python3 sigv4check.py  (prints TAP).
"""

import datetime
import hashlib
import hmac
import re
from urllib.parse import quote, unquote_to_bytes

from botocore.auth import SigV4Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()
MAX_SKEW = datetime.timedelta(minutes=15)
S3_SERVICES = ('s3', 's3-object-lambda', 's3-outposts')

_AUTH_RE = re.compile(
    r'^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,'
    r'\s*Signature=([0-9a-fA-F]+)\s*$')

# Error codes per protocol: (missing, malformed, unknown key, bad token,
# mismatch, expired).
_CODES = {
    'json': {
        'missing': (403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
        'incomplete': (403, 'IncompleteSignatureException', None),
        'unknown_key': (403, 'UnrecognizedClientException',
                        'The security token included in the request is invalid.'),
        'bad_token': (403, 'UnrecognizedClientException',
                      'The security token included in the request is invalid.'),
        'mismatch': (403, 'InvalidSignatureException', None),
        'expired': (403, 'InvalidSignatureException', None),
    },
    'query': {
        'missing': (403, 'MissingAuthenticationToken',
                    'Request is missing Authentication Token'),
        'incomplete': (403, 'IncompleteSignature', None),
        'unknown_key': (403, 'InvalidClientTokenId',
                        'The security token included in the request is invalid.'),
        'bad_token': (403, 'InvalidClientTokenId',
                      'The security token included in the request is invalid.'),
        'mismatch': (403, 'SignatureDoesNotMatch', None),
        'expired': (403, 'SignatureDoesNotMatch', None),
    },
    's3': {
        'missing': (403, 'AccessDenied', 'Access Denied'),
        'incomplete': (400, 'AuthorizationHeaderMalformed', None),
        'unknown_key': (403, 'InvalidAccessKeyId',
                        'The AWS Access Key Id you provided does not exist in our records.'),
        'bad_token': (400, 'InvalidToken', 'The provided token is malformed or otherwise invalid.'),
        'mismatch': (403, 'SignatureDoesNotMatch', None),
        'expired': (403, 'RequestTimeTooSkewed',
                    'The difference between the request time and the current time is too large.'),
    },
}

MISMATCH_MESSAGE = ('The request signature we calculated does not match the signature you '
                    'provided. Check your AWS Secret Access Key and signing method. Consult '
                    'the service documentation for details.')


class Result(object):
    """The verdict.  ok; status (HTTP status to answer, 200 when ok); code
    and message (AWS error); access_key, region, service (from the
    credential scope, '' when unknown); canonical_request and
    string_to_sign (what this side computed, for debugging a mismatch)."""

    def __init__(self, ok=False, status=200, code='', message='', access_key='',
                 region='', service=''):
        self.ok = ok
        self.status = status
        self.code = code
        self.message = message
        self.access_key = access_key
        self.region = region
        self.service = service
        self.canonical_request = ''
        self.string_to_sign = ''

    def __repr__(self):
        return 'Result(ok=%r, status=%r, code=%r, message=%r)' % (
            self.ok, self.status, self.code, self.message)


def _protocol_for(service):
    if service in S3_SERVICES:
        return 's3'
    if service in ('sts', 'monitoring'):
        return 'query'
    return 'json'


def _fail(res, protocol, kind, message=None):
    status, code, default = _CODES[protocol][kind]
    res.ok = False
    res.status = status
    res.code = code
    res.message = message or default or ''
    return res


def parse_authorization(value):
    """(access_key, date, region, service, [signed header names], signature)
    or None when the header is not a well-formed SigV4 Authorization."""
    m = _AUTH_RE.match(value or '')
    if not m:
        return None
    scope = m.group(1).split('/')
    if len(scope) != 5 or scope[4] != 'aws4_request':
        return None
    return (scope[0], scope[1], scope[2], scope[3], m.group(2).split(';'), m.group(3))


def credential_scope_service(header_pairs):
    """The signing name in the Authorization header (or presigned query),
    '' if none: lets a server route before verifying."""
    for k, v in header_pairs:
        if k.lower() == 'authorization':
            p = parse_authorization(v)
            return p[3] if p else ''
    return ''


def _parse_amz_date(value):
    try:
        return datetime.datetime.strptime(value, '%Y%m%dT%H%M%SZ').replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def _encode(raw):
    """Decode %XX escapes of a wire query component, encode again with the
    SigV4 unreserved set (A-Z a-z 0-9 - _ . ~)."""
    return quote(unquote_to_bytes(raw), safe='-_.~')


def canonical_query(raw_query, drop=()):
    pairs = []
    for part in raw_query.split('&') if raw_query else []:
        if part == '':
            continue
        name, _, value = part.partition('=')
        if unquote_to_bytes(name).decode('utf-8', 'replace') in drop:
            continue
        pairs.append((_encode(name), _encode(value)))
    pairs.sort()
    return '&'.join('%s=%s' % p for p in pairs)


def _query_params(raw_query):
    out = {}
    for part in raw_query.split('&') if raw_query else []:
        name, _, value = part.partition('=')
        out.setdefault(unquote_to_bytes(name).decode('utf-8', 'replace'), []).append(
            unquote_to_bytes(value).decode('utf-8', 'replace'))
    return out


class _Signer(object):
    """botocore's signer with the server-side choices described above."""

    def __init__(self, akid, secret, service, region, signed, canonical_qs):
        cls = S3SigV4Auth if service in S3_SERVICES else SigV4Auth
        self.s = cls(Credentials(akid, secret), service, region)
        signed = list(signed)
        qs = canonical_qs

        def headers_to_sign(request):
            hm = HTTPHeaders()
            for name in signed:
                for v in request.headers.get_all(name) or []:
                    hm[name] = v
            return hm

        self.s.headers_to_sign = headers_to_sign
        self.s.canonical_query_string = lambda request: qs

    def sign(self, req, payload_hash):
        self.s.payload = lambda request: payload_hash
        cr = self.s.canonical_request(req)
        sts = self.s.string_to_sign(req, cr)
        return cr, sts, self.s.signature(sts, req)


def _build_request(method, path, header_map, signed, body, amz_date):
    host = (header_map.get('host') or ['localhost'])[0].strip()
    req = AWSRequest(method=method, url='http://%s%s' % (host, path), data=body or b'')
    for name in signed:
        for v in header_map.get(name, []):
            req.headers[name] = v      # HTTPHeaders appends: repeats stay in order
    req.context['timestamp'] = amz_date
    return req


def _check_time(res, protocol, when, now):
    if now is False:
        return None
    if now is None:
        now = datetime.datetime.now(datetime.timezone.utc)
    if abs(now - when) > MAX_SKEW:
        if protocol == 's3':
            return _fail(res, protocol, 'expired')
        return _fail(res, protocol, 'expired',
                     'Signature expired: %s is now earlier than %s (%s - 15 min.)' % (
                         when.strftime('%Y%m%dT%H%M%SZ'),
                         (now - MAX_SKEW).strftime('%Y%m%dT%H%M%SZ'),
                         now.strftime('%Y%m%dT%H%M%SZ')))
    return None


def _secret_and_token(keys, akid):
    v = keys[akid]
    if isinstance(v, (tuple, list)):
        return v[0], (v[1] if len(v) > 1 else None)
    return v, None


def verify(method, path_and_query, header_pairs, body, keys, now=None, protocol=None,
           host_default=None):
    """See the module docstring.  header_pairs: iterable of (name, value) in
    wire order; header_pairs may also be a dict.  body: bytes."""
    if isinstance(header_pairs, dict):
        header_pairs = list(header_pairs.items())
    body = body or b''
    header_map = {}
    for k, v in header_pairs:
        header_map.setdefault(k.lower(), []).append(v)
    if host_default and 'host' not in header_map:
        header_map['host'] = [host_default]
    path, _, raw_query = path_and_query.partition('?')
    qp = _query_params(raw_query)
    if 'X-Amz-Signature' in qp and 'authorization' not in header_map:
        return _verify_presigned(method, path, raw_query, qp, header_map, body, keys, now,
                                 protocol)

    auth = (header_map.get('authorization') or [''])[0]
    res = Result()
    if not auth:
        return _fail(res, protocol or 'json', 'missing')
    parsed = parse_authorization(auth)
    if parsed is None:
        return _fail(res, protocol or 'json', 'incomplete',
                     'Authorization header requires \'Credential\', \'SignedHeaders\' and '
                     '\'Signature\' parameters. Authorization=%s' % auth.split(' ')[0])
    akid, date, region, service, signed, signature = parsed
    protocol = protocol or _protocol_for(service)
    res.access_key, res.region, res.service = akid, region, service
    if akid not in keys:
        return _fail(res, protocol, 'unknown_key')
    secret, token = _secret_and_token(keys, akid)

    amz_date = (header_map.get('x-amz-date') or [''])[0]
    when = _parse_amz_date(amz_date)
    if when is None:
        return _fail(res, protocol, 'incomplete',
                     "Authorization header requires existence of either a 'X-Amz-Date' "
                     "or a 'Date' header.")
    if amz_date[:8] != date:
        return _fail(res, protocol, 'mismatch',
                     'Date in Credential scope does not match YYYYMMDD from ISO-8601 '
                     'version of date from HTTP: \'%s\' != \'%s\'' % (date, amz_date[:8]))
    if 'host' not in signed:
        return _fail(res, protocol, 'incomplete',
                     "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
                     "Authorization.")
    if token is not None:
        sent = header_map.get('x-amz-security-token')
        if not sent or sent[0] != token or 'x-amz-security-token' not in signed:
            return _fail(res, protocol, 'bad_token')
    elif 'x-amz-security-token' in header_map:
        return _fail(res, protocol, 'bad_token')
    if signed != sorted(signed) or len(set(signed)) != len(signed):
        return _fail(res, protocol, 'mismatch', MISMATCH_MESSAGE)
    for name in signed:
        if name not in header_map:
            return _fail(res, protocol, 'mismatch', MISMATCH_MESSAGE)
    bad = _check_time(res, protocol, when, now)
    if bad:
        return bad

    content_sha = (header_map.get('x-amz-content-sha256') or [None])[0]
    if protocol == 's3' and content_sha is None:
        return _fail(res, protocol, 'mismatch',
                     'Missing required header for this request: x-amz-content-sha256')
    if content_sha is not None and content_sha not in ('UNSIGNED-PAYLOAD',) and \
            content_sha != hashlib.sha256(body).hexdigest():
        res.ok, res.status = False, 400
        res.code = 'XAmzContentSHA256Mismatch'
        res.message = "The provided 'x-amz-content-sha256' header does not match what " \
                      "was computed."
        return res
    payload = content_sha if content_sha is not None else hashlib.sha256(body).hexdigest()

    req = _build_request(method, path, header_map, signed, body, amz_date)
    signer = _Signer(akid, secret, service, region, signed, canonical_query(raw_query))
    cr, sts, expected = signer.sign(req, payload)
    res.canonical_request, res.string_to_sign = cr, sts
    if not hmac.compare_digest(expected, signature.lower()):
        return _fail(res, protocol, 'mismatch', MISMATCH_MESSAGE)
    res.ok, res.status, res.code, res.message = True, 200, '', ''
    return res


def _verify_presigned(method, path, raw_query, qp, header_map, body, keys, now, protocol):
    res = Result()
    first = lambda k: (qp.get(k) or [''])[0]
    if first('X-Amz-Algorithm') != 'AWS4-HMAC-SHA256':
        return _fail(res, protocol or 's3', 'incomplete',
                     'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"')
    scope = first('X-Amz-Credential').split('/')
    if len(scope) != 5 or scope[4] != 'aws4_request':
        return _fail(res, protocol or 's3', 'incomplete',
                     'Error parsing the X-Amz-Credential parameter')
    akid, date, region, service = scope[:4]
    protocol = protocol or _protocol_for(service)
    res.access_key, res.region, res.service = akid, region, service
    if akid not in keys:
        return _fail(res, protocol, 'unknown_key')
    secret, token = _secret_and_token(keys, akid)
    if token is not None and first('X-Amz-Security-Token') != token:
        return _fail(res, protocol, 'bad_token')
    amz_date = first('X-Amz-Date')
    when = _parse_amz_date(amz_date)
    if when is None or amz_date[:8] != date:
        return _fail(res, protocol, 'incomplete', 'X-Amz-Date must be in the ISO8601 format')
    try:
        expires = int(first('X-Amz-Expires'))
    except ValueError:
        return _fail(res, protocol, 'incomplete', 'X-Amz-Expires should be a number')
    if not 1 <= expires <= 604800:
        return _fail(res, protocol, 'incomplete',
                     'X-Amz-Expires must be less than a week (in seconds) that is 604800')
    if now is not False:
        t = now or datetime.datetime.now(datetime.timezone.utc)
        if t > when + datetime.timedelta(seconds=expires):
            res.ok, res.status, res.code, res.message = False, 403, 'AccessDenied', \
                'Request has expired'
            return res
        if when - t > MAX_SKEW:
            return _fail(res, protocol, 'expired')
    signed = first('X-Amz-SignedHeaders').split(';')
    if 'host' not in signed:
        return _fail(res, protocol, 'incomplete', "'host' must be a signed header")
    for name in signed:
        if name not in header_map:
            return _fail(res, protocol, 'mismatch', MISMATCH_MESSAGE)
    req = _build_request(method, path, header_map, signed, b'', amz_date)
    signer = _Signer(akid, secret, service, region, signed,
                     canonical_query(raw_query, drop=('X-Amz-Signature',)))
    cr, sts, expected = signer.sign(req, 'UNSIGNED-PAYLOAD')
    res.canonical_request, res.string_to_sign = cr, sts
    if not hmac.compare_digest(expected, first('X-Amz-Signature').lower()):
        return _fail(res, protocol, 'mismatch', MISMATCH_MESSAGE)
    res.ok, res.status = True, 200
    return res


def error_body(res, request_id='00000000-0000-0000-0000-000000000000'):
    """(content-type, body bytes) of the error reply AWS would send for res
    under its protocol."""
    protocol = _protocol_for(res.service) if res.service else 'json'
    from xml.sax.saxutils import escape
    if protocol == 's3':
        return 'application/xml', (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s'
            '</Message><RequestId>%s</RequestId></Error>' % (
                escape(res.code), escape(res.message), request_id)).encode()
    if protocol == 'query':
        return 'text/xml', (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
            '<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>'
            '<RequestId>%s</RequestId></ErrorResponse>' % (
                escape(res.code), escape(res.message), request_id)).encode()
    import json
    return 'application/x-amz-json-1.1', json.dumps(
        {'__type': res.code, 'message': res.message}).encode()


def _selftest():
    """Signs requests with botocore as a client would and checks that they
    verify, and that tampering is refused."""
    from botocore.awsrequest import AWSRequest as R
    n = 0
    ok_all = True

    def check(cond, name):
        nonlocal n, ok_all
        n += 1
        ok_all &= bool(cond)
        print('%s %d - %s' % ('ok' if cond else 'not ok', n, name))

    keys = {'AKIDEXAMPLE': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
            'ASIATEMP': ('tempsecret', 'tok/en+=')}
    now = datetime.datetime.now(datetime.timezone.utc)

    def sign(service, method, url, headers, body, akid='AKIDEXAMPLE', secret=None,
             token=None):
        secret = secret or _secret_and_token(keys, akid)[0]
        r = R(method=method, url=url, data=body)
        for k, v in headers:
            r.headers[k] = v
        cls = S3SigV4Auth if service == 's3' else SigV4Auth
        cls(Credentials(akid, secret, token), service, 'us-east-1').add_auth(r)
        pq = url.split('//', 1)[1]
        pq = pq[pq.index('/'):] if '/' in pq else '/'
        hp = [(k, v) for k, v in r.headers.items()]
        if not any(k.lower() == 'host' for k, _ in hp):
            hp.append(('Host', url.split('//', 1)[1].split('/', 1)[0]))
        return hp, pq

    hp, pq = sign('sagemaker', 'POST', 'http://127.0.0.1:9000/', [
        ('X-Amz-Target', 'SageMaker.ListPipelines'),
        ('Content-Type', 'application/x-amz-json-1.1')], b'{}')
    check(verify('POST', pq, hp, b'{}', keys, now).ok, 'json request verifies')
    r = verify('POST', pq, hp, b'{"a":1}', keys, now)
    check(not r.ok and r.code == 'InvalidSignatureException', 'changed body refused')
    hp2 = [(k, 'SageMaker.StopPipelineExecution' if k == 'X-Amz-Target' else v)
           for k, v in hp]
    check(not verify('POST', pq, hp2, b'{}', keys, now).ok, 'changed signed header refused')
    check(verify('POST', pq, hp + [('X-Unsigned', 'x')], b'{}', keys, now).ok,
          'extra unsigned header is fine')
    r = verify('POST', pq, hp, b'{}', {'AKIDEXAMPLE': 'wrong'}, now)
    check(not r.ok and r.status == 403, 'wrong secret refused')
    r = verify('POST', pq, hp, b'{}', {}, now)
    check(r.code == 'UnrecognizedClientException', 'unknown key refused')
    r = verify('POST', pq, hp, b'{}', keys, now + datetime.timedelta(minutes=20))
    check(r.code == 'InvalidSignatureException' and 'expired' in r.message, 'skew refused')
    hp, pq = sign('sts', 'POST', 'http://127.0.0.1:9000/',
                  [('Content-Type', 'application/x-www-form-urlencoded')],
                  b'Action=GetCallerIdentity&Version=2011-06-15', 'ASIATEMP', token='tok/en+=')
    check(verify('POST', pq, hp, b'Action=GetCallerIdentity&Version=2011-06-15', keys,
                 now).ok, 'query request with session token verifies')
    hp3 = [(k, v) for k, v in hp if k != 'X-Amz-Security-Token']
    r = verify('POST', pq, hp3, b'Action=GetCallerIdentity&Version=2011-06-15', keys, now)
    check(r.code == 'InvalidClientTokenId', 'missing session token refused')
    url = 'http://127.0.0.1:9000/bucket/a%20b/c~d?list-type=2&prefix=x%2By&continuation-token=ab%2F%2Bc%3D'
    hp, pq = sign('s3', 'GET', url, [], b'')
    check(verify('GET', pq, hp, b'', keys, now).ok, 's3 request verifies')
    r = verify('GET', pq.replace('x%2By', 'x%2Bz'), hp, b'', keys, now)
    check(r.code == 'SignatureDoesNotMatch', 's3 changed query refused')
    # Presigned GET.
    from botocore.auth import S3SigV4QueryAuth
    r = R(method='GET', url='http://127.0.0.1:9000/bucket/key%20x', data=b'')
    S3SigV4QueryAuth(Credentials('AKIDEXAMPLE', keys['AKIDEXAMPLE']), 's3', 'us-east-1',
                     expires=60).add_auth(r)
    pq = r.url.split('127.0.0.1:9000', 1)[1]
    check(verify('GET', pq, [('Host', '127.0.0.1:9000')], b'', keys, now).ok,
          'presigned GET verifies')
    check(not verify('GET', pq.replace('key%20x', 'key%20y'), [('Host', '127.0.0.1:9000')],
                     b'', keys, now).ok, 'presigned GET of another key refused')
    print('1..%d' % n)
    return 0 if ok_all else 1


if __name__ == '__main__':
    raise SystemExit(_selftest())
