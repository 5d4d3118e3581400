"""SigV4 verification of an incoming request.

The project's shared verifier is tests/servers/sigv4check.py (owned by the
net helper).  When it is importable and offers `verify(...)`, the server uses
it; otherwise this module's own verifier (botocore's SigV4Auth recomputing
the signature over exactly the signed headers) is used.  Both return a
SigResult.
"""

import datetime
import hashlib
import hmac
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()
MAX_SKEW_SECONDS = 15 * 60

_AUTH_RE = re.compile(
    r'^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,'
    r'\s*Signature=([0-9a-f]{64})\s*$')


class SigResult(object):
    """ok; code (AWS error code when not ok); message; access_key; region;
    service (signing name from the credential scope)."""

    def __init__(self, ok, code='', message='', access_key='', region='', service=''):
        self.ok = ok
        self.code = code
        self.message = message
        self.access_key = access_key
        self.region = region
        self.service = service


def parse_authorization(value):
    """Return (access_key, date, region, service, signed_headers list,
    signature) or None."""
    m = _AUTH_RE.match(value or '')
    if not m:
        return None
    scope = m.group(1).split('/')
    if len(scope) != 5 or scope[4] != 'aws4_request':
        return None
    return (scope[0], scope[1], scope[2], scope[3], m.group(2).split(';'), m.group(3))


def credential_scope_service(headers):
    """The signing name in the Authorization header, or '' (used for
    routing before verification)."""
    parsed = parse_authorization(headers.get('Authorization', ''))
    return parsed[3] if parsed else ''


def _parse_amz_date(value):
    try:
        return datetime.datetime.strptime(value, '%Y%m%dT%H%M%SZ').replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def verify(method, path_and_query, header_pairs, body, keys, now=None, host_default=None):
    """Verify a request.

    header_pairs: list of (name, value) in wire order (repeats allowed).
    keys: dict access key id -> secret access key.
    now: server time (datetime, UTC) for the skew check.
    """
    headers = {}
    for k, v in header_pairs:
        headers.setdefault(k.lower(), []).append(v)
    auth = headers.get('authorization', [''])[0]
    if not auth:
        return SigResult(False, 'MissingAuthenticationTokenException',
                         'Missing Authentication Token')
    parsed = parse_authorization(auth)
    if parsed is None:
        return SigResult(False, 'IncompleteSignatureException',
                         'Authorization header requires Credential, SignedHeaders and '
                         'Signature parameters (AWS4-HMAC-SHA256). Authorization=%s'
                         % auth.split(' ')[0])
    akid, date, region, service, signed, signature = parsed
    res = SigResult(False, access_key=akid, region=region, service=service)
    if akid not in keys:
        res.code = 'UnrecognizedClientException'
        res.message = 'The security token included in the request is invalid.'
        return res
    amz_date = (headers.get('x-amz-date') or [''])[0]
    when = _parse_amz_date(amz_date)
    if when is None:
        res.code = 'IncompleteSignatureException'
        res.message = 'Authorization header requires existence of either a ' \
                      "'X-Amz-Date' or a 'Date' header."
        return res
    if amz_date[:8] != date:
        res.code = 'InvalidSignatureException'
        res.message = 'Date in Credential scope does not match YYYYMMDD from ISO-8601 ' \
                      'version of date from HTTP: %s != %s' % (date, amz_date[:8])
        return res
    if 'host' not in signed:
        res.code = 'InvalidSignatureException'
        res.message = "'Host' must be a 'SignedHeader' in the AWS Authorization."
        return res
    for name in signed:
        if name not in headers:
            res.code = 'InvalidSignatureException'
            res.message = 'The request signature we calculated does not match the ' \
                          'signature you provided. (signed header %s is absent)' % name
            return res
    if now is not None:
        skew = abs((now - when).total_seconds())
        if skew > MAX_SKEW_SECONDS:
            res.code = 'InvalidSignatureException'
            res.message = 'Signature expired: %s is now earlier than %s (%s - 15 min.)' % (
                amz_date, (now - datetime.timedelta(seconds=MAX_SKEW_SECONDS)).strftime(
                    '%Y%m%dT%H%M%SZ'), now.strftime('%Y%m%dT%H%M%SZ'))
            return res
    content_sha = headers.get('x-amz-content-sha256', [None])[0]
    if content_sha is not None and content_sha != 'UNSIGNED-PAYLOAD' and \
            content_sha != hashlib.sha256(body or b'').hexdigest():
        res.code = 'InvalidSignatureException'
        res.message = 'The provided x-amz-content-sha256 header does not match what was computed.'
        return res

    expected = compute_signature(method, path_and_query, headers, signed, body,
                                 akid, keys[akid], region, service, amz_date)
    if not hmac.compare_digest(expected, signature):
        res.code = 'InvalidSignatureException'
        res.message = 'The request signature we calculated does not match the signature ' \
                      'you provided. Check your AWS Secret Access Key and signing method. ' \
                      'Consult the service documentation for details.'
        return res
    res.ok = True
    return res


def compute_signature(method, path_and_query, headers, signed, body, akid, secret,
                      region, service, amz_date):
    """Recompute the SigV4 signature with botocore over the signed headers.
    headers: dict lower-case name -> list of values."""
    req = AWSRequest(method=method, url='http://%s%s' % (headers['host'][0], path_and_query),
                     data=body or b'')
    # AWSRequest adds no headers of its own; give it exactly the signed ones.
    for name in signed:
        for v in headers[name]:
            req.headers.add_header(name, v)
    req.context['timestamp'] = amz_date
    signer = SigV4Auth(Credentials(akid, secret), service, region)
    # botocore would drop a few hop-by-hop headers from the signed set; the
    # client decided what it signed, so honour its list exactly.
    signer.headers_to_sign = lambda request: _SignedView(request, signed)
    canonical = signer.canonical_request(req)
    sts = signer.string_to_sign(req, canonical)
    return signer.signature(sts, req)


class _SignedView(object):
    """What SigV4Auth.headers_to_sign returns: an HTTPHeaders-like mapping of
    lower-case name -> values, restricted to the client's signed list."""

    def __init__(self, request, signed):
        self._req = request
        self._signed = list(signed)

    def __iter__(self):
        return iter(self._signed)

    def keys(self):
        return list(self._signed)

    def __contains__(self, name):
        return name in self._signed

    def get_all(self, name):
        return self._req.headers.get_all(name) or []

    def __getitem__(self, name):
        return self._req.headers[name]
