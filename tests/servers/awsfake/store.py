"""State shared by the services: clock, ids, paging, seeding dispatch."""

import base64
import hashlib
import json
import random
import time

from .protocol import coral_error


class Clock(object):
    """Wall-clock time; `scale` divides the durations of new state
    machines (time_scale 10: a training job that takes 5 s takes 0.5 s)."""

    def __init__(self, scale=1.0):
        self.scale = float(scale) if scale else 1.0

    def now(self):
        return time.time()

    def dur(self, seconds):
        return float(seconds) / self.scale


def stable_rand(*parts):
    """A random.Random seeded from the parts, so generated values (losses,
    durations) are the same on every run."""
    h = hashlib.sha256('\x00'.join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(h[:8], 'big'))


_ids = random.Random()


def short_id(n=12, *parts):
    """Lower-case alphanumeric id like SageMaker's execution ids (stable
    when parts are given)."""
    r = stable_rand(*parts) if parts else _ids
    v = r.getrandbits(6 * n)
    digits = '0123456789abcdefghijklmnopqrstuvwxyz'
    out = []
    for _ in range(n):
        v, k = divmod(v, 36)
        out.append(digits[k])
    return ''.join(out)


def encode_token(offset, kind):
    raw = json.dumps({'o': offset, 'k': kind}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip('=')


def decode_token(token, kind):
    try:
        pad = '=' * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(token + pad))
        if data.get('k') != kind:
            raise ValueError('token for another list')
        return int(data['o'])
    except Exception:
        raise coral_error('ValidationException', 'Invalid pagination token: %s' % token[:64])


def paginate(items, params, kind, default, maximum=None, token_in='NextToken',
             limit_in='MaxResults'):
    """Slice `items` per the request's token and limit; returns (page,
    next_token or None)."""
    start = decode_token(params[token_in], kind) if params.get(token_in) else 0
    limit = params.get(limit_in) or default
    if maximum:
        limit = min(limit, maximum)
    page = items[start:start + limit]
    nxt = encode_token(start + limit, kind) if start + limit < len(items) else None
    return page, nxt


def time_filter(items, params, field, after_key, before_key):
    a, b = params.get(after_key), params.get(before_key)
    if a is not None:
        items = [x for x in items if x[field] is not None and x[field] > float(a)]
    if b is not None:
        items = [x for x in items if x[field] is not None and x[field] < float(b)]
    return items


class Store(object):
    """Holds every service's state; services attach their own parts."""

    def __init__(self, clock, account='123456789012'):
        self.clock = clock
        self.account = account
        self.default_page_size = 10
        self.outcomes = []
        self.seeders = []
        self.resetters = []
        self.tickers = []       # fn(now): bring lazily advanced state up to now
        self.parts = {}

    def tick(self, now):
        for fn in self.tickers:
            fn(now)

    def reset(self):
        self.outcomes = []
        for fn in self.resetters:
            fn()

    def seed(self, data):
        if 'time_scale' in data:
            self.clock.scale = float(data['time_scale'])
        if 'outcomes' in data:
            self.outcomes.extend(data['outcomes'])
        out = {}
        for fn in self.seeders:
            out.update(fn(data) or {})
        return out

    def take_outcome(self, kind, **attrs):
        """The first outcome rule matching kind and attrs (consuming one use
        of it), or None.  Rules: {"kind": "step", "step": S, "pipeline": P,
        "reason": R, "count": N} / {"kind": "training-job"|"processing-job",
        "name_contains": X, "reason": R, "count": N}.  count defaults to 1;
        null means every time."""
        for rule in self.outcomes:
            if rule.get('kind') != kind:
                continue
            ok = True
            for k, v in attrs.items():
                want = rule.get(k)
                if want is None:
                    continue
                if k == 'name' and 'name_contains' not in rule:
                    continue
                if want != v:
                    ok = False
            if 'name_contains' in rule and rule['name_contains'] not in attrs.get('name', ''):
                ok = False
            if not ok:
                continue
            count = rule.get('count', 1)
            used = rule.get('_used', 0)
            if count is not None and used >= count:
                continue
            rule['_used'] = used + 1
            return rule
        return None
