#!/usr/bin/python3
"""awsfake against an independent real client: Debian's AWS CLI v2
(/usr/bin/aws, with its own bundled botocore and models)."""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakelib import Fake, Tap, skip_all_unless_ready  # noqa: E402

skip_all_unless_ready(need_cli=True)
tap = Tap()

SEED = {
    'training_jobs': {'count': 45, 'prefix': 'yolo11-cli'},
    'pipelines': [{'name': 'yolo11-train', 'description': 'YOLO11 training', 'executions': 2}],
}

with Fake(seed=SEED, time_scale=20) as fake:
    rc, out, err = fake.aws('sagemaker', 'list-pipelines')
    tap.ok(rc == 0, 'aws sagemaker list-pipelines exits 0', err)
    names = [p['PipelineName'] for p in json.loads(out or '{}').get('PipelineSummaries', [])]
    tap.eq(names, ['yolo11-train'], 'list-pipelines shows the seeded pipeline')

    # --- start-pipeline-execution twice with one token -> one execution
    token = str(uuid.uuid4())
    arns = []
    for _ in range(2):
        rc, out, err = fake.aws('sagemaker', 'start-pipeline-execution',
                                '--pipeline-name', 'yolo11-train',
                                '--client-request-token', token,
                                '--pipeline-parameters', 'Name=Epochs,Value=3',
                                '--pipeline-execution-display-name', 'cli-run')
        arns.append(json.loads(out).get('PipelineExecutionArn') if rc == 0 else err)
    tap.ok(arns[0] and arns[0] == arns[1] and arns[0].startswith('arn:aws:sagemaker:us-east-1:'),
           'the same ClientRequestToken returns the same execution ARN', arns)
    rc, out, err = fake.aws('sagemaker', 'list-pipeline-executions', '--pipeline-name',
                            'yolo11-train')
    ex = json.loads(out)['PipelineExecutionSummaries'] if rc == 0 else []
    tap.eq(sum(1 for e in ex if e.get('PipelineExecutionDisplayName') == 'cli-run'), 1,
           'exactly one execution was created for the repeated token')
    tap.eq(len(ex), 3, 'list-pipeline-executions: 2 seeded + 1 started')
    tap.eq(fake.count('sagemaker', 'StartPipelineExecution'), 2,
           'the server saw both StartPipelineExecution requests')

    # --- list-training-jobs paging over the seeded jobs
    fake.control('requests', method='DELETE')
    rc, out, err = fake.aws('sagemaker', 'list-training-jobs', '--page-size', '7')
    jobs = json.loads(out)['TrainingJobSummaries'] if rc == 0 else []
    seeded = [j for j in jobs if j['TrainingJobName'].startswith('yolo11-cli-')]
    tap.eq(len(seeded), 45, 'list-training-jobs --page-size 7 pages over all 45 seeded jobs')
    tap.eq(len(set(j['TrainingJobName'] for j in jobs)), len(jobs), 'no job listed twice')
    created = [j['CreationTime'] for j in jobs]
    tap.ok(created == sorted(created, reverse=True), 'default order is newest first')
    n_pages = fake.count('sagemaker', 'ListTrainingJobs')
    tap.eq(n_pages, (len(jobs) + 6) // 7, 'one request per page of 7 (MaxResults honoured)')

    # --- describe-training-job
    rc, out, err = fake.aws('sagemaker', 'describe-training-job', '--training-job-name',
                            'yolo11-cli-00010')
    d = json.loads(out) if rc == 0 else {}
    tap.eq(d.get('TrainingJobStatus'), 'Completed', 'describe-training-job: Completed')
    tap.ok([t['Status'] for t in d.get('SecondaryStatusTransitions', [])] ==
           ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'],
           'SecondaryStatusTransitions in order', d.get('SecondaryStatusTransitions'))
    tap.ok(d.get('BillableTimeInSeconds', 0) > 0 and
           {'val:mAP50', 'train:box_loss'} <= set(m['MetricName'] for m in
                                                  d.get('FinalMetricDataList', [])),
           'billable seconds and final metrics present', d.get('FinalMetricDataList'))
    rc, out, err = fake.aws('sagemaker', 'describe-training-job', '--training-job-name',
                            'no-such-job')
    tap.ok(rc != 0 and 'ValidationException' in err and 'Requested resource not found' in err,
           'describe-training-job of an unknown job: ValidationException', err)

    # --- logs
    rc, out, err = fake.aws('logs', 'describe-log-streams', '--log-group-name',
                            '/aws/sagemaker/TrainingJobs', '--log-stream-name-prefix',
                            'yolo11-cli-00010/')
    streams = json.loads(out)['logStreams'] if rc == 0 else []
    tap.eq(len(streams), 1, 'describe-log-streams finds the job\'s stream', )
    stream = streams[0]['logStreamName'] if streams else 'none'
    rc, out, err = fake.aws('logs', 'get-log-events', '--log-group-name',
                            '/aws/sagemaker/TrainingJobs', '--log-stream-name', stream,
                            '--start-from-head', '--limit', '5')
    g = json.loads(out) if rc == 0 else {}
    evs = g.get('events', [])
    tap.ok(len(evs) == 5 and all(isinstance(e['timestamp'], int) and e['timestamp'] > 10 ** 12
                                 for e in evs), 'get-log-events: 5 events, ms timestamps', out)
    tap.ok(any('Epoch 1/' in e['message'] for e in evs), 'the log has epoch lines', evs)
    rc, out, err = fake.aws('logs', 'get-log-events', '--log-group-name',
                            '/aws/sagemaker/TrainingJobs', '--log-stream-name', stream,
                            '--next-token', g.get('nextForwardToken', 'x'), '--limit', '10000')
    g2 = json.loads(out) if rc == 0 else {}
    rc, out, err = fake.aws('logs', 'get-log-events', '--log-group-name',
                            '/aws/sagemaker/TrainingJobs', '--log-stream-name', stream,
                            '--next-token', g2.get('nextForwardToken', 'x'))
    g3 = json.loads(out) if rc == 0 else {}
    tap.ok(g3.get('events') == [] and g3.get('nextForwardToken') == g2.get('nextForwardToken'),
           'an exhausted stream returns the forward token it was sent', g3)

    # --- CloudWatch (Debian's CLI speaks the query protocol to CloudWatch)
    queries = [{'Id': 'map50', 'MetricStat': {'Metric': {
        'Namespace': '/aws/sagemaker/TrainingJobs', 'MetricName': 'val:mAP50',
        'Dimensions': [{'Name': 'Host', 'Value': 'yolo11-cli-00010/algo-1'}]},
        'Period': 60, 'Stat': 'Average'}}]
    rc, out, err = fake.aws('cloudwatch', 'get-metric-data', '--metric-data-queries',
                            json.dumps(queries), '--start-time', '2020-01-01T00:00:00Z',
                            '--end-time', '2040-01-01T00:00:00Z')
    r = json.loads(out)['MetricDataResults'] if rc == 0 else []
    vals = r[0]['Values'] if r else []
    tap.ok(len(vals) > 10 and all(0 <= v <= 1 for v in vals),
           'get-metric-data returns the job\'s mAP50 curve', out or err)
    tap.ok(vals and vals[0] > vals[-1], 'newest first, and mAP rises during training', vals[:3])

    # --- a wrong secret -> 403
    rc, out, err = fake.aws('sagemaker', 'list-pipelines', secret='not-the-secret')
    tap.ok(rc != 0 and 'InvalidSignatureException' in err, 'wrong secret: InvalidSignatureException',
           err)
    rc, out, err = fake.aws('cloudwatch', 'list-metrics', secret='not-the-secret')
    tap.ok(rc != 0 and 'SignatureDoesNotMatch' in err,
           'wrong secret on the query protocol: SignatureDoesNotMatch', err)

    # --- throttling observed by the CLI: it retries, the server counts the attempts
    fake.control('requests', method='DELETE')
    fake.control('faults', [{'op': 'ListPipelines', 'kind': 'throttle', 'count': 2}])
    rc, out, err = fake.aws('sagemaker', 'list-pipelines',
                            env={'AWS_RETRY_MODE': 'standard', 'AWS_MAX_ATTEMPTS': '3'})
    tap.ok(rc == 0, 'list-pipelines succeeds after two throttled attempts', err)
    tap.eq(fake.count('sagemaker', 'ListPipelines'), 3, 'the CLI made 3 attempts')
    fake.control('faults', [{'op': 'sagemaker.ListPipelines', 'kind': 'error', 'status': 503}])
    rc, out, err = fake.aws('sagemaker', 'list-pipelines',
                            env={'AWS_RETRY_MODE': 'standard', 'AWS_MAX_ATTEMPTS': '2'})
    tap.ok(rc != 0 and ('503' in err or 'ServiceUnavailable' in err),
           'a persistent 503 surfaces after the retries', err)
    fake.control('faults', method='DELETE')

    health = fake.control('health')
    tap.eq(health['selfcheck_failures'], [], 'no reply failed the output-shape self-check')
status = fake.proc.returncode
tap.eq(status, 0, 'server shut down cleanly on SIGTERM')
sys.exit(tap.done())
