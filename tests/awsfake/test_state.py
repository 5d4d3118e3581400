#!/usr/bin/python3
"""awsfake's state machines through botocore clients built on the 2026
models: pipelines and executions (steps one by one, failure, retry, stop,
idempotency), training jobs with logs and metrics, labeling jobs,
monitoring, MLflow tracking servers, EventBridge."""

import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakelib import Fake, Tap, skip_all_unless_ready  # noqa: E402

skip_all_unless_ready()
tap = Tap()

from botocore.exceptions import ClientError  # noqa: E402

SCALE = 20.0   # a training job takes 5 s / 20 = 0.25 s


def wait_for(fn, timeout=15.0, step=0.05):
    """Poll fn() until it returns a truthy value or the timeout passes;
    returns the last value.  (Progress is asserted by state, not by time.)"""
    end = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > end:
            return v
        time.sleep(step)


def code(e):
    return e.response['Error']['Code']


DEFINITION = {
    'Version': '2020-12-01',
    'Parameters': [{'Name': 'Epochs', 'Type': 'Integer', 'DefaultValue': 4},
                   {'Name': 'Lr', 'Type': 'Float', 'DefaultValue': 0.01},
                   {'Name': 'Note', 'Type': 'String', 'DefaultValue': 'x'}],
    'Steps': [
        {'Name': 'Prep', 'Type': 'Processing', 'Arguments': {}},
        {'Name': 'Train', 'Type': 'Training', 'DependsOn': ['Prep'],
         'Arguments': {'HyperParameters': {'epochs': {'Get': 'Parameters.Epochs'}}}},
        {'Name': 'Gate', 'Type': 'Condition', 'DependsOn': ['Train'], 'Arguments': {
            'Conditions': [],
            'IfSteps': [{'Name': 'Register', 'Type': 'RegisterModel', 'Arguments': {}}],
            'ElseSteps': [{'Name': 'TooLow', 'Type': 'Fail',
                           'Arguments': {'ErrorMessage': 'mAP too low'}}]}},
    ],
}

