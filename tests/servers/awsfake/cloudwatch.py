"""CloudWatch metrics of SageMaker training jobs: namespace
/aws/sagemaker/TrainingJobs, dimension Host=<job>/algo-1, the job's
MetricDefinitions plus instance metrics (CPUUtilization, GPUUtilization...).
Served over awsJson1_0 and the query protocol."""

import math

from .protocol import ApiError, coral_error
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
    register_metrics(fake)
    register_alarms_and_dashboards(fake)


def register_metrics(fake):
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


def register_alarms_and_dashboards(fake):
    """Metric alarms and dashboards: kept as given (no evaluation: a new
    alarm is INSUFFICIENT_DATA until told otherwise through the seed)."""
    store = fake.store
    state = {'alarms': {}, 'dashboards': {}, 'history': []}

    def reset():
        state['alarms'] = {}
        state['dashboards'] = {}
        state['history'] = []
    store.resetters.append(reset)

    def op(name):
        def deco(fn):
            fake.register('monitoring', name, fn)
            return fn
        return deco

    alarm_members = set(fake.services['monitoring'].model.shape_for('MetricAlarm').members)

    @op('PutMetricAlarm')
    def put_metric_alarm(ctx, p):
        if 'Metrics' in p and ('MetricName' in p or 'Namespace' in p):
            raise coral_error('ValidationException', 'Metrics and MetricName/Namespace cannot '
                              'both be given.')
        if 'Metrics' not in p and not ('MetricName' in p and 'Namespace' in p) and \
                'EvaluationCriteria' not in p:
            raise coral_error('ValidationException', 'MetricName and Namespace (or Metrics) are '
                              'required.')
        old = state['alarms'].get(p['AlarmName'], {})
        a = {k: v for k, v in p.items() if k in alarm_members}
        a.pop('Tags', None)
        a['AlarmArn'] = 'arn:aws:cloudwatch:%s:%s:alarm:%s' % (ctx.region, store.account,
                                                               p['AlarmName'])
        a.setdefault('ActionsEnabled', True)
        a['AlarmConfigurationUpdatedTimestamp'] = ctx.now
        a['StateValue'] = old.get('StateValue', 'INSUFFICIENT_DATA')
        a['StateReason'] = old.get('StateReason', 'Unchecked: Initial alarm creation')
        a['StateUpdatedTimestamp'] = old.get('StateUpdatedTimestamp', ctx.now)
        state['alarms'][p['AlarmName']] = a
        state['history'].append({'AlarmName': p['AlarmName'], 'AlarmType': 'MetricAlarm',
                                 'Timestamp': ctx.now, 'HistoryItemType': 'ConfigurationUpdate',
                                 'HistorySummary': 'Alarm "%s" %s' % (
                                     p['AlarmName'], 'updated' if old else 'created')})
        return {}

    @op('DescribeAlarms')
    def describe_alarms(ctx, p):
        alarms = sorted(state['alarms'].values(), key=lambda a: a['AlarmName'])
        if p.get('AlarmNames'):
            alarms = [a for a in alarms if a['AlarmName'] in p['AlarmNames']]
        if p.get('AlarmNamePrefix'):
            alarms = [a for a in alarms if a['AlarmName'].startswith(p['AlarmNamePrefix'])]
        if p.get('StateValue'):
            alarms = [a for a in alarms if a['StateValue'] == p['StateValue']]
        if p.get('ActionPrefix'):
            alarms = [a for a in alarms if any(x.startswith(p['ActionPrefix'])
                                               for x in a.get('AlarmActions') or [])]
        start = decode_token(p['NextToken'], 'DescribeAlarms') if p.get('NextToken') else 0
        limit = p.get('MaxRecords') or 50
        out = {'MetricAlarms': alarms[start:start + limit], 'CompositeAlarms': []}
        if start + limit < len(alarms):
            out['NextToken'] = encode_token(start + limit, 'DescribeAlarms')
        return out

    @op('DeleteAlarms')
    def delete_alarms(ctx, p):
        missing = [n for n in p['AlarmNames'] if n not in state['alarms']]
        if missing:
            raise ApiError('ResourceNotFound', 'Alarm(s) not found: %s' % ', '.join(missing), 404)
        for n in p['AlarmNames']:
            del state['alarms'][n]
        return {}

    @op('DescribeAlarmHistory')
    def describe_alarm_history(ctx, p):
        items = [h for h in state['history']
                 if not p.get('AlarmName') or h['AlarmName'] == p['AlarmName']]
        if p.get('HistoryItemType'):
            items = [h for h in items if h['HistoryItemType'] == p['HistoryItemType']]
        if p.get('ScanBy', 'TimestampDescending') == 'TimestampDescending':
            items = items[::-1]
        start = decode_token(p['NextToken'], 'AlarmHistory') if p.get('NextToken') else 0
        limit = p.get('MaxRecords') or 100
        out = {'AlarmHistoryItems': items[start:start + limit]}
        if start + limit < len(items):
            out['NextToken'] = encode_token(start + limit, 'AlarmHistory')
        return out

    @op('PutDashboard')
    def put_dashboard(ctx, p):
        import json
        try:
            body = json.loads(p['DashboardBody'])
        except ValueError as e:
            raise ApiError('InvalidParameterInput', 'The field DashboardBody must be a valid '
                           'JSON object (%s)' % e)
        if not isinstance(body, dict) or not isinstance(body.get('widgets', []), list):
            raise ApiError('InvalidParameterInput', 'The dashboard body must be a JSON object '
                           'with a widgets list')
        state['dashboards'][p['DashboardName']] = {
            'DashboardName': p['DashboardName'], 'DashboardBody': p['DashboardBody'],
            'DashboardArn': 'arn:aws:cloudwatch::%s:dashboard/%s' % (store.account,
                                                                    p['DashboardName']),
            'LastModified': ctx.now, 'Size': len(p['DashboardBody'])}
        return {'DashboardValidationMessages': []}

    @op('GetDashboard')
    def get_dashboard(ctx, p):
        d = state['dashboards'].get(p['DashboardName'])
        if d is None:
            raise ApiError('ResourceNotFound', 'Dashboard %s does not exist' % p['DashboardName'],
                           404)
        return {k: d[k] for k in ('DashboardArn', 'DashboardBody', 'DashboardName')}

    @op('ListDashboards')
    def list_dashboards(ctx, p):
        ds = sorted(state['dashboards'].values(), key=lambda d: d['DashboardName'])
        if p.get('DashboardNamePrefix'):
            ds = [d for d in ds if d['DashboardName'].startswith(p['DashboardNamePrefix'])]
        start = decode_token(p['NextToken'], 'ListDashboards') if p.get('NextToken') else 0
        out = {'DashboardEntries': [{k: d[k] for k in ('DashboardName', 'DashboardArn',
                                                        'LastModified', 'Size')}
                                    for d in ds[start:start + 1000]]}
        if start + 1000 < len(ds):
            out['NextToken'] = encode_token(start + 1000, 'ListDashboards')
        return out

    @op('DeleteDashboards')
    def delete_dashboards(ctx, p):
        missing = [n for n in p['DashboardNames'] if n not in state['dashboards']]
        if missing:
            raise ApiError('ResourceNotFound', 'Dashboard(s) not found: %s' % ', '.join(missing),
                           404)
        for n in p['DashboardNames']:
            del state['dashboards'][n]
        return {}
