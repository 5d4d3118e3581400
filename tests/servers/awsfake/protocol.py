"""Wire protocols: awsJson1_0/1_1 bodies and errors, and the query protocol
(form POST in, XML out) that CloudWatch also accepts."""

import base64
import datetime
import json
import urllib.parse
from xml.sax.saxutils import escape as xml_escape


class ApiError(Exception):
    """An AWS error reply.  code is the error code clients see; status the
    HTTP status; namespace, when set, prefixes __type the way the
    coral-framework errors do (e.g. com.amazon.coral.service)."""

    def __init__(self, code, message, status=400, namespace=None, sender=True):
        Exception.__init__(self, '%s: %s' % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.namespace = namespace
        self.sender = sender


CORAL = {
    'ValidationException': 'com.amazon.coral.validate',
    'SerializationException': 'com.amazon.coral.service',
    'UnknownOperationException': 'com.amazon.coral.service',
    'InvalidSignatureException': 'com.amazon.coral.service',
    'IncompleteSignatureException': 'com.amazon.coral.service',
    'MissingAuthenticationTokenException': 'com.amazon.coral.service',
    'UnrecognizedClientException': 'com.amazon.coral.service',
    'AccessDeniedException': 'com.amazon.coral.service',
    'ThrottlingException': 'com.amazon.coral.availability',
    'InternalFailure': 'com.amazon.coral.service',
    'ServiceUnavailableException': 'com.amazon.coral.availability',
}


def coral_error(code, message, status=400):
    return ApiError(code, message, status, namespace=CORAL.get(code),
                    sender=status < 500)


# ---------------------------------------------------------------- JSON

def json_error(service, err):
    """(status, headers, body bytes) for an error on a JSON protocol."""
    type_name = ('%s#%s' % (err.namespace, err.code)) if err.namespace else err.code
    query_code = _query_code(err.code)
    if service.key == 'monitoring' and not err.namespace:
        # awsQueryCompatible: __type names the error shape, the header the query code
        shape_name = service.error_shapes.get(err.code)
        if shape_name:
            type_name, query_code = shape_name, err.code
    body = {'__type': type_name}
    # Modeled error shapes name their text member Message or message.
    msg_member = 'message'
    try:
        shape = service.model.shape_for(service.error_shapes.get(err.code, err.code))
        if 'Message' in shape.members:
            msg_member = 'Message'
    except Exception:
        pass
    body[msg_member] = err.message
    headers = {
        'Content-Type': 'application/x-amz-json-%s' % service.json_version,
        'x-amzn-ErrorType': ('%s:http://internal.amazon.com/coral/%s/' % (err.code, err.namespace))
        if err.namespace else err.code,
    }
    if service.key == 'monitoring':
        # awsQueryCompatible services tell query-era clients the code.
        headers['x-amzn-query-error'] = '%s;%s' % (query_code,
                                                   'Sender' if err.sender else 'Receiver')
    return err.status, headers, json.dumps(body).encode()


class Prencoded(dict):
    """A reply dict some of whose list members also come as ready JSON
    fragments (fragments: member name -> list of JSON texts, one per item),
    so big list pages of unchanging items are not encoded again each time."""

    def __init__(self, data, fragments):
        dict.__init__(self, data)
        self.fragments = fragments


def _encode(data):
    if isinstance(data, Prencoded):
        parts = []
        for k, v in data.items():
            if k in data.fragments:
                parts.append('%s:[%s]' % (json.dumps(k), ','.join(data.fragments[k])))
            else:
                parts.append('%s:%s' % (json.dumps(k), json.dumps(v, separators=(',', ':'))))
        return ('{' + ','.join(parts) + '}').encode()
    return json.dumps(data, separators=(',', ':')).encode()


def json_reply(service, data):
    return 200, {'Content-Type': 'application/x-amz-json-%s' % service.json_version}, \
        _encode(data)


# ---------------------------------------------------------------- query

def _iso_to_epoch(text):
    t = text.strip()
    try:
        return float(t)
    except ValueError:
        pass
    if t.endswith('Z'):
        t = t[:-1] + '+00:00'
    dt = datetime.datetime.fromisoformat(t)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def parse_query_body(body):
    """Form body -> dict of flat keys (the last value wins for repeats)."""
    pairs = urllib.parse.parse_qsl(body.decode('utf-8'), keep_blank_values=True,
                                   strict_parsing=False)
    return dict(pairs)


def query_to_params(flat, shape):
    """Turn flat query keys (Action/Version removed) into the nested
    parameter dict of `shape`.  Raises ApiError on an unknown key or a
    scalar that does not parse; returns the dict."""
    consumed = set()
    params = _q_struct(flat, shape, '', consumed)
    unknown = sorted(set(flat) - consumed)
    if unknown:
        raise coral_error('ValidationException',
                          'Unknown parameter in input: "%s"' % unknown[0])
    return params


def _member_key(shape, name):
    return shape.serialization.get('name', name)


def _q_value(flat, shape, key, consumed):
    t = shape.type_name
    if t == 'structure':
        v = _q_struct(flat, shape, key + '.', consumed)
        return v if v else None
    if t == 'list':
        flattened = shape.serialization.get('flattened')
        inner = key if flattened else key + '.' + shape.member.serialization.get('name', 'member')
        items = []
        if key in flat and flat[key] == '':
            consumed.add(key)
            return []
        i = 1
        while True:
            v = _q_value(flat, shape.member, '%s.%d' % (inner, i), consumed)
            if v is None:
                break
            items.append(v)
            i += 1
        return items if items else None
    if t == 'map':
        prefix = key + '.entry'
        out = {}
        i = 1
        while True:
            k = _q_value(flat, shape.key, '%s.%d.key' % (prefix, i), consumed)
            if k is None:
                break
            out[k] = _q_value(flat, shape.value, '%s.%d.value' % (prefix, i), consumed)
            i += 1
        return out if out else None
    if key not in flat:
        return None
    consumed.add(key)
    raw = flat[key]
    try:
        if t in ('integer', 'long'):
            return int(raw)
        if t in ('float', 'double'):
            return float(raw)
        if t == 'boolean':
            if raw not in ('true', 'false'):
                raise ValueError(raw)
            return raw == 'true'
        if t == 'timestamp':
            return _iso_to_epoch(raw)
    except ValueError:
        raise coral_error('ValidationException',
                          'Invalid value %r for parameter %s (%s)' % (raw, key, t))
    return raw


def _q_struct(flat, shape, prefix, consumed):
    out = {}
    for name, member in shape.members.items():
        v = _q_value(flat, member, prefix + _member_key(member, name), consumed)
        if v is not None:
            out[name] = v
    return out


def _iso(epoch):
    dt = datetime.datetime.fromtimestamp(float(epoch), datetime.timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (dt.microsecond // 1000)


def _xml_value(value, shape, tag, out):
    t = shape.type_name
    if t == 'structure':
        out.append('<%s>' % tag)
        for name, member in shape.members.items():
            if name in value:
                _xml_value(value[name], member, _member_key(member, name), out)
        out.append('</%s>' % tag)
    elif t == 'list':
        mtag = shape.member.serialization.get('name', 'member')
        if shape.serialization.get('flattened'):
            for item in value:
                _xml_value(item, shape.member, tag, out)
        else:
            out.append('<%s>' % tag)
            for item in value:
                _xml_value(item, shape.member, mtag, out)
            out.append('</%s>' % tag)
    elif t == 'map':
        out.append('<%s>' % tag)
        for k, v in value.items():
            out.append('<entry>')
            _xml_value(k, shape.key, 'key', out)
            _xml_value(v, shape.value, 'value', out)
            out.append('</entry>')
        out.append('</%s>' % tag)
    else:
        if t == 'timestamp':
            text = _iso(value)
        elif t == 'boolean':
            text = 'true' if value else 'false'
        elif t == 'blob':
            text = value if isinstance(value, str) else base64.b64encode(value).decode()
        else:
            text = str(value)
        out.append('<%s>%s</%s>' % (tag, xml_escape(text), tag))


def query_reply(service, op_model, data, request_id):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<%sResponse xmlns="%s">' % (op_model.name, service.xml_namespace)]
    shape = op_model.output_shape
    wrapper = op_model._operation_model.get('output', {}).get('resultWrapper') \
        or '%sResult' % op_model.name
    if shape is not None:
        _xml_value(data, shape, wrapper, out)
    out.append('<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>' % request_id)
    out.append('</%sResponse>' % op_model.name)
    return 200, {'Content-Type': 'text/xml'}, ''.join(out).encode()


def query_error(service, err, request_id):
    body = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code>'
            '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>') % (
        service.xml_namespace, 'Sender' if err.sender else 'Receiver',
        xml_escape(_query_code(err.code)), xml_escape(err.message), request_id)
    return err.status, {'Content-Type': 'text/xml'}, body.encode()


_QUERY_CODES = {
    # the query protocol names these differently from the JSON protocols
    'InvalidSignatureException': 'SignatureDoesNotMatch',
    'UnrecognizedClientException': 'InvalidClientTokenId',
    'MissingAuthenticationTokenException': 'MissingAuthenticationToken',
    'IncompleteSignatureException': 'IncompleteSignature',
    'ThrottlingException': 'Throttling',
    'UnknownOperationException': 'InvalidAction',
    'InternalFailure': 'InternalFailure',
    'ValidationException': 'ValidationError',
}


def _query_code(code):
    return _QUERY_CODES.get(code, code)
