"""CloudWatch metrics of SageMaker training jobs: namespace
/aws/sagemaker/TrainingJobs, dimension Host=<job>/algo-1, the job's
MetricDefinitions plus instance metrics (CPUUtilization, GPUUtilization...).
Served over awsJson1_0 and the query protocol."""

import math

from .protocol import ApiError
from .sagemaker import METRIC_NAMESPACE
from .store import decode_token, encode_token

LIST_PAGE = 500


def invalid(msg):
    return ApiError('InvalidParameterValue', msg)


def stat_of(values, stat):
    if not values:
        return None
    if stat == 'Average':
        return sum(values) / len(values)
    if stat == 'Sum':
        return float(sum(values))
    if stat == 'Minimum':
        return min(values)
    if stat == 'Maximum':
        return max(values)
    if stat == 'SampleCount':
        return float(len(values))
    if stat.startswith('p'):
        try:
            q = float(stat[1:])
        except ValueError:
            raise invalid('The value %s for parameter Stat is not supported.' % stat)
        s = sorted(values)
        k = max(0, min(len(s) - 1, int(math.ceil(q / 100.0 * len(s))) - 1))
        return s[k]
    raise invalid('The value %s for parameter Stat is not supported.' % stat)


def register(fake):
    store = fake.store
    sm = store.parts['sagemaker']

    def op(name):
        def deco(fn):
            fake.register('monitoring', name, fn)
            return fn
        return deco

    def series(now):
        """[(namespace, metric name, dims list, job, instance?)] of metrics
        with at least one datapoint."""
        out = []
        for job in sm.training.values():
            a, _ = job.training_phase()
            if job.cutoff(now) < a:
                continue
            host = [{'Name': 'Host', 'Value': '%s/algo-1' % job.name}]
            for n in job.metric_names():
                out.append((METRIC_NAMESPACE, n, host, job, False))
            for n in ('CPUUtilization', 'MemoryUtilization', 'GPUUtilization',
                      'GPUMemoryUtilization', 'DiskUtilization'):
                out.append((METRIC_NAMESPACE, n, host, job, True))
        return out

    @op('ListMetrics')
    def list_metrics(ctx, p):
        items = []
        for ns, name, dims, job, inst in series(ctx.now):
            if p.get('Namespace') and p['Namespace'] != ns:
                continue
            if p.get('MetricName') and p['MetricName'] != name:
                continue
            ok = True
            for f in p.get('Dimensions') or []:
                if not any(d['Name'] == f['Name'] and ('Value' not in f or d['Value'] == f['Value'])
                           for d in dims):
                    ok = False
            if ok:
                items.append({'Namespace': ns, 'MetricName': name, 'Dimensions': dims})
        start = decode_token(p['NextToken'], 'ListMetrics') if p.get('NextToken') else 0
        out = {'Metrics': items[start:start + LIST_PAGE]}
        if start + LIST_PAGE < len(items):
            out['NextToken'] = encode_token(start + LIST_PAGE, 'ListMetrics')
        return out

    def find_points(metric, now):
        if metric.get('Namespace') != METRIC_NAMESPACE:
            return []
        dims = {d['Name']: d['Value'] for d in metric.get('Dimensions') or []}
        host = dims.get('Host', '')
        if set(dims) != {'Host'} or not host.endswith('/algo-1'):
            return []
        job = sm.training.get(host[:-len('/algo-1')])
        if job is None:
            return []
        name = metric.get('MetricName')
        return [(t, v) for n, t, v, inst in job.metric_points(now) if n == name]

    @op('GetMetricData')
    def get_metric_data(ctx, p):
        t0, t1 = float(p['StartTime']), float(p['EndTime'])
        if t1 <= t0:
            raise invalid('The parameter StartTime must be less than the parameter EndTime.')
        ids = set()
        flat = []     # (query index, timestamp, value)
        results = []
        for qi, q in enumerate(p['MetricDataQueries']):
            if q['Id'] in ids:
                raise invalid('The values for parameter id in MetricDataQueries are not unique.')
            ids.add(q['Id'])
            if ('MetricStat' in q) == ('Expression' in q):
                raise invalid('Exactly one of MetricStat and Expression must be given in a '
                              'MetricDataQuery (Id %s).' % q['Id'])
            r = {'Id': q['Id'], 'Label': q.get('Label') or
                 (q['MetricStat']['Metric'].get('MetricName', q['Id']) if 'MetricStat' in q
                  else q['Id']),
                 'Timestamps': [], 'Values': [], 'StatusCode': 'Complete'}
            results.append((q, r))
            if 'Expression' in q:
                r['Messages'] = [{'Code': 'Unsupported',
                                  'Value': 'awsfake does not evaluate metric math'}]
                continue
            ms = q['MetricStat']
            period = ms['Period']
            if period <= 0 or (period >= 60 and period % 60):
                raise invalid('The parameter Period must be 1, 5, 10, 20, 30, 60 or a multiple '
                              'of 60.')
            buckets = {}
            for t, v in find_points(ms['Metric'], ctx.now):
                if t0 <= t < t1:
                    b = math.floor(t / period) * period   # CloudWatch aligns to the period
                    buckets.setdefault(b, []).append(v)
            pts = sorted((b, stat_of(vs, ms['Stat'])) for b, vs in buckets.items())
            if (p.get('ScanBy') or 'TimestampDescending') == 'TimestampDescending':
                pts.reverse()
            if q.get('ReturnData', True):
                for b, v in pts:
                    flat.append((qi, b, v))
        start = decode_token(p['NextToken'], 'GetMetricData') if p.get('NextToken') else 0
        limit = p.get('MaxDatapoints') or 100800
        page = flat[start:start + limit]
        more = start + limit < len(flat)
        for qi, b, v in page:
            results[qi][1]['Timestamps'].append(b)
            results[qi][1]['Values'].append(v)
        if more:
            for qi, _, _ in flat[start + limit:start + limit + 1]:
                results[qi][1]['StatusCode'] = 'PartialData'
        out = {'MetricDataResults': [r for q, r in results if q.get('ReturnData', True)],
               'Messages': []}
        if more:
            out['NextToken'] = encode_token(start + limit, 'GetMetricData')
        return out
