"""Strict recursive checker of a value against a botocore shape.

botocore's ParamValidator checks required members, unknown members, types
and minimum lengths/ranges, but not enums, maximums or patterns.  This
checker covers all of those; the server runs ParamValidator first on every
request and this checker after it, and (in --self-check mode) runs this
checker on every response it sends.

`wire` says how the value is represented: "json" (timestamps are epoch
numbers, blobs base64 strings) or "python" (timestamps may be numbers or
ISO strings, as the query protocol parser produces them).
"""

import base64
import re

_pattern_cache = {}


def _compiled(pattern):
    """Return the compiled model pattern, or None when Python's re cannot
    express it (the models use Java regexes, e.g. \\p{...} classes).  AWS
    matches a whole value against the pattern (Java's matches()), and these
    models carry the patterns without ^...$, so callers use fullmatch."""
    if pattern in _pattern_cache:
        return _pattern_cache[pattern]
    try:
        rx = re.compile(pattern, re.S)
    except re.error:
        rx = None
    _pattern_cache[pattern] = rx
    return rx


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


class ShapeErrors(object):
    def __init__(self):
        self.items = []

    def add(self, path, msg):
        self.items.append('%s: %s' % (path or '<top>', msg))

    def __bool__(self):
        return bool(self.items)

    def report(self, limit=20):
        lines = self.items[:limit]
        if len(self.items) > limit:
            lines.append('... and %d more' % (len(self.items) - limit))
        return '; '.join(lines)


def check(value, shape, wire='json', patterns=True, depth_limit=64):
    """Check value against shape; return a ShapeErrors (falsy when clean)."""
    errors = ShapeErrors()
    _check(value, shape, '', errors, wire, patterns, depth_limit)
    return errors


def _length_of(value, shape):
    if shape.type_name == 'string':
        return len(value)
    return len(value)


def _check_range(value, shape, path, errors, what):
    meta = shape.metadata
    lo, hi = meta.get('min'), meta.get('max')
    if lo is not None and value < lo:
        errors.add(path, '%s %s below minimum %s' % (what, value, lo))
    if hi is not None and value > hi:
        errors.add(path, '%s %s above maximum %s' % (what, value, hi))


def _check(value, shape, path, errors, wire, patterns, depth):
    if depth <= 0:
        return
    t = shape.type_name
    if value is None:
        errors.add(path, 'null value for %s' % t)
        return
    if t == 'structure':
        if shape.metadata.get('document'):
            return
        if not isinstance(value, dict):
            errors.add(path, 'expected object (%s), got %s' % (shape.name, type(value).__name__))
            return
        members = shape.members
        for name in shape.required_members:
            if name not in value:
                errors.add(path, 'missing required member %s' % name)
        for k, v in value.items():
            if k not in members:
                errors.add(path, 'unknown member %s (shape %s)' % (k, shape.name))
                continue
            _check(v, members[k], (path + '.' + k) if path else k, errors,
                   wire, patterns, depth - 1)
        if shape.metadata.get('union') and len(value) != 1:
            errors.add(path, 'union %s must have exactly one member set' % shape.name)
    elif t == 'list':
        if not isinstance(value, list):
            errors.add(path, 'expected list, got %s' % type(value).__name__)
            return
        _check_range(len(value), shape, path, errors, 'list length')
        for i, item in enumerate(value):
            _check(item, shape.member, '%s[%d]' % (path, i), errors, wire, patterns, depth - 1)
    elif t == 'map':
        if not isinstance(value, dict):
            errors.add(path, 'expected map, got %s' % type(value).__name__)
            return
        _check_range(len(value), shape, path, errors, 'map size')
        for k, v in value.items():
            _check(k, shape.key, '%s<key>' % path, errors, wire, patterns, depth - 1)
            _check(v, shape.value, '%s[%s]' % (path, k), errors, wire, patterns, depth - 1)
    elif t == 'string':
        if not isinstance(value, str):
            errors.add(path, 'expected string, got %s' % type(value).__name__)
            return
        if shape.metadata.get('jsonvalue'):
            return
        enum = shape.enum
        if enum and value not in enum:
            errors.add(path, 'value %r not in enum %s' % (value[:80], shape.name))
        _check_range(len(value), shape, path, errors, 'string length')
        pat = shape.metadata.get('pattern')
        if patterns and pat:
            rx = _compiled(pat)
            if rx is not None and not rx.fullmatch(value):
                errors.add(path, 'value %r does not match pattern %s' % (value[:80], pat))
    elif t in ('integer', 'long'):
        if not _is_int(value):
            errors.add(path, 'expected integer, got %s' % type(value).__name__)
            return
        _check_range(value, shape, path, errors, 'value')
    elif t in ('float', 'double'):
        if not _is_number(value):
            errors.add(path, 'expected number, got %s' % type(value).__name__)
            return
        _check_range(value, shape, path, errors, 'value')
    elif t == 'boolean':
        if not isinstance(value, bool):
            errors.add(path, 'expected boolean, got %s' % type(value).__name__)
    elif t == 'timestamp':
        if wire == 'json':
            if not _is_number(value):
                errors.add(path, 'expected epoch-seconds number for timestamp, got %s'
                           % type(value).__name__)
        elif not (_is_number(value) or isinstance(value, str)):
            errors.add(path, 'bad timestamp %r' % (value,))
    elif t == 'blob':
        if not isinstance(value, (str, bytes)):
            errors.add(path, 'expected base64 string for blob')
            return
        if isinstance(value, str):
            try:
                base64.b64decode(value, validate=True)
            except Exception:
                errors.add(path, 'blob is not valid base64')
    else:
        errors.add(path, 'unsupported shape type %s' % t)
