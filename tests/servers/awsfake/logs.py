"""CloudWatch Logs over the SageMaker jobs' log streams
(/aws/sagemaker/TrainingJobs, /aws/sagemaker/ProcessingJobs).  Times are
epoch milliseconds."""

import re
import shlex

from .protocol import ApiError
from .sagemaker import LOG_GROUP_PROCESSING, LOG_GROUP_TRAINING
from .store import decode_token, encode_token

GROUPS = (LOG_GROUP_TRAINING, LOG_GROUP_PROCESSING)
INGESTION_DELAY_MS = 150


def ms(t):
    return int(round(t * 1000))


def not_found(what):
    return ApiError('ResourceNotFoundException', 'The specified %s does not exist.' % what)


def bad_param(msg):
    return ApiError('InvalidParameterException', msg)


def f_token(i):
    return 'f/%056d/s' % i


def b_token(i):
    return 'b/%056d/s' % i


def parse_event_token(tok):
    m = re.fullmatch(r'([fb])/(\d+)/s', tok or '')
    if not m:
        raise bad_param('The specified nextToken is invalid.')
    return m.group(1), int(m.group(2))


def compile_filter(pattern):
    """A small subset of the CloudWatch Logs filter syntax for unstructured
    text: space-separated terms that must all occur, "quoted phrases", a
    leading ? for any-of terms, -term to exclude.  Returns a predicate."""
    pattern = (pattern or '').strip()
    if not pattern:
        return lambda msg: True
    try:
        terms = shlex.split(pattern)
    except ValueError:
        raise bad_param('Invalid character(s) in term')
    must, anyof, nots = [], [], []
    for t in terms:
        if t.startswith('?'):
            anyof.append(t[1:])
        elif t.startswith('-') and len(t) > 1:
            nots.append(t[1:])
        else:
            must.append(t)

    def pred(msg):
        if any(n in msg for n in nots):
            return False
        if anyof and not any(a in msg for a in anyof):
            return False
        return all(m in msg for m in must)
    return pred


