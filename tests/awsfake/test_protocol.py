#!/usr/bin/python3
"""awsfake's front door: SigV4 checks, model validation of requests, error
shapes, the CloudWatch query and JSON 1.0 forms, fault injection and the
control endpoints.  Raw requests signed with botocore's SigV4Auth."""

import json
import os
import socket
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakelib import Fake, Tap, skip_all_unless_ready  # noqa: E402

skip_all_unless_ready()
tap = Tap()


def err_type(status_headers_body):
    status, headers, body = status_headers_body
    try:
        t = json.loads(body).get('__type', '')
    except ValueError:
        t = ''
    return status, t.rsplit('#', 1)[-1], headers.get('x-amzn-errortype', '').split(':')[0]


SEED = {'training_jobs': {'count': 5}, 'pipelines': [{'name': 'p1'}]}

with Fake(seed=SEED, time_scale=20) as fake:
    # ---------------------------------------------------------------- signatures
    r = fake.raw('sagemaker', 'ListTrainingJobs', {})
    tap.eq(r[0], 200, 'a correctly signed request is answered')
    tap.ok(r[1].get('x-amzn-requestid'), 'replies carry x-amzn-RequestId')
    tap.eq(r[1].get('content-type'), 'application/x-amz-json-1.1', 'awsJson1_1 content type')

    tap.eq(err_type(fake.raw('sagemaker', 'ListTrainingJobs', {}, secret='wrong')),
           (403, 'InvalidSignatureException', 'InvalidSignatureException'),
           'wrong secret: 403 InvalidSignatureException (body __type and x-amzn-ErrorType)')
    tap.eq(err_type(fake.raw('sagemaker', 'ListTrainingJobs', {}, akid='AKIDUNKNOWN')),
           (403, 'UnrecognizedClientException', 'UnrecognizedClientException'),
           'unknown access key: 403 UnrecognizedClientException')
    tap.eq(err_type(fake.raw('sagemaker', 'ListTrainingJobs', {}, sign=False))[:2],
           (403, 'MissingAuthenticationTokenException'), 'no Authorization: 403')

    def change_body(req):
        req.data = b'{"MaxResults": 5}'
    tap.eq(err_type(fake.raw('sagemaker', 'ListTrainingJobs', {'MaxResults': 4},
                             mutate=change_body))[:2],
           (403, 'InvalidSignatureException'), 'body changed after signing: 403')

    def change_target(req):
        req.headers.replace_header('X-Amz-Target', 'SageMaker.ListPipelines')
    tap.eq(err_type(fake.raw('sagemaker', 'ListTrainingJobs', {}, mutate=change_target))[:2],
           (403, 'InvalidSignatureException'), 'a signed header changed after signing: 403')

    def add_unsigned(req):
        req.headers['X-Unsigned-Extra'] = 'whatever'
    tap.eq(fake.raw('sagemaker', 'ListTrainingJobs', {}, mutate=add_unsigned)[0], 200,
           'an extra unsigned header is fine')

    fake.control('config', {'clock_offset': 3600})
    tap.eq(err_type(fake.raw('sagemaker', 'ListTrainingJobs', {}))[:2],
           (403, 'InvalidSignatureException'), 'a request 1 h away from the server clock: 403')
    r = fake.raw('sagemaker', 'ListTrainingJobs', {})
    tap.ok(b'Signature expired' in r[2], 'the message says the signature expired', r[2])
    fake.control('config', {'clock_offset': 0})

    tap.eq(err_type(fake.raw('logs', 'DescribeLogGroups', {}, secret='wrong'))[:2],
           (403, 'InvalidSignatureException'), 'Logs checks signatures too')

    # ---------------------------------------------------------------- validation
    def validation(op, body, service='sagemaker'):
        s, t, h = err_type(fake.raw(service, op, body))
        return s == 400 and t == 'ValidationException' and h == 'ValidationException'

    tap.ok(validation('ListTrainingJobs', {'Bogus': 1}), 'unknown member: 400 ValidationException')
    tap.ok(validation('ListTrainingJobs', {'StatusEquals': 'Running'}), 'value outside the enum')
    tap.ok(validation('ListTrainingJobs', {'MaxResults': '10'}), 'string for an integer')
    tap.ok(validation('ListTrainingJobs', {'MaxResults': 1000}), 'integer above the model max')
    tap.ok(validation('DescribeTrainingJob', {}), 'missing required member')
    tap.ok(validation('StartPipelineExecution', {'PipelineName': 'p1',
                                                 'ClientRequestToken': 'short'}),
           'ClientRequestToken shorter than 32 characters')
    tap.ok(validation('StartPipelineExecution', {
        'PipelineName': 'p1', 'ClientRequestToken': str(uuid.uuid4()),
        'PipelineParameters': [{'Name': 'Epochs'}]}), 'nested required member (Value) missing')
    tap.ok(validation('DescribeTrainingJob', {'TrainingJobName': 'bad_name!'}),
           'name not matching the model pattern')
    tap.ok(validation('GetLogEvents', {'logStreamName': 's', 'limit': 0}, 'logs'),
           'Logs: limit below the model min')
    tap.eq(fake.count('sagemaker', 'StartPipelineExecution'), 2,
           'rejected requests are still counted')
    r = fake.raw('sagemaker', 'ListTrainingJobs', {'StatusEquals': 'Running'})
    tap.ok(b'StatusEquals' in r[2] and b'enum' in r[2], 'the message names the member', r[2])

    s, t, h = err_type(fake.raw('sagemaker', 'NoSuchOperation', {}))
    tap.eq((s, t), (400, 'UnknownOperationException'), 'unknown operation: 400')
    s, t, h = err_type(fake.raw('sagemaker', 'ListTrainingJobs', b'not json'))
    tap.eq((s, t), (400, 'SerializationException'), 'body that is not JSON: SerializationException')
    s, t, h = err_type(fake.raw('sagemaker', 'ListTrainingJobs', b'[1]'))
    tap.eq((s, t), (400, 'SerializationException'), 'a JSON array body: SerializationException')
    s, t, h = err_type(fake.raw('sagemaker', 'DescribePipeline', {'PipelineName': 'nope'}))
    tap.eq((s, t), (400, 'ResourceNotFound'), 'modeled error: ResourceNotFound')
    body = json.loads(fake.raw('sagemaker', 'DescribePipeline', {'PipelineName': 'nope'})[2])
    tap.ok('Message' in body, 'SageMaker error text member is Message (as modeled)', body)

    # ---------------------------------------------------------------- CloudWatch forms
    r = fake.raw('monitoring', 'ListMetrics', {'Namespace': '/aws/sagemaker/TrainingJobs'})
    tap.ok(r[0] == 200 and r[1]['content-type'] == 'application/x-amz-json-1.0' and
           json.loads(r[2])['Metrics'], 'CloudWatch over awsJson1_0 (X-Amz-Target)', r[:2])
    r = fake.raw('monitoring', 'GetMetricData', {'MetricDataQueries': [], 'StartTime': 1})
    tap.eq((r[0], r[1].get('x-amzn-query-error')), (400, 'ValidationError;Sender'),
           'awsQueryCompatible error header on JSON 1.0 (EndTime missing)')
    r = fake.raw_query('ListMetrics', {'Namespace': '/aws/sagemaker/TrainingJobs',
                                       'Dimensions.member.1.Name': 'Host'})
    tap.ok(r[0] == 200 and b'<ListMetricsResponse' in r[2] and b'<ListMetricsResult>' in r[2],
           'CloudWatch over the query protocol (XML reply)', r[2][:200])
    from botocore.awsrequest import AWSRequest
    from botocore.auth import SigV4Auth
    from botocore.credentials import Credentials
    greq = AWSRequest(method='GET', url=fake.url + '/?Action=ListMetrics&Version=2010-08-01'
                      '&MetricName=GPUUtilization')
    SigV4Auth(Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
              'monitoring', 'us-east-1').add_auth(greq)
    gp = greq.prepare()
    import http.client as _hc
    gc = _hc.HTTPConnection('127.0.0.1', fake.port, timeout=10)
    gc.request('GET', gp.url[len(fake.url):], headers=dict(gp.headers.items()))
    gr = gc.getresponse()
    gbody = gr.read()
    gc.close()
    tap.ok(gr.status == 200 and b'<ListMetricsResponse' in gbody,
           'CloudWatch query protocol as a signed GET', gbody[:200])
    r = fake.raw_query('ListMetrics', {'Namespace': 'x', 'Bogus': '1'})
    tap.ok(r[0] == 400 and b'<Code>ValidationError</Code>' in r[2],
           'query protocol: unknown parameter -> ValidationError', r[2])
    r = fake.raw_query('ListMetrics', {'RecentlyActive': 'PT9H'})
    tap.ok(r[0] == 400 and b'ValidationError' in r[2], 'query protocol: enum checked', r[2])
    r = fake.raw_query('ListMetrics', {}, secret='wrong')
    tap.ok(r[0] == 403 and b'<Code>SignatureDoesNotMatch</Code>' in r[2],
           'query protocol: wrong secret -> SignatureDoesNotMatch', r[2])

    # ---------------------------------------------------------------- faults
    fake.control('requests', method='DELETE')
    fake.control('faults', [{'op': 'ListPipelines', 'kind': 'throttle', 'count': 2}])
    codes = [err_type(fake.raw('sagemaker', 'ListPipelines', {}))[:2] for _ in range(3)]
    tap.eq(codes, [(400, 'ThrottlingException'), (400, 'ThrottlingException'), (200, '')],
           'throttle the first 2 requests, then succeed')
    fake.control('faults', [{'op': '*', 'kind': 'error', 'status': 500, 'count': 1}])
    tap.eq(err_type(fake.raw('logs', 'DescribeLogGroups', {}))[:2], (500, 'InternalFailure'),
           'a 500 on any operation')
    tap.eq(fake.raw('logs', 'DescribeLogGroups', {})[0], 200, '... once')
    fake.control('faults', [{'op': 'ListPipelines', 'kind': 'error', 'status': 503,
                             'code': 'ServiceUnavailable'}])
    tap.eq(err_type(fake.raw('sagemaker', 'ListPipelines', {}))[:2],
           (503, 'ServiceUnavailable'), 'a 503 with a chosen code')
    fake.control('faults', [{'op': 'ListPipelines', 'kind': 'slow', 'delay': 0.5, 'count': 1}])
    t0 = time.time()
    r = fake.raw('sagemaker', 'ListPipelines', {})
    tap.ok(r[0] == 200 and time.time() - t0 >= 0.5, 'a slow reply (0.5 s) still answers')
    fake.control('faults', [{'op': 'ListPipelines', 'kind': 'drop', 'count': 1}])
    try:
        fake.raw('sagemaker', 'ListPipelines', {})
        dropped = False
    except (ConnectionError, OSError, Exception) as e:
        dropped = 'RemoteDisconnected' in type(e).__name__ or isinstance(e, (ConnectionError,
                                                                              socket.error))
    tap.ok(dropped, 'drop: the connection closes without a reply')

    import http.client

    def outcome(kind, **kw):
        fake.control('faults', [dict({'op': 'ListPipelines', 'kind': kind, 'count': 1}, **kw)])
        t0 = time.time()
        try:
            r = fake.raw('sagemaker', 'ListPipelines', {}, timeout=10)
            res = 'status %d' % r[0]
        except ConnectionResetError:
            res = 'reset'
        except http.client.IncompleteRead:
            res = 'incomplete'
        except (http.client.RemoteDisconnected, ConnectionError):
            res = 'closed'
        return res, time.time() - t0
    tap.eq(outcome('reset')[0], 'reset', 'reset: the connection is reset (RST)')
    tap.eq(outcome('truncate')[0], 'incomplete', 'truncate: the reply body is cut short')
    res, took = outcome('hang', seconds=0.6)
    tap.ok(res in ('closed', 'reset') and took >= 0.6, 'hang: no answer for 0.6 s, then closed',
           (res, took))
    tap.eq(fake.raw('sagemaker', 'ListPipelines', {})[0], 200, 'and the next request is fine')

    # a dropped reply after the execution was created: the retry with the same
    # token must find the same execution
    fake.control('faults', [{'op': 'StartPipelineExecution', 'kind': 'drop_after', 'count': 1}])
    token = str(uuid.uuid4())
    body = {'PipelineName': 'p1', 'ClientRequestToken': token}
    try:
        fake.raw('sagemaker', 'StartPipelineExecution', body)
        first = 'answered'
    except Exception:
        first = 'dropped'
    tap.eq(first, 'dropped', 'drop_after: the reply to StartPipelineExecution is lost')
    r = fake.raw('sagemaker', 'StartPipelineExecution', body)
    lst = json.loads(fake.raw('sagemaker', 'ListPipelineExecutions', {'PipelineName': 'p1'})[2])
    tap.ok(r[0] == 200 and len(lst['PipelineExecutionSummaries']) == 1 and
           lst['PipelineExecutionSummaries'][0]['PipelineExecutionArn'] ==
           json.loads(r[2])['PipelineExecutionArn'],
           'the retry with the same token yields the one execution', lst)
    fake.control('faults', method='DELETE')

    # ---------------------------------------------------------------- control
    req = fake.requests()
    tap.ok(req['counts'].get('sagemaker.StartPipelineExecution') == 2 and req['mutating'] >= 2,
           '/__control/requests counts per operation and mutating requests', req['counts'])
    statuses = [e.get('status') for e in req['requests'] if e['op'] == 'StartPipelineExecution']
    tap.eq(statuses, [0, 200], 'the request log records the dropped reply as status 0')
    fake.control('requests', method='DELETE')
    tap.eq(fake.requests()['total'], 0, 'DELETE /__control/requests resets the log')
    out = fake.control('seed', {'training_jobs': [{'name': 'seeded-later', 'status': 'Failed',
                                                  'FailureReason': 'boom', 'age': 600}]})
    tap.eq(out['counts']['training_jobs'], 6, 'POST /__control/seed adds to the state')
    r = json.loads(fake.raw('sagemaker', 'DescribeTrainingJob',
                            {'TrainingJobName': 'seeded-later'})[2])
    tap.eq((r.get('TrainingJobStatus'), r.get('FailureReason')), ('Failed', 'boom'),
           'a seeded failed job describes as Failed with its reason')
    pages, found, empty_with_token, tok = 0, [], 0, None
    while True:
        body = {'StatusEquals': 'Failed', 'MaxResults': 1}
        if tok:
            body['NextToken'] = tok
        r = json.loads(fake.raw('sagemaker', 'ListTrainingJobs', body)[2])
        pages += 1
        found += [j['TrainingJobName'] for j in r['TrainingJobSummaries']]
        tok = r.get('NextToken')
        if not r['TrainingJobSummaries'] and tok:
            empty_with_token += 1
        if not tok or pages > 20:
            break
    tap.ok(found == ['seeded-later'] and empty_with_token > 0 and pages == 6,
           'StatusEquals filters each MaxResults page after paging (empty pages keep NextToken)',
           (found, empty_with_token, pages))
    fake.control('config', {'check_signatures': False})
    tap.eq(fake.raw('sagemaker', 'ListPipelines', {}, secret='wrong')[0], 200,
           'config check_signatures=false accepts any signature')
    fake.control('config', {'check_signatures': True})
    # ---------------------------------------------------------------- concurrent clients
    import threading
    results = []

    def worker(n):
        for i in range(25):
            op, body = [('ListTrainingJobs', {'MaxResults': 3}), ('ListPipelines', {}),
                        ('StartPipelineExecution', {'PipelineName': 'p1',
                                                    'ClientRequestToken': 'tok-%02d-%032d' % (n, i % 5)})][i % 3]
            try:
                results.append(fake.raw('sagemaker', op, body)[0])
            except Exception as e:
                results.append(repr(e))
    before = len(json.loads(fake.raw('sagemaker', 'ListPipelineExecutions',
                                     {'PipelineName': 'p1', 'MaxResults': 100})[2])
                 ['PipelineExecutionSummaries'])
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = len(json.loads(fake.raw('sagemaker', 'ListPipelineExecutions',
                                    {'PipelineName': 'p1', 'MaxResults': 100})[2])
                ['PipelineExecutionSummaries'])
    tap.ok(results.count(200) == 200, '8 concurrent clients x 25 requests: all answered 200',
           [r for r in results if r != 200][:5])
    tap.eq(after - before, 8 * 5, 'concurrent starts: one execution per distinct token')

    # ---------------------------------------------------------------- garbage in
    import random
    rnd = random.Random(1234)
    sm_model = fake.client('sagemaker').meta.service_model
    ops = [('sagemaker', o) for o in ('ListTrainingJobs', 'DescribeTrainingJob',
                                      'StartPipelineExecution', 'ListPipelineExecutionSteps',
                                      'CreatePipeline', 'CreateTrainingJob', 'StopTrainingJob',
                                      'ListPipelineExecutions', 'RetryPipelineExecution')] + \
        [('logs', 'GetLogEvents'), ('logs', 'FilterLogEvents'), ('monitoring', 'GetMetricData'),
         ('monitoring', 'ListMetrics'), ('events', 'PutTargets')]
    models = {'sagemaker': sm_model, 'logs': fake.client('logs').meta.service_model,
              'monitoring': fake.client('cloudwatch').meta.service_model,
              'events': fake.client('events').meta.service_model}

    def junk(shape, depth=0):
        pick = rnd.random()
        if depth > 4 or pick < 0.15:
            return rnd.choice([None, 1, -1, 2 ** 63, 1.5, True, '', 'x' * 300, '\u00e9\u2603',
                               [], {}, 'p1', 'Completed', str(uuid.uuid4())])
        t = shape.type_name if shape is not None else 'structure'
        if t == 'structure':
            members = list(shape.members.items()) if shape is not None else []
            out = {}
            for name, m in rnd.sample(members, min(len(members), rnd.randint(0, 4))):
                out[name] = junk(m, depth + 1)
            if rnd.random() < 0.1:
                out['Bogus%d' % rnd.randint(0, 9)] = 1
            return out
        if t == 'list':
            return [junk(shape.member, depth + 1) for _ in range(rnd.randint(0, 3))]
        if t == 'map':
            return {'k%d' % i: junk(shape.value, depth + 1) for i in range(rnd.randint(0, 2))}
        if t in ('integer', 'long'):
            return rnd.choice([0, 1, 7, 100, -5, 10 ** 12])
        if t == 'timestamp':
            return rnd.choice([0, 1.5, time.time(), -1, 'yesterday'])
        if t == 'boolean':
            return rnd.choice([True, False, 'true'])
        if shape.enum:
            return rnd.choice(list(shape.enum) + ['NotAnEnum'])
        return rnd.choice(['p1', 'yolo11-train-00001', 'arn:aws:sagemaker:us-east-1:'
                           '123456789012:pipeline/p1/execution/abc', '', 'a' * 40])

    statuses = {}
    crashed = []
    for i in range(300):
        svc, op = rnd.choice(ops)
        body = junk(models[svc].operation_model(op).input_shape)
        if not isinstance(body, dict):
            body = json.dumps(body).encode()
        st = fake.raw(svc, op, body)[0]
        statuses[st] = statuses.get(st, 0) + 1
        if st >= 500:
            crashed.append((op, body))
    for raw in (b'{' * 5000, b'\xff\xfe', b'{"MaxResults": 1e999}', b'null', b''):
        st = fake.raw('sagemaker', 'ListTrainingJobs', raw)[0]
        if st >= 500:
            crashed.append(('raw', raw[:20]))
    tap.ok(not crashed and statuses.get(400, 0) > 100,
           '300 random and malformed requests: only 2xx/4xx answers, no crash',
           '%r %r' % (statuses, crashed[:3]))
    tap.ok(fake.proc.poll() is None and 'Traceback' not in fake.stderr(),
           'the server is alive and logged no traceback', fake.stderr()[-2000:])

    # raw sockets: bad framing, a client hanging up mid-body
    s1 = socket.create_connection(('127.0.0.1', fake.port))
    s1.sendall(b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')
    first = s1.recv(100)
    s1.close()
    tap.ok(first.startswith(b'HTTP/1.1 400'), 'a bad Content-Length is a 400', first)
    s2 = socket.create_connection(('127.0.0.1', fake.port))
    s2.sendall(b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a"')
    s2.close()
    time.sleep(0.2)
    tap.eq(fake.raw('sagemaker', 'ListPipelines', {})[0], 200,
           'a client hanging up mid-body does not disturb the server')
    tap.ok('Traceback' not in fake.stderr(), 'still no traceback on stderr', fake.stderr()[-1500:])
    tap.eq(fake.control('health')['selfcheck_failures'], [], 'no self-check failure')

# the server's port is printed on stdout and a free one is chosen each time
with Fake() as a, Fake() as b:
    tap.ok(a.port != b.port and a.port > 0, 'two servers pick two free ports')
    a.control('shutdown', {})
    a.proc.wait(10)
    tap.eq(a.proc.returncode, 0, 'POST /__control/shutdown exits 0')
sys.exit(tap.done())