with Fake(seed={'mlflow_tracking_servers': [{'name': 'team', 'url': 'http://127.0.0.1:5999'}],
                'labeling_jobs': [{'name': 'boxes-done', 'age': 90000, 'objects': 200},
                                  {'name': 'boxes-running', 'age': 3600, 'duration': 86400}],
                'monitoring_schedules': [{'name': 'yolo-dq', 'executions': 12}],
                'endpoints': [{'name': 'yolo11-prod', 'variants': [{'name': 'blue', 'weight': 0.9},
                                                                   {'name': 'green',
                                                                    'weight': 0.1}]}]},
          time_scale=SCALE) as fake:
    sm = fake.client('sagemaker')
    logs = fake.client('logs')
    cw = fake.client('cloudwatch')
    ev = fake.client('events')

    # ------------------------------------------------------------ pipelines
    role = 'arn:aws:iam::123456789012:role/PipelineRole'
    tok = str(uuid.uuid4())
    a = sm.create_pipeline(PipelineName='yolo', PipelineDefinition=json.dumps(DEFINITION),
                           RoleArn=role, ClientRequestToken=tok, PipelineDescription='v1')
    b = sm.create_pipeline(PipelineName='yolo', PipelineDefinition=json.dumps(DEFINITION),
                           RoleArn=role, ClientRequestToken=tok)
    tap.eq(a['PipelineArn'], b['PipelineArn'], 'CreatePipeline is idempotent on its token')
    try:
        sm.create_pipeline(PipelineName='yolo', PipelineDefinition='{"Steps": []}', RoleArn=role,
                           ClientRequestToken=str(uuid.uuid4()))
        tap.ok(False, 'a second pipeline with the same name is refused')
    except ClientError as e:
        tap.eq(code(e), 'ValidationException', 'a second pipeline with the same name is refused')
    try:
        sm.create_pipeline(PipelineName='broken', PipelineDefinition='{not json', RoleArn=role,
                           ClientRequestToken=str(uuid.uuid4()))
        tap.ok(False, 'an unparsable definition is refused')
    except ClientError as e:
        tap.eq(code(e), 'ValidationException', 'an unparsable definition is refused')
    sm.update_pipeline(PipelineName='yolo', PipelineDescription='v2')
    d = sm.describe_pipeline(PipelineName='yolo')
    tap.eq((d['PipelineDescription'], d['PipelineStatus'], json.loads(d['PipelineDefinition'])),
           ('v2', 'Active', DEFINITION), 'UpdatePipeline + DescribePipeline')
    tap.eq([p['PipelineName'] for p in sm.list_pipelines()['PipelineSummaries']], ['yolo'],
           'ListPipelines')

    # ------------------------------------------------------------ an execution, step by step
    seen = []

    def step_names(arn):
        steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn,
                                                 SortOrder='Ascending')['PipelineExecutionSteps']
        names = [s['StepName'] for s in steps]
        if names not in seen:
            seen.append(names)
        return steps

    try:
        sm.start_pipeline_execution(PipelineName='yolo', ClientRequestToken=str(uuid.uuid4()),
                                    PipelineParameters=[{'Name': 'Epochs', 'Value': 'many'}])
        tap.ok(False, 'a non-integer value for an Integer parameter is refused')
    except ClientError as e:
        tap.eq(code(e), 'ValidationException',
               'a non-integer value for an Integer parameter is refused')
    try:
        sm.start_pipeline_execution(PipelineName='yolo', ClientRequestToken=str(uuid.uuid4()),
                                    PipelineParameters=[{'Name': 'Nope', 'Value': '1'}])
        tap.ok(False, 'an undeclared parameter is refused')
    except ClientError as e:
        tap.eq(code(e), 'ValidationException', 'an undeclared parameter is refused')

    fake.control('config', {'time_scale': 4})   # ~2 s: room to watch the steps arrive
    arn = sm.start_pipeline_execution(
        PipelineName='yolo', ClientRequestToken=str(uuid.uuid4()),
        PipelineExecutionDisplayName='run-1',
        PipelineParameters=[{'Name': 'Epochs', 'Value': '7'}])['PipelineExecutionArn']
    d = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    tap.eq(d['PipelineExecutionStatus'], 'Executing', 'a new execution is Executing')
    final = wait_for(lambda: step_names(arn) and
                     sm.describe_pipeline_execution(PipelineExecutionArn=arn)
                     ['PipelineExecutionStatus'] in ('Succeeded', 'Failed') and
                     step_names(arn))
    fake.control('config', {'time_scale': SCALE})
    d = sm.describe_pipeline_execution(PipelineExecutionArn=arn)
    tap.eq(d['PipelineExecutionStatus'], 'Succeeded', 'the execution Succeeded')
    tap.eq([s['StepName'] for s in final], ['Prep', 'Train', 'Gate', 'Register'],
           'steps ran in dependency order, the condition took the If branch')
    tap.ok(len(seen) >= 3 and all(seen[i] == seen[i + 1][:len(seen[i])]
                                  for i in range(len(seen) - 1)),
           'steps appeared one by one', seen)
    md = {s['StepName']: s.get('Metadata', {}) for s in final}
    tap.ok(md['Train'].get('TrainingJob', {}).get('Arn', '').startswith(
        'arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-'),
        'Train step metadata names its training job', md['Train'])
    tap.ok('ProcessingJob' in md['Prep'] and md['Gate'] == {'Condition': {'Outcome': 'True'}} and
           'RegisterModel' in md['Register'], 'Processing / Condition / RegisterModel metadata', md)
    tap.ok(all(s['StepStatus'] == 'Succeeded' and s['EndTime'] >= s['StartTime'] for s in final),
           'every step Succeeded with start and end times')
    job = md['Train']['TrainingJob']['Arn'].rsplit('/', 1)[1]
    tj = sm.describe_training_job(TrainingJobName=job)
    tap.eq(tj['HyperParameters'].get('epochs'), '7',
           'the pipeline parameter reached the training job')
    params = sm.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)
    tap.eq(sorted((p['Name'], p['Value']) for p in params['PipelineParameters']),
           [('Epochs', '7'), ('Lr', '0.01'), ('Note', 'x')],
           'ListPipelineParametersForExecution: given and default values')
    dd = sm.describe_pipeline_definition_for_execution(PipelineExecutionArn=arn)
    tap.eq(json.loads(dd['PipelineDefinition']), DEFINITION,
           'DescribePipelineDefinitionForExecution returns the definition')

    # ------------------------------------------------------------ a DAG: independent steps overlap
    dag = {'Version': '2020-12-01', 'Parameters': [], 'Steps': [
        {'Name': 'Merge', 'Type': 'Processing', 'DependsOn': ['TrainA', 'TrainB']},
        {'Name': 'TrainA', 'Type': 'Training', 'DependsOn': ['Prep']},
        {'Name': 'TrainB', 'Type': 'Training', 'DependsOn': ['Prep']},
        {'Name': 'Prep', 'Type': 'Processing'}]}
    for limit, name in ((None, 'dag'), (1, 'dag-serial')):
        kw = {'ParallelismConfiguration': {'MaxParallelExecutionSteps': limit}} if limit else {}
        sm.create_pipeline(PipelineName=name, PipelineDefinition=json.dumps(dag), RoleArn=role,
                           ClientRequestToken=str(uuid.uuid4()), **kw)
        x = sm.start_pipeline_execution(PipelineName=name, ClientRequestToken=str(uuid.uuid4()))
        wait_for(lambda: sm.describe_pipeline_execution(PipelineExecutionArn=x[
            'PipelineExecutionArn'])['PipelineExecutionStatus'] != 'Executing')
        st = {s['StepName']: s for s in sm.list_pipeline_execution_steps(
            PipelineExecutionArn=x['PipelineExecutionArn'])['PipelineExecutionSteps']}
        a, b = st['TrainA'], st['TrainB']
        overlap = a['StartTime'] < b['EndTime'] and b['StartTime'] < a['EndTime']
        if limit is None:
            tap.ok(overlap and a['StartTime'] == b['StartTime'] and
                   a['StartTime'] >= st['Prep']['EndTime'],
                   'independent steps run in parallel once their dependency is done', (a, b))
            tap.ok(st['Merge']['StartTime'] >= max(a['EndTime'], b['EndTime']),
                   'a step waits for all its dependencies')
        else:
            tap.ok(not overlap, 'MaxParallelExecutionSteps 1 runs them one at a time', (a, b))

    # the jobs behind steps appear without anyone asking about the execution
    fake.control('config', {'time_scale': 4})
    xarn = sm.start_pipeline_execution(PipelineName='yolo',
                                       ClientRequestToken=str(uuid.uuid4()))['PipelineExecutionArn']
    xid = xarn.rsplit('/', 1)[1]
    got = wait_for(lambda: [j for j in sm.list_training_jobs(NameContains=xid)
                            ['TrainingJobSummaries']])
    fake.control('config', {'time_scale': SCALE})
    tap.ok(got and got[0]['TrainingJobName'].startswith('pipelines-%s-Train-' % xid),
           'a running execution starts its training job even if only jobs are listed', got)
    wait_for(lambda: sm.describe_pipeline_execution(PipelineExecutionArn=xarn)
             ['PipelineExecutionStatus'] != 'Executing')

    # ------------------------------------------------------------ a failing step, then retry
    fake.control('outcomes', [{'kind': 'step', 'pipeline': 'yolo', 'step': 'Train',
                               'reason': 'AlgorithmError: CUDA out of memory', 'count': 1}])
    arn2 = sm.start_pipeline_execution(PipelineName='yolo',
                                       ClientRequestToken=str(uuid.uuid4()))['PipelineExecutionArn']
    d = wait_for(lambda: (lambda x: x if x['PipelineExecutionStatus'] != 'Executing' else None)(
        sm.describe_pipeline_execution(PipelineExecutionArn=arn2)))
    tap.eq((d or {}).get('PipelineExecutionStatus'), 'Failed', 'an execution with a failing step '
           'Fails')
    tap.ok('FailureReason' in (d or {}), 'the failed execution has a FailureReason', d)
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn2)['PipelineExecutionSteps']
    train = [s for s in steps if s['StepName'] == 'Train'][0]
    tap.eq((train['StepStatus'], train.get('FailureReason')),
           ('Failed', 'AlgorithmError: CUDA out of memory'), 'the Train step carries the reason')
    tap.ok('Gate' not in [s['StepName'] for s in steps], 'no step ran after the failure')
    tjob = train['Metadata']['TrainingJob']['Arn'].rsplit('/', 1)[1]
    t = sm.describe_training_job(TrainingJobName=tjob)
    tap.eq((t['TrainingJobStatus'], t['SecondaryStatus']), ('Failed', 'Failed'),
           'the training job behind the step Failed')
    tok = str(uuid.uuid4())
    sm.retry_pipeline_execution(PipelineExecutionArn=arn2, ClientRequestToken=tok)
    sm.retry_pipeline_execution(PipelineExecutionArn=arn2, ClientRequestToken=tok)
    d = wait_for(lambda: (lambda x: x if x['PipelineExecutionStatus'] != 'Executing' else None)(
        sm.describe_pipeline_execution(PipelineExecutionArn=arn2)))
    tap.eq((d or {}).get('PipelineExecutionStatus'), 'Succeeded', 'RetryPipelineExecution: '
           'the retried execution Succeeded')
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn2)['PipelineExecutionSteps']
    train = [s for s in steps if s['StepName'] == 'Train'][0]
    tap.eq((train['StepStatus'], train['AttemptCount']), ('Succeeded', 2),
           'the Train step succeeded on attempt 2 (the same retry token did not retry twice)')
    try:
        sm.retry_pipeline_execution(PipelineExecutionArn=arn2, ClientRequestToken=str(uuid.uuid4()))
        tap.ok(False, 'retrying a Succeeded execution is a conflict')
    except ClientError as e:
        tap.eq(code(e), 'ConflictException', 'retrying a Succeeded execution is a conflict')

    # condition False -> Fail step
    fake.control('outcomes', [{'kind': 'condition', 'step': 'Gate', 'outcome': 'False'}])
    arn3 = sm.start_pipeline_execution(PipelineName='yolo',
                                       ClientRequestToken=str(uuid.uuid4()))['PipelineExecutionArn']
    wait_for(lambda: sm.describe_pipeline_execution(PipelineExecutionArn=arn3)
             ['PipelineExecutionStatus'] != 'Executing')
    steps = sm.list_pipeline_execution_steps(PipelineExecutionArn=arn3,
                                             SortOrder='Ascending')['PipelineExecutionSteps']
    tap.eq([(s['StepName'], s['StepStatus']) for s in steps][-2:],
           [('Gate', 'Succeeded'), ('TooLow', 'Failed')],
           'a False condition runs the Else branch; its Fail step fails the execution')
    tap.eq(steps[-1].get('Metadata'), {'Fail': {'ErrorMessage': 'mAP too low'}},
           'Fail step metadata carries the ErrorMessage')

    # stop
    fake.control('config', {'time_scale': 0.5})   # Stopping lasts 2 s
    arn4 = sm.start_pipeline_execution(PipelineName='yolo',
                                       ClientRequestToken=str(uuid.uuid4()))['PipelineExecutionArn']
    sm.stop_pipeline_execution(PipelineExecutionArn=arn4, ClientRequestToken=str(uuid.uuid4()))
    st1 = sm.describe_pipeline_execution(PipelineExecutionArn=arn4)['PipelineExecutionStatus']
    fake.control('config', {'time_scale': SCALE})
    st2 = wait_for(lambda: (lambda s: s if s == 'Stopped' else None)(
        sm.describe_pipeline_execution(PipelineExecutionArn=arn4)['PipelineExecutionStatus']))
    tap.eq((st1, st2), ('Stopping', 'Stopped'), 'StopPipelineExecution: Stopping, then Stopped')
    try:
        sm.stop_pipeline_execution(PipelineExecutionArn=arn4, ClientRequestToken=str(uuid.uuid4()))
        tap.ok(False, 'stopping a Stopped execution is a conflict')
    except ClientError as e:
        tap.eq(code(e), 'ConflictException', 'stopping a Stopped execution is a conflict')

    # list executions: sort, order, time filters, paging
    allx = sm.list_pipeline_executions(PipelineName='yolo')['PipelineExecutionSummaries']
    allx = [x for x in allx if x['PipelineExecutionArn'] != xarn]
    tap.eq([x['PipelineExecutionArn'] for x in allx], [arn4, arn3, arn2, arn],
           'ListPipelineExecutions: newest first by default')
    asc = sm.list_pipeline_executions(PipelineName='yolo', SortBy='CreationTime',
                                      SortOrder='Ascending')['PipelineExecutionSummaries']
    tap.eq([x['PipelineExecutionArn'] for x in asc if x['PipelineExecutionArn'] != xarn],
           [arn, arn2, arn3, arn4], 'SortOrder Ascending')
    # (botocore sends whole seconds: filter with times well apart)
    now = time.time()
    n = lambda **kw: len(sm.list_pipeline_executions(PipelineName='yolo', **kw)
                         ['PipelineExecutionSummaries'])
    tap.eq((n(CreatedAfter=now - 3600), n(CreatedAfter=now + 60)), (5, 0), 'CreatedAfter filters')
    tap.eq((n(CreatedBefore=now + 60), n(CreatedBefore=now - 3600)), (5, 0),
           'CreatedBefore filters')
    p1 = sm.list_pipeline_executions(PipelineName='yolo', MaxResults=3)
    p2 = sm.list_pipeline_executions(PipelineName='yolo', MaxResults=3, NextToken=p1['NextToken'])
    tap.ok(len(p1['PipelineExecutionSummaries']) == 3 and len(p2['PipelineExecutionSummaries']) == 2
           and 'NextToken' not in p2, 'MaxResults + NextToken paging')
    try:
        sm.list_pipeline_executions(PipelineName='yolo', NextToken='garbage')
        tap.ok(False, 'a garbage NextToken is refused')
    except ClientError as e:
        tap.eq(code(e), 'ValidationException', 'a garbage NextToken is refused')
    sm.delete_pipeline(PipelineName='yolo', ClientRequestToken=str(uuid.uuid4()))
    tap.ok('yolo' not in [x['PipelineName'] for x in sm.list_pipelines()['PipelineSummaries']],
           'DeletePipeline')

    # ------------------------------------------------------------ a training job with logs and metrics
    fake.control('config', {'time_scale': 2})
    name = 'yolo11-adhoc-1'
    sm.create_training_job(
        TrainingJobName=name, RoleArn=role,
        AlgorithmSpecification={'TrainingImage': '1.dkr.ecr.us-east-1.amazonaws.com/y:1',
                                'TrainingInputMode': 'File',
                                'MetricDefinitions': [{'Name': 'val:mAP50',
                                                       'Regex': 'mAP50=([0-9.]+)'}]},
        HyperParameters={'epochs': '20'},
        OutputDataConfig={'S3OutputPath': 's3://b/out'},
        ResourceConfig={'InstanceType': 'ml.g5.xlarge', 'InstanceCount': 1, 'VolumeSizeInGB': 50},
        StoppingCondition={'MaxRuntimeInSeconds': 3600},
        EnableManagedSpotTraining=True, CheckpointConfig={'S3Uri': 's3://b/ckpt'})
    d = sm.describe_training_job(TrainingJobName=name)
    tap.eq((d['TrainingJobStatus'], d['SecondaryStatus']), ('InProgress', 'Starting'),
           'a new training job is InProgress/Starting')
    stream = None

    def find_stream():
        r = logs.describe_log_streams(logGroupName='/aws/sagemaker/TrainingJobs',
                                      logStreamNamePrefix=name + '/')['logStreams']
        return r[0]['logStreamName'] if r else None
    stream = wait_for(find_stream)
    tap.ok(stream and stream.startswith(name + '/algo-1-'), 'its log stream appears', stream)
    # tail -f: follow forward tokens while the job runs
    token, lines, polls, same = None, [], 0, 0
    while polls < 400:
        kw = {'logGroupName': '/aws/sagemaker/TrainingJobs', 'logStreamName': stream or 'x',
              'startFromHead': True}
        if token:
            kw['nextToken'] = token
        r = logs.get_log_events(**kw)
        lines += [e['message'] for e in r['events']]
        done = sm.describe_training_job(TrainingJobName=name)['TrainingJobStatus'] != 'InProgress'
        if r['nextForwardToken'] == token:
            same += 1
            if done:
                break
        token = r['nextForwardToken']
        polls += 1
        time.sleep(0.05)
    epochs = [l for l in lines if l.startswith('Epoch ')]
    tap.eq(len(epochs), 20, 'tailing with forward tokens saw all 20 epoch lines once')
    tap.ok(same >= 1, 'the forward token repeats when there is nothing new')
    d = sm.describe_training_job(TrainingJobName=name)
    tap.eq([t['Status'] for t in d['SecondaryStatusTransitions']],
           ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'],
           'the job went through the secondary statuses')
    tap.ok(d['BillableTimeInSeconds'] < d['TrainingTimeInSeconds'] or
           d['BillableTimeInSeconds'] == 1, 'managed spot: billable < training time', d)
    tap.eq([m['MetricName'] for m in d['FinalMetricDataList']], ['val:mAP50'],
           'FinalMetricDataList has the defined metric')
    fl = logs.filter_log_events(logGroupName='/aws/sagemaker/TrainingJobs',
                                logStreamNamePrefix=name, filterPattern='Epoch', limit=8)
    pages, evs = 1, fl['events']
    while 'nextToken' in fl:
        fl = logs.filter_log_events(logGroupName='/aws/sagemaker/TrainingJobs',
                                    logStreamNamePrefix=name, filterPattern='Epoch', limit=8,
                                    nextToken=fl['nextToken'])
        evs += fl['events']
        pages += 1
    tap.eq((len(evs), pages), (20, 3), 'FilterLogEvents pages 20 matches by 8')
    m = cw.get_metric_data(MetricDataQueries=[{'Id': 'm', 'MetricStat': {'Metric': {
        'Namespace': '/aws/sagemaker/TrainingJobs', 'MetricName': 'val:mAP50',
        'Dimensions': [{'Name': 'Host', 'Value': name + '/algo-1'}]}, 'Period': 1,
        'Stat': 'Maximum'}}], StartTime=d['CreationTime'], EndTime=time.time() + 60,
        ScanBy='TimestampAscending')['MetricDataResults'][0]
    tap.ok(len(m['Values']) >= 2 and m['Values'][-1] > m['Values'][0],
           'GetMetricData (awsJson1_0) returns the rising mAP50 series', m['Values'])

    # stop a training job
    fake.control('config', {'time_scale': 0.5})   # Stopping lasts 2 s
    sm.create_training_job(TrainingJobName='to-stop', RoleArn=role,
                           OutputDataConfig={'S3OutputPath': 's3://b/out'})
    sm.stop_training_job(TrainingJobName='to-stop')
    s1 = sm.describe_training_job(TrainingJobName='to-stop')['TrainingJobStatus']
    fake.control('config', {'time_scale': SCALE})
    d = wait_for(lambda: (lambda x: x if x['TrainingJobStatus'] == 'Stopped' else None)(
        sm.describe_training_job(TrainingJobName='to-stop')), timeout=5)
    tap.eq((s1, (d or {}).get('TrainingJobStatus'), (d or {}).get('SecondaryStatus')),
           ('Stopping', 'Stopped', 'Stopped'), 'StopTrainingJob: Stopping, then Stopped')
    lst = sm.list_training_jobs(StatusEquals='Stopped')['TrainingJobSummaries']
    tap.eq([j['TrainingJobName'] for j in lst], ['to-stop'], 'ListTrainingJobs StatusEquals')
    lst = sm.list_training_jobs(NameContains='adhoc', SortBy='Name', SortOrder='Ascending')
    tap.eq([j['TrainingJobName'] for j in lst['TrainingJobSummaries']], [name],
           'ListTrainingJobs NameContains')

    # ------------------------------------------------------------ labeling, monitoring, MLflow
    lj = {j['LabelingJobName']: j for j in sm.list_labeling_jobs()['LabelingJobSummaryList']}
    tap.eq((lj['boxes-done']['LabelingJobStatus'], lj['boxes-done']['LabelCounters']['TotalLabeled'],
            lj['boxes-running']['LabelingJobStatus']), ('Completed', 200, 'InProgress'),
           'ListLabelingJobs: statuses and counters')
    sm.stop_labeling_job(LabelingJobName='boxes-running')
    d = wait_for(lambda: (lambda x: x if x['LabelingJobStatus'] == 'Stopped' else None)(
        sm.describe_labeling_job(LabelingJobName='boxes-running')), timeout=5)
    tap.eq((d or {}).get('LabelingJobStatus'), 'Stopped', 'StopLabelingJob -> Stopped')
    ms = sm.list_monitoring_schedules()['MonitoringScheduleSummaries']
    tap.eq([s['MonitoringScheduleName'] for s in ms], ['yolo-dq'], 'ListMonitoringSchedules')
    me = sm.list_monitoring_executions(MonitoringScheduleName='yolo-dq', MaxResults=5)
    tap.ok(len(me['MonitoringExecutionSummaries']) == 5 and 'NextToken' in me,
           'ListMonitoringExecutions pages')
    dm = sm.describe_monitoring_schedule(MonitoringScheduleName='yolo-dq')
    tap.ok('LastMonitoringExecutionSummary' in dm, 'DescribeMonitoringSchedule')
    mf = sm.list_mlflow_tracking_servers()['TrackingServerSummaries']
    tap.eq([x['TrackingServerName'] for x in mf], ['team'], 'ListMlflowTrackingServers')
    tap.eq(sm.describe_mlflow_tracking_server(TrackingServerName='team')['TrackingServerUrl'],
           'http://127.0.0.1:5999', 'DescribeMlflowTrackingServer: the seeded URL')

    sm.stop_monitoring_schedule(MonitoringScheduleName='yolo-dq')
    st1 = sm.describe_monitoring_schedule(MonitoringScheduleName='yolo-dq')
    sm.start_monitoring_schedule(MonitoringScheduleName='yolo-dq')
    st2 = sm.list_monitoring_schedules()['MonitoringScheduleSummaries'][0]
    tap.eq((st1['MonitoringScheduleStatus'], st2['MonitoringScheduleStatus']),
           ('Stopped', 'Scheduled'), 'Stop/StartMonitoringSchedule')
    eps = sm.list_endpoints()['Endpoints']
    de = sm.describe_endpoint(EndpointName='yolo11-prod')
    tap.ok([e['EndpointName'] for e in eps] == ['yolo11-prod'] and
           [v['VariantName'] for v in de['ProductionVariants']] == ['blue', 'green'] and
           de['EndpointStatus'] == 'InService', 'ListEndpoints / DescribeEndpoint', de)

    # ------------------------------------------------------------ CloudWatch alarms, dashboards
    cw.put_metric_alarm(AlarmName='yolo-gpu', Namespace='/aws/sagemaker/Endpoints',
                        MetricName='GPUUtilization', Statistic='Average', Period=300,
                        EvaluationPeriods=2, Threshold=90.0,
                        ComparisonOperator='GreaterThanThreshold',
                        AlarmActions=['arn:aws:sns:us-east-1:123456789012:oncall'])
    al = cw.describe_alarms(AlarmNamePrefix='yolo')['MetricAlarms']
    tap.ok(len(al) == 1 and al[0]['StateValue'] == 'INSUFFICIENT_DATA' and
           al[0]['Threshold'] == 90.0, 'PutMetricAlarm / DescribeAlarms', al)
    body = json.dumps({'widgets': [{'type': 'metric', 'properties': {'metrics': [
        ['/aws/sagemaker/TrainingJobs', 'val:mAP50', 'Host', name + '/algo-1']]}}]})
    cw.put_dashboard(DashboardName='yolo', DashboardBody=body)
    tap.eq(cw.get_dashboard(DashboardName='yolo')['DashboardBody'], body,
           'PutDashboard / GetDashboard')
    try:
        cw.put_dashboard(DashboardName='bad', DashboardBody='{nope')
        tap.ok(False, 'a dashboard body that is not JSON is refused')
    except ClientError as e:
        tap.ok(e.response['ResponseMetadata']['HTTPStatusCode'] == 400,
               'a dashboard body that is not JSON is refused', e.response)
    try:
        cw.get_dashboard(DashboardName='none')
        tap.ok(False, 'GetDashboard of a missing dashboard: 404')
    except ClientError as e:
        tap.eq(e.response['ResponseMetadata']['HTTPStatusCode'], 404,
               'GetDashboard of a missing dashboard: 404')

    # ------------------------------------------------------------ EventBridge
    ev.put_rule(Name='nightly', ScheduleExpression='cron(0 2 * * ? *)')
    r = ev.put_targets(Rule='nightly', Targets=[
        {'Id': '1', 'Arn': 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/yolo',
         'RoleArn': role, 'SageMakerPipelineParameters': {'PipelineParameterList': [
             {'Name': 'Epochs', 'Value': '50'}]}},
        {'Id': '2', 'Arn': 'arn:aws:sagemaker:us-east-1:123456789012:training-job/x'}])
    tap.eq((r['FailedEntryCount'], [f['TargetId'] for f in r['FailedEntries']]), (1, ['2']),
           'PutTargets reports a partial failure inside a 200')
    tap.eq([t['Id'] for t in ev.list_targets_by_rule(Rule='nightly')['Targets']], ['1'],
           'ListTargetsByRule')
    tap.eq([x['Name'] for x in ev.list_rules()['Rules']], ['nightly'], 'ListRules')

    tap.eq(fake.control('health')['selfcheck_failures'], [], 'no reply failed the self-check')
sys.exit(tap.done())