def register(fake):
    store = fake.store
    sm = store.parts['sagemaker']

    def op(name):
        def deco(fn):
            fake.register('logs', name, fn)
            return fn
        return deco

    def group_name(p):
        g = p.get('logGroupName') or p.get('logGroupIdentifier') or ''
        if g.startswith('arn:'):
            g = g.split(':log-group:', 1)[-1].rstrip('*').rstrip(':')
        return g

    def jobs_of(group):
        if group == LOG_GROUP_TRAINING:
            return sm.training.values()
        if group == LOG_GROUP_PROCESSING:
            return sm.processing.values()
        raise not_found('log group')

    def group_arn(ctx, group):
        return 'arn:aws:logs:%s:%s:log-group:%s' % (ctx.region, store.account, group)

    def stream_dict(ctx, group, job, now):
        evs = job.log_events(now)
        d = {'logStreamName': job.log_stream, 'creationTime': ms(job.created),
             'arn': '%s:log-stream:%s' % (group_arn(ctx, group), job.log_stream),
             'storedBytes': 0}
        if evs:
            d['firstEventTimestamp'] = ms(evs[0][0])
            d['lastEventTimestamp'] = ms(evs[-1][0])
            d['lastIngestionTime'] = ms(evs[-1][0]) + INGESTION_DELAY_MS
        return d

    @op('DescribeLogGroups')
    def describe_log_groups(ctx, p):
        prefix = p.get('logGroupNamePrefix') or ''
        groups = [{'logGroupName': g, 'creationTime': 1600000000000, 'storedBytes': 0,
                   'metricFilterCount': 0, 'arn': group_arn(ctx, g) + ':*',
                   'logGroupArn': group_arn(ctx, g), 'logGroupClass': 'STANDARD'}
                  for g in GROUPS if g.startswith(prefix)]
        return {'logGroups': groups}

    @op('DescribeLogStreams')
    def describe_log_streams(ctx, p):
        group = group_name(p)
        now = ctx.now
        jobs = list(jobs_of(group))
        order = p.get('orderBy') or 'LogStreamName'
        prefix = p.get('logStreamNamePrefix')
        if prefix and order == 'LastEventTime':
            raise bad_param('Cannot order by LastEventTime with a logStreamNamePrefix.')
        if prefix:
            jobs = [j for j in jobs if j.log_stream.startswith(prefix)]
        # a stream exists once its first line was written
        jobs = [j for j in jobs if j.first_event_time() <= j.cutoff(now)]
        desc = bool(p.get('descending'))
        if order == 'LastEventTime':
            jobs.sort(key=lambda j: j.cutoff(now), reverse=desc)
        else:
            jobs.sort(key=lambda j: j.log_stream, reverse=desc)
        start = decode_token(p['nextToken'], 'streams:' + group) if p.get('nextToken') else 0
        limit = p.get('limit') or 50
        page = jobs[start:start + limit]
        out = {'logStreams': [stream_dict(ctx, group, j, now) for j in page]}
        if start + limit < len(jobs):
            out['nextToken'] = encode_token(start + limit, 'streams:' + group)
        return out

    def stream_events(p, now):
        group = group_name(p)
        jobs_of(group)
        job = sm.find_job_by_stream(group, p['logStreamName'])
        if job is None:
            raise not_found('log stream')
        evs = job.log_events(now)
        st, en = p.get('startTime'), p.get('endTime')
        if st is not None:
            evs = [e for e in evs if ms(e[0]) >= st]
        if en is not None:
            evs = [e for e in evs if ms(e[0]) < en]
        return evs

    @op('GetLogEvents')
    def get_log_events(ctx, p):
        evs = stream_events(p, ctx.now)
        limit = p.get('limit') or 10000
        n = len(evs)
        tok = p.get('nextToken')
        if tok:
            kind, i = parse_event_token(tok)
            i = min(i, n)
            if kind == 'f':
                lo, hi = i, min(n, i + limit)
            else:
                lo, hi = max(0, i - limit), i
        elif p.get('startFromHead'):
            lo, hi = 0, min(n, limit)
        else:
            lo, hi = max(0, n - limit), n
        page = evs[lo:hi]
        return {'events': [{'timestamp': ms(t), 'message': m,
                            'ingestionTime': ms(t) + INGESTION_DELAY_MS} for t, m in page],
                'nextForwardToken': f_token(hi), 'nextBackwardToken': b_token(lo)}

    @op('FilterLogEvents')
    def filter_log_events(ctx, p):
        group = group_name(p)
        if not group:
            raise bad_param('Either logGroupName or logGroupIdentifier must be given.')
        if p.get('logStreamNames') and p.get('logStreamNamePrefix'):
            raise bad_param('logStreamNames and logStreamNamePrefix cannot both be specified.')
        now = ctx.now
        jobs = list(jobs_of(group))
        if p.get('logStreamNames'):
            wanted = set(p['logStreamNames'])
            jobs = [j for j in jobs if j.log_stream in wanted]
        elif p.get('logStreamNamePrefix'):
            jobs = [j for j in jobs if j.log_stream.startswith(p['logStreamNamePrefix'])]
        pred = compile_filter(p.get('filterPattern'))
        st, en = p.get('startTime'), p.get('endTime')
        events = []
        for j in jobs:
            for k, (t, m) in enumerate(j.log_events(now)):
                tm = ms(t)
                if st is not None and tm < st:
                    continue
                if en is not None and tm > en:
                    continue
                if pred(m):
                    events.append((tm, j.log_stream, k, m))
        events.sort()
        start = decode_token(p['nextToken'], 'filter:' + group) if p.get('nextToken') else 0
        limit = p.get('limit') or 10000
        page = events[start:start + limit]
        out = {'events': [{'logStreamName': s, 'timestamp': tm, 'message': m,
                           'ingestionTime': tm + INGESTION_DELAY_MS,
                           'eventId': '%056d' % (tm * 1000 + k % 1000)}
                          for tm, s, k, m in page],
               'searchedLogStreams': [{'logStreamName': j.log_stream, 'searchedCompletely': True}
                                      for j in jobs[:100]]}
        if start + limit < len(events):
            out['nextToken'] = encode_token(start + limit, 'filter:' + group)
        return out
