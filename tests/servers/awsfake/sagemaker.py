"""SageMaker state and operations: pipelines, executions and steps,
training/processing/labeling jobs, monitoring schedules and executions,
MLflow tracking servers.

Jobs are timelines: their state at any moment is computed from their
creation time, their phase durations and an optional stop time, so a job
seeded in the past and a job created a second ago follow the same rules.
Pipeline executions advance lazily (on each request) along the pipeline
definition, one step after another, creating the jobs behind their steps.
"""

import copy
import json
import math
import re

from .protocol import ApiError, Prencoded, coral_error
from .store import paginate, short_id, stable_rand, time_filter

LOG_GROUP_TRAINING = '/aws/sagemaker/TrainingJobs'
LOG_GROUP_PROCESSING = '/aws/sagemaker/ProcessingJobs'
METRIC_NAMESPACE = '/aws/sagemaker/TrainingJobs'

# Base durations (seconds at time_scale 1) of things created through the API.
TRAIN_PHASES = [('Starting', 1.0), ('Downloading', 0.5), ('Training', 3.0), ('Uploading', 0.5)]
PROCESSING_DURATION = 2.0
SIMPLE_STEP_DURATION = 0.5
STEP_STARTING = 0.2
STEP_GAP = 0.2
STOP_DELAY = 1.0

STATUS_MESSAGES = {
    'Starting': 'Preparing the instances for training',
    'Downloading': 'Downloading input data',
    'Training': 'Training image download completed. Training in progress.',
    'Uploading': 'Uploading generated training model',
    'Completed': 'Training job completed',
    'Failed': 'Training job failed',
    'Stopping': 'Stopping the training job',
    'Stopped': 'Training job stopped',
}

YOLO_METRICS = [
    ('train:box_loss', r'box_loss=([0-9.]+)'),
    ('train:cls_loss', r'cls_loss=([0-9.]+)'),
    ('val:precision', r'precision=([0-9.]+)'),
    ('val:recall', r'recall=([0-9.]+)'),
    ('val:mAP50', r'mAP50=([0-9.]+)'),
    ('val:mAP50-95', r'mAP50-95=([0-9.]+)'),
]
INSTANCE_METRICS = ['CPUUtilization', 'MemoryUtilization', 'GPUUtilization',
                    'GPUMemoryUtilization', 'DiskUtilization']


def not_found(message):
    return ApiError('ResourceNotFound', message, 400)


def project(data, shape):
    """Top-level members of data that the shape has."""
    members = shape.members
    return {k: v for k, v in data.items() if k in members and v is not None}


def sort_items(items, params, keys, default_key, default_order='Descending'):
    key = keys.get(params.get('SortBy') or default_key, keys[default_key])
    desc = (params.get('SortOrder') or default_order) == 'Descending'
    return sorted(items, key=key, reverse=desc)


# --------------------------------------------------------------------- metrics

def metric_value(metric, job_name, x):
    """Deterministic training curve: x in [0, 1] is the training progress."""
    r = stable_rand(job_name, metric)
    quality = 0.75 + 0.2 * r.random()
    noise = (r.random() - 0.5) * 0.02
    m = metric.lower()
    if 'loss' in m:
        base = 1.2 if 'box' in m else (1.6 if 'cls' in m else 1.0)
        return round(base * math.exp(-2.2 * x) + 0.35 + noise * x, 5)
    if 'map50-95' in m:
        return round(max(0.0, 0.62 * quality * (1 - math.exp(-3.5 * x)) + noise), 5)
    if 'map' in m or 'precision' in m or 'recall' in m or 'acc' in m:
        return round(max(0.0, min(1.0, 0.93 * quality * (1 - math.exp(-3.5 * x)) + noise)), 5)
    return round(x * 100.0 * quality, 5)


def instance_metric_value(metric, job_name, i):
    r = stable_rand(job_name, metric, i)
    base = {'CPUUtilization': 180.0, 'MemoryUtilization': 40.0, 'GPUUtilization': 85.0,
            'GPUMemoryUtilization': 70.0, 'DiskUtilization': 12.0}.get(metric, 50.0)
    return round(base * (0.9 + 0.2 * r.random()), 3)


# --------------------------------------------------------------------- jobs

class TimelineJob(object):
    """Phases [(status, start, end)], an outcome and an optional stop."""

    def __init__(self, name, created, phase_durations, outcome, failure_reason):
        self.name = name
        self.created = created
        self.phases = []
        t = created
        for status, d in phase_durations:
            self.phases.append((status, t, t + d))
            t += d
        self.natural_end = t
        self.outcome = outcome
        self.failure_reason = failure_reason
        self.stop_at = None
        self.stop_delay = 1.0

    def stopped_early(self):
        return self.stop_at is not None and self.stop_at < self.natural_end

    def end_time(self):
        if self.stopped_early():
            return self.stop_at + self.stop_delay
        return self.natural_end

    def final_status(self):
        return 'Stopped' if self.stopped_early() else self.outcome

    def status(self, now):
        if self.stopped_early() and now >= self.stop_at:
            return 'Stopped' if now >= self.stop_at + self.stop_delay else 'Stopping'
        if now >= self.natural_end:
            return self.outcome
        return 'InProgress'

    def stop(self, now, delay):
        if self.status(now) != 'InProgress':
            return False
        self.stop_at = now
        self.stop_delay = delay
        return True

    def cutoff(self, now):
        """Events are visible up to this time."""
        c = now
        if self.stopped_early():
            c = min(c, self.stop_at)
        return min(c, self.natural_end)


class TrainingJob(TimelineJob):
    def __init__(self, sm, name, request, created, region, phase_durations, outcome,
                 failure_reason=None, epochs=None, tags=None):
        TimelineJob.__init__(self, name, created, phase_durations, outcome, failure_reason)
        self.sm = sm
        self.request = request
        self.region = region
        self.arn = 'arn:aws:sagemaker:%s:%s:training-job/%s' % (region, sm.store.account,
                                                                name.lower())
        hp = request.get('HyperParameters') or {}
        try:
            e = int(epochs or hp.get('epochs') or 10)
        except ValueError:
            e = 10
        self.epochs = max(1, min(e, 300))
        self.tags = tags or []
        self._events = None
        self._points = None
        self.log_stream = '%s/algo-1-%d' % (name, int(created))

    def training_phase(self):
        for st, a, b in self.phases:
            if st == 'Training':
                return a, b
        return self.created, self.created

    def first_event_time(self):
        return (self.phases[1][1] if len(self.phases) > 1 else self.created) + 0.001

    def metric_names(self):
        algo = self.request.get('AlgorithmSpecification') or {}
        return [m['Name'] for m in algo.get('MetricDefinitions') or []]

    def epoch_times(self):
        """[(epoch index, time)] of the epochs this job runs (a failed job
        stops at 60 %)."""
        a, b = self.training_phase()
        last = self.epochs if self.outcome == 'Completed' else max(1, int(self.epochs * 0.6))
        span = (b - a) * (self.epochs / float(last)) if self.outcome != 'Completed' else (b - a)
        return [(i, a + span * i / float(self.epochs)) for i in range(1, last + 1)]

    def log_events(self, now):
        """[(epoch seconds, message)] visible at `now`."""
        if self._events is None:
            ev = []
            hp = self.request.get('HyperParameters') or {}
            a, b = self.training_phase()
            d0 = self.phases[1][1] if len(self.phases) > 1 else a
            ev.append((d0 + 0.001, 'Downloading s3 input data for channels: %s' % ', '.join(
                c.get('ChannelName', '?') for c in self.request.get('InputDataConfig') or [])))
            ev.append((a + 0.001, 'Ultralytics YOLO11 training started: model=%s imgsz=%s batch=%s '
                       'epochs=%d' % (hp.get('model', 'yolo11n.pt'), hp.get('imgsz', '640'),
                                      hp.get('batch', '16'), self.epochs)))
            for i, t in self.epoch_times():
                x = i / float(self.epochs)
                parts = ['box_loss=%.4f' % metric_value('train:box_loss', self.name, x),
                         'cls_loss=%.4f' % metric_value('train:cls_loss', self.name, x)]
                ev.append((t, 'Epoch %d/%d %s' % (i, self.epochs, ' '.join(parts))))
                vals = ['precision=%.4f' % metric_value('val:precision', self.name, x),
                        'recall=%.4f' % metric_value('val:recall', self.name, x),
                        'mAP50=%.4f' % metric_value('val:mAP50', self.name, x),
                        'mAP50-95=%.4f' % metric_value('val:mAP50-95', self.name, x)]
                ev.append((t + 0.0005, 'Validation epoch %d: %s' % (i, ' '.join(vals))))
            if self.outcome == 'Failed':
                end = self.phases[-1][2]
                ev.append((end - 0.002, 'Traceback (most recent call last):'))
                ev.append((end - 0.001, 'RuntimeError: %s' % (self.failure_reason or 'error')))
            else:
                ev.append((b, '%d epochs completed. Results saved to /opt/ml/model' % self.epochs))
            ev.sort()
            self._events = ev
        cut = self.cutoff(now)
        return [e for e in self._events if e[0] <= cut]

    def metric_points(self, now):
        """[(metric name, time, value, is_instance_metric)] visible at now."""
        if self._points is None:
            pts = []
            names = self.metric_names()
            for i, t in self.epoch_times():
                x = i / float(self.epochs)
                for n in names:
                    pts.append((n, t, metric_value(n, self.name, x), False))
            a, b = self.training_phase()
            for k in range(1, 11):
                t = a + (b - a) * k / 10.0
                for n in INSTANCE_METRICS:
                    pts.append((n, t, instance_metric_value(n, self.name, k), True))
            self._points = pts
        cut = self.cutoff(now)
        return [p for p in self._points if p[1] <= cut]

    def describe(self, now, shape):
        st = self.status(now)
        transitions = []
        stopped = self.stopped_early()
        for name, a, b in self.phases:
            if a > now or (stopped and a >= self.stop_at):
                break
            end = min(b, self.stop_at) if stopped else b
            tr = {'Status': name, 'StartTime': a, 'StatusMessage': STATUS_MESSAGES[name]}
            if end <= now:
                tr['EndTime'] = end
            transitions.append(tr)
        end_time = None
        if stopped and now >= self.stop_at:
            done = self.stop_at + self.stop_delay
            tr = {'Status': 'Stopping', 'StartTime': self.stop_at,
                  'StatusMessage': STATUS_MESSAGES['Stopping']}
            if now >= done:
                tr['EndTime'] = done
            transitions.append(tr)
            if now >= done:
                transitions.append({'Status': 'Stopped', 'StartTime': done, 'EndTime': done,
                                    'StatusMessage': STATUS_MESSAGES['Stopped']})
                end_time = done
        elif now >= self.natural_end:
            transitions.append({'Status': self.outcome, 'StartTime': self.natural_end,
                                'EndTime': self.natural_end,
                                'StatusMessage': STATUS_MESSAGES[self.outcome]})
            end_time = self.natural_end
        req = self.request
        out = project(req, shape)
        out.pop('Tags', None)
        out.update({
            'TrainingJobName': self.name,
            'TrainingJobArn': self.arn,
            'TrainingJobStatus': st,
            'SecondaryStatus': transitions[-1]['Status'] if transitions else 'Starting',
            'CreationTime': self.created,
            'LastModifiedTime': max([self.created] + [t['StartTime'] for t in transitions]),
            'SecondaryStatusTransitions': transitions,
            'ModelArtifacts': {'S3ModelArtifacts': '%s/%s/output/model.tar.gz' % (
                (req.get('OutputDataConfig') or {}).get('S3OutputPath', 's3://bucket/out').rstrip('/'),
                self.name)},
            'StoppingCondition': req.get('StoppingCondition') or {'MaxRuntimeInSeconds': 86400},
        })
        if len(self.phases) > 1 and now >= self.phases[1][1]:
            out['TrainingStartTime'] = self.phases[1][1]
        if end_time is not None:
            out['TrainingEndTime'] = end_time
            start = out.get('TrainingStartTime', self.created)
            secs = max(1, int(round(end_time - start)))
            out['TrainingTimeInSeconds'] = secs
            billable = secs
            if req.get('EnableManagedSpotTraining'):
                billable = max(1, int(secs * 0.3))
            out['BillableTimeInSeconds'] = billable
            pts = self.metric_points(now)
            final = {}
            for n, t, v, inst in pts:
                if not inst:
                    final[n] = (t, v)
            if st != 'Failed' and final:
                out['FinalMetricDataList'] = [{'MetricName': n, 'Value': v, 'Timestamp': end_time}
                                              for n, (t, v) in sorted(final.items())]
        if st == 'Failed':
            out['FailureReason'] = self.failure_reason or 'AlgorithmError: training failed'
        if req.get('MlflowConfig'):
            r = stable_rand(self.name, 'mlflow')
            out['MlflowDetails'] = {'MlflowExperimentId': str(r.randint(1, 999)),
                                    'MlflowRunId': '%032x' % r.getrandbits(128)}
        if st == 'InProgress':
            a, b = self.training_phase()
            if now >= a:
                ep = int(self.epochs * min(1.0, (now - a) / max(1e-9, b - a)))
                out['ProgressInfo'] = {'CurrentEpoch': ep, 'MaxEpoch': self.epochs}
        return out


class ProcessingJob(TimelineJob):
    def __init__(self, sm, name, request, created, region, duration, outcome,
                 failure_reason=None, exit_message=None, training_job_arn=None):
        TimelineJob.__init__(self, name, created, [('InProgress', duration)], outcome,
                             failure_reason)
        self.sm = sm
        self.request = request
        self.region = region
        self.arn = 'arn:aws:sagemaker:%s:%s:processing-job/%s' % (region, sm.store.account,
                                                                  name.lower())
        self.exit_message = exit_message
        self.training_job_arn = training_job_arn
        self.log_stream = '%s/algo-1-%d' % (name, int(created))
        self._events = None

    def first_event_time(self):
        return self.phases[0][1] + 0.001

    def log_events(self, now):
        if self._events is None:
            a, b = self.phases[0][1], self.phases[0][2]
            ev = [(a + 0.001, 'Processing job %s started' % self.name)]
            for k in range(1, 6):
                ev.append((a + (b - a) * k / 6.0, 'processed %d/5 shards' % k))
            if self.outcome == 'Failed':
                ev.append((b - 0.001, 'ERROR: %s' % (self.failure_reason or 'processing failed')))
            else:
                ev.append((b, 'Processing complete'))
            self._events = ev
        cut = self.cutoff(now)
        return [e for e in self._events if e[0] <= cut]

    def metric_points(self, now):
        return []

    def describe(self, now, shape):
        st = self.status(now)
        req = self.request
        out = project(req, shape)
        out.update({
            'ProcessingJobName': self.name,
            'ProcessingJobArn': self.arn,
            'ProcessingJobStatus': st,
            'CreationTime': self.created,
            'ProcessingResources': req.get('ProcessingResources') or {
                'ClusterConfig': {'InstanceCount': 1, 'InstanceType': 'ml.m5.xlarge',
                                  'VolumeSizeInGB': 30}},
            'AppSpecification': req.get('AppSpecification') or {
                'ImageUri': '%s.dkr.ecr.%s.amazonaws.com/yolo11-process:latest' % (
                    self.sm.store.account, self.region)},
            'ProcessingStartTime': self.created,
            'LastModifiedTime': self.created,
        })
        if self.training_job_arn:
            out['TrainingJobArn'] = self.training_job_arn
        if st in ('Completed', 'Failed', 'Stopped'):
            end = self.end_time()
            out['ProcessingEndTime'] = end
            out['LastModifiedTime'] = end
        elif st == 'Stopping':
            out['LastModifiedTime'] = self.stop_at
        if st == 'Failed':
            out['FailureReason'] = self.failure_reason or 'AlgorithmError: processing failed'
            out['ExitMessage'] = self.exit_message or 'exit code 1'
        elif st == 'Completed' and self.exit_message:
            out['ExitMessage'] = self.exit_message
        return out


# --------------------------------------------------------------------- pipelines

DEFAULT_DEFINITION = {
    'Version': '2020-12-01',
    'Metadata': {},
    'Parameters': [
        {'Name': 'TrainingInstanceType', 'Type': 'String', 'DefaultValue': 'ml.g5.2xlarge'},
        {'Name': 'Epochs', 'Type': 'Integer', 'DefaultValue': 100},
        {'Name': 'ImageSize', 'Type': 'Integer', 'DefaultValue': 640},
        {'Name': 'MapThreshold', 'Type': 'Float', 'DefaultValue': 0.5},
        {'Name': 'DatasetS3Uri', 'Type': 'String',
         'DefaultValue': 's3://mldeck-datasets/drone-yolo/v3/'},
    ],
    'Steps': [
        {'Name': 'Preprocess', 'Type': 'Processing', 'Arguments': {}},
        {'Name': 'Train', 'Type': 'Training', 'DependsOn': ['Preprocess'], 'Arguments': {
            'HyperParameters': {'epochs': {'Get': 'Parameters.Epochs'},
                                'imgsz': {'Get': 'Parameters.ImageSize'},
                                'model': 'yolo11n.pt', 'batch': '16'},
            'ResourceConfig': {'InstanceType': {'Get': 'Parameters.TrainingInstanceType'},
                               'InstanceCount': 1, 'VolumeSizeInGB': 100}}},
        {'Name': 'Evaluate', 'Type': 'Processing', 'DependsOn': ['Train'], 'Arguments': {}},
        {'Name': 'CheckMAP', 'Type': 'Condition', 'DependsOn': ['Evaluate'], 'Arguments': {
            'Conditions': [{'Type': 'GreaterThanOrEqualTo',
                            'LeftValue': {'Std:JsonGet': {'PropertyFile': 'EvaluationReport',
                                                          'Path': 'metrics.mAP50'}},
                            'RightValue': {'Get': 'Parameters.MapThreshold'}}],
            'IfSteps': [{'Name': 'RegisterModel', 'Type': 'RegisterModel', 'Arguments': {}}],
            'ElseSteps': [{'Name': 'MapTooLow', 'Type': 'Fail',
                           'Arguments': {'ErrorMessage': 'mAP50 below the threshold'}}]}},
    ],
}


def resolve(value, params):
    """Resolve the pipeline definition's expressions that depend only on
    parameters (Get Parameters.X, Std:Join); others become a placeholder."""
    if isinstance(value, dict):
        if set(value) == {'Get'} and isinstance(value['Get'], str):
            ref = value['Get']
            if ref.startswith('Parameters.'):
                v = params.get(ref[len('Parameters.'):])
                return v if v is not None else ''
            if ref.startswith('Execution.'):
                return 'execution'
            return 'placeholder'
        if set(value) == {'Std:Join'}:
            j = value['Std:Join']
            return str(j.get('On', '')).join(str(resolve(v, params)) for v in j.get('Values', []))
        return {k: resolve(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, params) for v in value]
    return value


def step_deps(step):
    cached = step.get('_deps')
    if cached is not None:
        return cached
    deps = set(step.get('DependsOn') or [])
    for ref in re.findall(r'"Get"\s*:\s*"Steps\.([A-Za-z0-9_\-]+)', json.dumps(step.get('Arguments', {}))):
        deps.add(ref)
    return deps


def order_steps(steps):
    """Stable topological order of top-level steps."""
    names = [s.get('Name') for s in steps]
    placed, out = set(), []
    remaining = list(steps)
    while remaining:
        progress = False
        for s in list(remaining):
            if all(d in placed or d not in names for d in step_deps(s)):
                out.append(s)
                placed.add(s.get('Name'))
                remaining.remove(s)
                progress = True
                break
        if not progress:  # a cycle: keep the file order
            out.extend(remaining)
            break
    return out


class StepRun(object):
    def __init__(self, sdef, start):
        self.sdef = sdef
        self.name = sdef.get('Name', 'Step')
        self.type = sdef.get('Type', 'Unknown')
        self.start = start
        self.end = None
        self.status = None   # None while running; final status once done
        self.failure = None
        self.attempt = 1
        self.job = None
        self.duration = 0.0
        self.forced = None   # outcome rule applied to this attempt
        self.metadata = {}


class Execution(object):
    def __init__(self, sm, pipeline, arn, created, params, definition, display, description,
                 token, region, parallelism=None):
        self.sm = sm
        self.pipeline = pipeline
        self.arn = arn
        self.created = created
        self.params = params              # ordered list of {Name, Value}
        self.definition = definition      # JSON text at start time
        self.display = display
        self.description = description
        self.token = token
        self.region = region
        self.parallelism = parallelism
        self.status = 'Executing'
        self.failure = None
        self.end = None
        self.modified = created
        self.t = created                  # steps start no earlier than this (start, retry)
        self.steps = []                   # every StepRun, for listing
        self.running = []
        self.done = {}                    # step name -> finished StepRun
        self.attempts = {}                # step name -> attempts so far
        self.failing = False              # a step failed: start nothing new
        self.cursor = created             # time of the last start/finish replayed
        self.pending = list(sm.ordered_steps(definition))
        limit = (parallelism or pipeline.parallelism or {}).get('MaxParallelExecutionSteps')
        self.max_parallel = int(limit) if limit else 50
        self.stop_at = None
        self.stop_done = None
        self.forced = {}                  # step name -> outcome rule (seeded failures)

    def param_map(self):
        return {p['Name']: p['Value'] for p in self.params}

    # -- progression
    def _finish_info(self, run):
        if run.job is not None:
            end = run.job.end_time()
            st = run.job.final_status()
            if st == 'Completed':
                return end, True, None
            if st == 'Stopped':
                return end, False, 'Step stopped'
            return end, False, run.job.failure_reason or 'Job failed'
        end = run.start + run.duration
        if run.type == 'Fail':
            msg = resolve((run.sdef.get('Arguments') or {}).get('ErrorMessage', 'Fail step'),
                          self.param_map())
            return end, False, str(msg)
        if run.forced is not None:
            return end, False, run.forced.get('reason', 'Step failed')
        return end, True, None

    def _all_names(self):
        names = set(self.done)
        names.update(r.name for r in self.running)
        names.update(sd.get('Name') for sd in self.pending)
        return names

    def _next_start(self, gap):
        """(time, step definition) of the earliest step whose dependencies
        all succeeded, or None.  Dependencies on steps this execution never
        runs (the branch a condition did not take) are ignored."""
        if self.failing or len(self.running) >= self.max_parallel:
            return None
        names = self._all_names()
        best = None
        for sdef in self.pending:
            deps = [d for d in step_deps(sdef) if d in names]
            if sdef.get('_parent'):
                deps.append(sdef['_parent'])
            if all(d in self.done and self.done[d].status == 'Succeeded' for d in deps):
                t = max([self.done[d].end for d in deps] + [self.t]) + gap
                # not before the event that freed the slot or made it ready
                t = max(t, self.cursor)
                if best is None or t < best[0]:
                    best = (t, sdef)
        return best

    def advance(self, now):
        """Replay, in time order, every step start and finish due by now:
        steps run as soon as their dependencies succeeded (in parallel, up to
        MaxParallelExecutionSteps); after a failure nothing new starts and the
        execution fails once the running steps are done."""
        gap = self.sm.clock.dur(STEP_GAP)
        while True:
            if self.status == 'Stopping':
                if now >= self.stop_done:
                    for r in self.running:
                        r.status = 'Stopped'
                        r.end = self.stop_done
                        r.failure = 'Step stopped'
                        self.done[r.name] = r
                    self.running = []
                    self.status = 'Stopped'
                    self.end = self.stop_done
                    self.modified = self.stop_done
                break
            if self.status != 'Executing':
                break
            fin = None
            for r in self.running:
                end, ok, reason = self._finish_info(r)
                if fin is None or end < fin[0]:
                    fin = (end, r, ok, reason)
            start = self._next_start(gap)
            if fin is None and start is None:
                ends = [r.end for r in self.done.values() if r.end is not None]
                self.end = max(ends + [self.t])
                self.modified = self.end
                if self.failing:
                    self.status = 'Failed'
                    self.failure = 'Step failure: One or multiple steps failed.'
                else:
                    self.status = 'Succeeded'
                break
            if start is not None and (fin is None or start[0] < fin[0]):
                if start[0] > now:
                    break
                sdef = start[1]
                self.pending.remove(sdef)
                run = self._start_step(sdef, start[0])
                self.running.append(run)
                self.steps.append(run)
                self.modified = self.cursor = start[0]
                continue
            end, cur, ok, reason = fin
            if end > now:
                break
            cur.end = end
            cur.status = 'Succeeded' if ok else 'Failed'
            cur.failure = None if ok else reason
            if cur.type == 'Fail':
                cur.metadata = {'Fail': {'ErrorMessage': reason}}
            self.running.remove(cur)
            self.done[cur.name] = cur
            self.modified = self.cursor = end
            if not ok:
                self.failing = True
            elif cur.type == 'Condition':
                args = cur.sdef.get('Arguments') or {}
                outcome = cur.metadata.get('Condition', {}).get('Outcome', 'True')
                for b in args.get('IfSteps' if outcome == 'True' else 'ElseSteps') or []:
                    if isinstance(b, dict) and b.get('Name'):
                        b = dict(b)
                        b['_parent'] = cur.name
                        self.pending.append(b)

    def _start_step(self, sdef, start):
        sm = self.sm
        run = StepRun(sdef, start)
        run.attempt = self.attempts.get(run.name, 0) + 1
        self.attempts[run.name] = run.attempt
        pipeline_name = self.pipeline.name
        rule = self.forced.pop(run.name, None) or \
            sm.store.take_outcome('step', step=run.name, pipeline=pipeline_name)
        run.forced = rule
        reason = rule.get('reason', 'ClientError: step failed') if rule else None
        args = resolve(sdef.get('Arguments') or {}, self.param_map())
        exec_id = self.arn.rsplit('/', 1)[1]
        base = re.sub(r'[^A-Za-z0-9-]', '-', 'pipelines-%s-%s' % (exec_id, run.name))
        jobname = re.sub(r'-+', '-', base)[:56].rstrip('-') + '-' + short_id(6)
        if run.type == 'Training':
            req = sm.training_request_defaults(jobname, self.region)
            if isinstance(args, dict):
                for k, v in args.items():
                    if isinstance(v, dict) and isinstance(req.get(k), dict):
                        req[k].update(v)
                    else:
                        req[k] = v
            req = sm.clean_training_request(req)
            job = sm.new_training_job(jobname, req, start, self.region,
                                      forced_failure=reason)
            run.job = job
            run.metadata = {'TrainingJob': {'Arn': job.arn}}
        elif run.type == 'Processing':
            job = sm.new_processing_job(jobname, {}, start, self.region, forced_failure=reason)
            run.job = job
            run.metadata = {'ProcessingJob': {'Arn': job.arn}}
        else:
            run.duration = sm.clock.dur(SIMPLE_STEP_DURATION)
            if run.type == 'Condition':
                c = sm.store.take_outcome('condition', step=run.name, pipeline=pipeline_name)
                run.metadata = {'Condition': {'Outcome': (c or {}).get('outcome', 'True')}}
            elif run.type == 'RegisterModel':
                run.metadata = {'RegisterModel': {'Arn': 'arn:aws:sagemaker:%s:%s:model-package/'
                                                  '%s/%d' % (self.region, sm.store.account,
                                                             pipeline_name.lower(),
                                                             len(sm.executions))}}
            elif run.type == 'Model':
                run.metadata = {'Model': {'Arn': 'arn:aws:sagemaker:%s:%s:model/%s' % (
                    self.region, sm.store.account, jobname.lower())}}
            elif run.type == 'Lambda':
                run.metadata = {'Lambda': {'Arn': (sdef.get('FunctionArn') or
                                                   'arn:aws:lambda:%s:%s:function:f' % (
                                                       self.region, sm.store.account)),
                                           'OutputParameters': []}}
        return run

    def stop(self, now):
        self.stop_at = now
        self.stop_done = now + self.sm.clock.dur(STOP_DELAY)
        self.status = 'Stopping'
        self.modified = now
        for r in self.running:
            if r.job is not None:
                r.job.stop(now, self.sm.clock.dur(STOP_DELAY))

    def retry(self, now):
        """Re-run the failed and stopped steps (AttemptCount + 1), then
        whatever had not run yet."""
        again = [r for r in self.steps if r.status in ('Failed', 'Stopped')]
        for r in again:
            self.steps.remove(r)
            self.done.pop(r.name, None)
        self.pending = [r.sdef for r in again] + self.pending
        self.status = 'Executing'
        self.failing = False
        self.failure = None
        self.end = None
        self.modified = now
        self.t = self.cursor = now
        self.stop_at = self.stop_done = None

    # -- views
    def step_view(self, r, now):
        st = r.status
        if st is None:
            if self.status == 'Stopping':
                st = 'Stopping'
            elif now < r.start + self.sm.clock.dur(STEP_STARTING):
                st = 'Starting'
            else:
                st = 'Executing'
        out = {'StepName': r.name, 'StepStatus': st, 'StartTime': r.start,
               'AttemptCount': r.attempt}
        disp = r.sdef.get('DisplayName')
        if disp:
            out['StepDisplayName'] = disp
        if r.sdef.get('Description'):
            out['StepDescription'] = r.sdef['Description']
        if r.end is not None:
            out['EndTime'] = r.end
        if r.failure:
            out['FailureReason'] = r.failure
        if r.metadata:
            out['Metadata'] = r.metadata
        return out


class Pipeline(object):
    def __init__(self, name, arn, definition, role, created, display=None, description=None,
                 parallelism=None, tags=None):
        self.name = name
        self.arn = arn
        self.definition = definition
        self.role = role
        self.created = created
        self.modified = created
        self.display = display or name
        self.description = description
        self.parallelism = parallelism
        self.tags = tags or []
        self.last_run = None
        self.executions = []

    def active_executions(self):
        return [ex for ex in self.executions if ex.status in ('Executing', 'Stopping')]


# --------------------------------------------------------------------- the service

class SageMaker(object):
    def __init__(self, fake):
        self.fake = fake
        self.store = fake.store
        self.clock = fake.store.clock
        self.model = fake.services['sagemaker'].model
        self.reset()
        self.store.parts['sagemaker'] = self
        self.store.resetters.append(self.reset)
        self.store.seeders.append(self.seed)
        # running executions start their steps' jobs even when only the jobs,
        # logs or metrics are asked for
        self.store.tickers.append(self.advance_all)

    def reset(self):
        self.pipelines = {}            # name -> Pipeline
        self.executions = {}           # arn -> Execution
        self.active = set()            # executions still Executing or Stopping
        self.tokens = {}               # (op, token) -> result
        self.training = {}             # name -> TrainingJob
        self.processing = {}           # name -> ProcessingJob
        # Job names are unique regardless of case and ARNs carry them in
        # lower case: look jobs up case-insensitively.
        self.training_lower = {}
        self.processing_lower = {}
        self.labeling = {}             # name -> dict
        self.schedules = {}            # name -> dict
        self.monitoring_executions = []
        self.mlflow = {}               # name -> dict
        self.endpoints = {}            # name -> dict (DescribeEndpoint form)
        self._training_sorted = None
        self._ordered = {}             # definition text -> ordered steps
        self._parsed = {}              # definition text -> parsed JSON

    def shape(self, name):
        return self.model.shape_for(name)

    def out_shape(self, op):
        return self.model.operation_model(op).output_shape

    # -- jobs
    def training_request_defaults(self, name, region, instance_type='ml.g5.2xlarge', epochs=10):
        acct = self.store.account
        return {
            'TrainingJobName': name,
            'HyperParameters': {'epochs': str(epochs), 'imgsz': '640', 'batch': '16',
                                'model': 'yolo11n.pt'},
            'AlgorithmSpecification': {
                'TrainingImage': '%s.dkr.ecr.%s.amazonaws.com/yolo11-train:latest' % (acct, region),
                'TrainingInputMode': 'File',
                'MetricDefinitions': [{'Name': n, 'Regex': rx} for n, rx in YOLO_METRICS]},
            'RoleArn': 'arn:aws:iam::%s:role/SageMakerExecutionRole' % acct,
            'InputDataConfig': [
                {'ChannelName': ch, 'DataSource': {'S3DataSource': {
                    'S3DataType': 'S3Prefix', 'S3Uri': 's3://mldeck-datasets/drone-yolo/v3/%s/' % ch,
                    'S3DataDistributionType': 'FullyReplicated'}}} for ch in ('train', 'val')],
            'OutputDataConfig': {'S3OutputPath': 's3://mldeck-models/yolo11'},
            'ResourceConfig': {'InstanceType': instance_type, 'InstanceCount': 1,
                               'VolumeSizeInGB': 100},
            'StoppingCondition': {'MaxRuntimeInSeconds': 86400},
        }

    def clean_training_request(self, req):
        """Keep only the CreateTrainingJob members, stringify hyperparameters
        (pipeline parameters resolve to numbers)."""
        shape = self.model.operation_model('CreateTrainingJob').input_shape
        req = {k: v for k, v in req.items() if k in shape.members}
        if 'HyperParameters' in req:
            req['HyperParameters'] = {str(k): str(v) for k, v in req['HyperParameters'].items()}
        rc = req.get('ResourceConfig')
        if isinstance(rc, dict):
            enum = self.shape('TrainingInstanceType').enum
            if rc.get('InstanceType') not in enum:
                rc['InstanceType'] = 'ml.g5.2xlarge'
            try:
                rc['InstanceCount'] = int(rc.get('InstanceCount', 1))
            except (TypeError, ValueError):
                rc['InstanceCount'] = 1
        return req

    def new_training_job(self, name, request, created, region, phase_durations=None,
                         outcome=None, failure_reason=None, forced_failure=None, tags=None):
        if phase_durations is None:
            phase_durations = [(p, self.clock.dur(d)) for p, d in TRAIN_PHASES]
        rule = self.store.take_outcome('training-job', name=name)
        if forced_failure or rule:
            outcome = 'Failed'
            failure_reason = forced_failure or rule.get(
                'reason', 'AlgorithmError: training failed, exit code: 1')
        job = TrainingJob(self, name, request, created, region, phase_durations,
                          outcome or 'Completed', failure_reason, tags=tags)
        if job.outcome == 'Failed':
            job.phases = job.phases[:3]
            job.natural_end = job.phases[-1][2]
        self.training[name] = job
        self.training_lower[name.lower()] = job
        self._training_sorted = None
        return job

    def new_processing_job(self, name, request, created, region, duration=None, outcome=None,
                           failure_reason=None, forced_failure=None, **kw):
        rule = self.store.take_outcome('processing-job', name=name)
        if forced_failure or rule:
            outcome = 'Failed'
            failure_reason = forced_failure or rule.get('reason', 'AlgorithmError: exit code 1')
        job = ProcessingJob(self, name, request, created, region,
                            duration if duration is not None else self.clock.dur(PROCESSING_DURATION),
                            outcome or 'Completed', failure_reason, **kw)
        self.processing[name] = job
        self.processing_lower[name.lower()] = job
        return job

    def get_training(self, name):
        return self.training.get(name) or self.training_lower.get(name.lower())

    def get_processing(self, name):
        return self.processing.get(name) or self.processing_lower.get(name.lower())

    def find_job_by_stream(self, group, stream):
        jobs = self.training if group == LOG_GROUP_TRAINING else \
            self.processing if group == LOG_GROUP_PROCESSING else {}
        name = stream.split('/', 1)[0]
        job = jobs.get(name)
        if job is not None and job.log_stream == stream:
            return job
        return None

    # -- pipelines helpers
    def pipeline(self, name_or_arn):
        p = self.pipelines.get(name_or_arn)
        if p is None:
            for q in self.pipelines.values():
                if q.arn == name_or_arn:
                    return q
        return p

    def execution(self, arn, now):
        ex = self.executions.get(arn)
        if ex is None:
            raise not_found('Pipeline execution with ARN %s not found.' % arn)
        ex.advance(now)
        return ex

    def advance_all(self, now):
        for ex in list(self.active):
            ex.advance(now)
            if ex.status not in ('Executing', 'Stopping'):
                self.active.discard(ex)

    def ordered_steps(self, text):
        """The definition's top-level steps in dependency order, their
        dependencies precomputed; parsed once per definition text and shared
        (read-only) by the executions."""
        steps = self._ordered.get(text)
        if steps is None:
            d = json.loads(json.dumps(self.parsed(text)))   # a private copy
            steps = order_steps([s for s in d.get('Steps') or [] if isinstance(s, dict)])
            for s in steps:
                s['_deps'] = frozenset(step_deps(s))
            self._ordered[text] = steps
        return steps

    def check_definition(self, text):
        try:
            d = json.loads(text)
        except ValueError as e:
            raise coral_error('ValidationException', 'Pipeline definition is not valid JSON: %s' % e)
        if not isinstance(d, dict) or not isinstance(d.get('Steps'), list):
            raise coral_error('ValidationException', 'Pipeline definition must have a Steps list')
        names = set()
        for s in d['Steps']:
            if not isinstance(s, dict) or not s.get('Name') or not s.get('Type'):
                raise coral_error('ValidationException', 'every step needs Name and Type')
            if s['Name'] in names:
                raise coral_error('ValidationException', 'duplicate step name %s' % s['Name'])
            names.add(s['Name'])
        return d

    def parsed(self, text):
        d = self._parsed.get(text)
        if d is None:
            try:
                d = json.loads(text)
            except ValueError:
                d = {}
            if not isinstance(d, dict):
                d = {}
            self._parsed[text] = d
        return d

    def merge_parameters(self, definition, given):
        d = self.parsed(definition)
        declared = {p.get('Name'): p for p in d.get('Parameters') or []}
        values = {}
        for p in given or []:
            decl = declared.get(p['Name'])
            if decl is None:
                raise coral_error('ValidationException', 'Pipeline parameter %s is not defined in '
                                  'the pipeline definition' % p['Name'])
            t = decl.get('Type', 'String')
            v = p['Value']
            try:
                if t == 'Integer':
                    int(v)
                elif t == 'Float':
                    float(v)
                elif t == 'Boolean' and v not in ('true', 'false', 'True', 'False'):
                    raise ValueError(v)
            except ValueError:
                raise coral_error('ValidationException', 'Value %r of pipeline parameter %s is not '
                                  'a valid %s' % (v, p['Name'], t))
            values[p['Name']] = v
        out = []
        for name, decl in declared.items():
            if name in values:
                out.append({'Name': name, 'Value': values[name]})
            elif 'DefaultValue' in decl:
                dv = decl['DefaultValue']
                if isinstance(dv, bool):
                    dv = 'true' if dv else 'false'
                out.append({'Name': name, 'Value': str(dv)})
        return out

    def start_execution(self, pipeline, created, params, display, description, token, region,
                        parallelism=None):
        eid = short_id(12)
        arn = '%s/execution/%s' % (pipeline.arn, eid)
        ex = Execution(self, pipeline, arn, created, self.merge_parameters(pipeline.definition, params),
                       pipeline.definition, display or 'execution-%d' % int(created * 1000),
                       description, token, region, parallelism)
        self.executions[arn] = ex
        self.active.add(ex)
        pipeline.executions.append(ex)
        pipeline.last_run = created if pipeline.last_run is None else max(pipeline.last_run, created)
        return ex

    def new_pipeline(self, name, definition, role, created, region, **kw):
        arn = 'arn:aws:sagemaker:%s:%s:pipeline/%s' % (region, self.store.account, name.lower())
        p = Pipeline(name, arn, definition, role, created, **kw)
        self.pipelines[name] = p
        return p

    # -- seeding
    def seed(self, data):
        now = self.clock.now()
        region = data.get('region', 'us-east-1')
        out = {}
        tj = data.get('training_jobs')
        if isinstance(tj, dict):
            out['training_jobs'] = self.seed_training_jobs(now, region, **tj)
        elif isinstance(tj, list):
            for spec in tj:
                self.seed_one_training_job(now, region, spec)
            out['training_jobs'] = len(tj)
        for spec in data.get('processing_jobs') or []:
            self.seed_one_processing_job(now, region, spec)
        for spec in data.get('pipelines') or []:
            self.seed_pipeline(now, region, spec)
        for spec in data.get('labeling_jobs') or []:
            self.seed_labeling_job(now, region, spec)
        for spec in data.get('monitoring_schedules') or []:
            self.seed_schedule(now, region, spec)
        for spec in data.get('mlflow_tracking_servers') or []:
            self.seed_mlflow(now, region, spec)
        for spec in data.get('endpoints') or []:
            self.seed_endpoint(now, region, spec)
        out['counts'] = {'pipelines': len(self.pipelines), 'executions': len(self.executions),
                         'training_jobs': len(self.training),
                         'processing_jobs': len(self.processing),
                         'labeling_jobs': len(self.labeling),
                         'monitoring_schedules': len(self.schedules),
                         'mlflow_tracking_servers': len(self.mlflow),
                         'endpoints': len(self.endpoints)}
        return out

    def seed_training_jobs(self, now, region, count=100, prefix='yolo11-train', spacing=600,
                           in_progress=3, **_):
        """count jobs created `spacing` seconds apart ending now: the newest
        `in_progress` still run (realistic hour-long timelines), 1 in 20
        failed, 1 in 33 stopped, the rest completed."""
        for i in range(count):
            name = '%s-%05d' % (prefix, i)
            created = now - (count - i) * spacing
            r = stable_rand(name)
            durs = [('Starting', 60 + r.random() * 240), ('Downloading', 30 + r.random() * 150),
                    ('Training', 1800 + r.random() * 5400), ('Uploading', 20 + r.random() * 40)]
            outcome, reason = 'Completed', None
            if i % 20 == 7:
                outcome, reason = 'Failed', 'AlgorithmError: CUDA out of memory. Tried to allocate ' \
                    '2.00 GiB, exit code: 1'
            req = self.training_request_defaults(name, region,
                                                 epochs=[50, 100, 150][i % 3],
                                                 instance_type=['ml.g5.2xlarge', 'ml.g5.xlarge',
                                                                'ml.p3.2xlarge'][i % 3])
            if i >= count - in_progress:
                created = now - 100 - (count - i) * 60
            job = self.new_training_job(name, req, created, region, durs, outcome, reason)
            if outcome == 'Completed' and i % 33 == 5 and i < count - in_progress:
                job.stop(created + durs[0][1] + durs[1][1] + durs[2][1] * 0.5, 90.0)
        return count

    def seed_one_training_job(self, now, region, spec):
        name = spec['TrainingJobName'] if 'TrainingJobName' in spec else spec['name']
        created = now - float(spec.get('age', 0))
        req = self.training_request_defaults(name, region, epochs=spec.get('epochs', 10))
        for k, v in (spec.get('request') or {}).items():
            req[k] = v
        scale = float(spec.get('duration', sum(d for _, d in TRAIN_PHASES))) / \
            sum(d for _, d in TRAIN_PHASES)
        durs = [(p, d * scale) for p, d in TRAIN_PHASES]
        status = spec.get('status', 'Completed')
        job = self.new_training_job(name, self.clean_training_request(req), created, region, durs,
                                    'Failed' if status == 'Failed' else 'Completed',
                                    spec.get('FailureReason'))
        if status == 'Stopped':
            job.stop(created + sum(d for _, d in durs) * 0.5, 1.0)

    def seed_one_processing_job(self, now, region, spec):
        name = spec.get('ProcessingJobName') or spec['name']
        self.new_processing_job(name, spec.get('request') or {}, now - float(spec.get('age', 0)),
                                region, float(spec.get('duration', PROCESSING_DURATION)),
                                'Failed' if spec.get('status') == 'Failed' else 'Completed',
                                spec.get('FailureReason'), exit_message=spec.get('ExitMessage'))

    def seed_pipeline(self, now, region, spec):
        name = spec['name']
        definition = spec.get('definition', DEFAULT_DEFINITION)
        if not isinstance(definition, str):
            definition = json.dumps(definition)
        created = now - float(spec.get('age', 86400))
        p = self.new_pipeline(name, definition, spec.get(
            'role_arn', 'arn:aws:iam::%s:role/SageMakerPipelineRole' % self.store.account),
            created, region, description=spec.get('description'),
            display=spec.get('display_name'))
        n = int(spec.get('executions', 0))
        spacing = float(spec.get('execution_spacing', 3600))
        for i in range(n):
            started = now - (n - i) * spacing
            ex = self.start_execution(p, started, [], 'seeded-%d' % i, None, None, region)
            if i % 5 == 3:
                ex.forced['Train'] = {'reason': 'AlgorithmError: CUDA out of memory'}
            ex.advance(now)
        for i in range(int(spec.get('running', 0))):
            # started just now: they run at the current time scale
            self.start_execution(p, now, [], 'running-%d' % i, None, None, region)

    def seed_labeling_job(self, now, region, spec):
        name = spec['name']
        acct = self.store.account
        created = now - float(spec.get('age', 3600))
        self.labeling[name] = {
            'name': name, 'created': created, 'duration': float(spec.get('duration', 7200)),
            'total': int(spec.get('objects', 1000)), 'status': spec.get('status'),
            'failure': spec.get('FailureReason'), 'stop_at': None, 'region': region,
            'arn': 'arn:aws:sagemaker:%s:%s:labeling-job/%s' % (region, acct, name.lower()),
            'workteam': 'arn:aws:sagemaker:%s:%s:workteam/private-crowd/drone-labelers' % (
                region, acct),
        }

    def seed_schedule(self, now, region, spec):
        name = spec['name']
        acct = self.store.account
        created = now - float(spec.get('age', 7 * 86400))
        sched = {
            'name': name, 'created': created, 'region': region,
            'arn': 'arn:aws:sagemaker:%s:%s:monitoring-schedule/%s' % (region, acct, name.lower()),
            'endpoint': spec.get('endpoint', 'yolo11-prod'),
            'type': spec.get('type', 'DataQuality'),
            'status': spec.get('status', 'Scheduled'),
            'definition': spec.get('definition_name', '%s-definition' % name),
        }
        self.schedules[name] = sched
        hours = int(spec.get('executions', 24))
        base = int(now // 3600) * 3600
        for h in range(hours, 0, -1):
            t = base - h * 3600
            r = stable_rand(name, h)
            st = 'Completed'
            if r.random() < 0.2:
                st = 'CompletedWithViolations'
            elif r.random() < 0.05:
                st = 'Failed'
            e = {'MonitoringScheduleName': name, 'ScheduledTime': t, 'CreationTime': t + 5,
                 'LastModifiedTime': t + 900, 'MonitoringExecutionStatus': st,
                 'EndpointName': sched['endpoint'], 'MonitoringType': sched['type'],
                 'MonitoringJobDefinitionName': sched['definition'],
                 'ProcessingJobArn': 'arn:aws:sagemaker:%s:%s:processing-job/model-monitoring-%s-%d'
                 % (region, acct, short_id(8, name, h), t)}
            if st == 'Failed':
                e['FailureReason'] = 'Job inputs had no data'
            self.monitoring_executions.append(e)

    def seed_endpoint(self, now, region, spec):
        name = spec['name']
        created = now - float(spec.get('age', 14 * 86400))
        variants = []
        for v in spec.get('variants') or [{'name': 'AllTraffic'}]:
            n = int(v.get('instances', 1))
            variants.append({
                'VariantName': v.get('name', 'AllTraffic'),
                'DeployedImages': [{'SpecifiedImage': '%s.dkr.ecr.%s.amazonaws.com/yolo11-serve:'
                                    'latest' % (self.store.account, region),
                                    'ResolutionTime': created}],
                'CurrentWeight': float(v.get('weight', 1.0)),
                'DesiredWeight': float(v.get('weight', 1.0)),
                'CurrentInstanceCount': n, 'DesiredInstanceCount': n})
        ep = {'EndpointName': name,
              'EndpointArn': 'arn:aws:sagemaker:%s:%s:endpoint/%s' % (region, self.store.account,
                                                                      name.lower()),
              'EndpointConfigName': spec.get('config', '%s-config' % name),
              'ProductionVariants': variants,
              'EndpointStatus': spec.get('status', 'InService'),
              'CreationTime': created, 'LastModifiedTime': created + 600}
        if spec.get('FailureReason'):
            ep['FailureReason'] = spec['FailureReason']
        if spec.get('data_capture', True):
            ep['DataCaptureConfig'] = {
                'EnableCapture': True, 'CaptureStatus': 'Started', 'CurrentSamplingPercentage': 20,
                'DestinationS3Uri': 's3://mldeck-capture/%s' % name,
                'KmsKeyId': 'arn:aws:kms:%s:%s:key/%s' % (region, self.store.account,
                                                          short_id(32, name))}
        self.endpoints[name] = ep

    def seed_mlflow(self, now, region, spec):
        name = spec['name']
        acct = self.store.account
        self.mlflow[name] = {
            'TrackingServerArn': 'arn:aws:sagemaker:%s:%s:mlflow-tracking-server/%s' % (
                region, acct, name),
            'TrackingServerName': name,
            'ArtifactStoreUri': spec.get('artifact_store', 's3://mldeck-mlflow/%s' % name),
            'TrackingServerSize': spec.get('size', 'Small'),
            'MlflowVersion': spec.get('version', '2.16.2'),
            'RoleArn': 'arn:aws:iam::%s:role/MlflowRole' % acct,
            'TrackingServerStatus': spec.get('status', 'Created'),
            'IsActive': spec.get('active', 'Active'),
            'TrackingServerUrl': spec.get('url', 'https://t-%s.%s.experiments.sagemaker.aws' % (
                short_id(12, name), region)),
            'WeeklyMaintenanceWindowStart': 'Sun:02:00',
            'AutomaticModelRegistration': False,
            'CreationTime': now - float(spec.get('age', 30 * 86400)),
            'LastModifiedTime': now - float(spec.get('age', 30 * 86400)) + 600,
        }

    # -- labeling views
    def labeling_view(self, j, now):
        st = j['status']
        created, dur = j['created'], j['duration']
        prog = max(0.0, min(1.0, (now - created) / dur if dur > 0 else 1.0))
        if j['stop_at'] is not None:
            prog = min(prog, max(0.0, (j['stop_at'] - created) / dur))
            st = 'Stopped' if now >= j['stop_at'] + self.clock.dur(STOP_DELAY) else 'Stopping'
        elif st is None:
            st = 'Initializing' if prog < 0.02 else ('InProgress' if prog < 1.0 else 'Completed')
        if st == 'Completed':
            prog = 1.0
        total = j['total']
        labeled = int(total * prog)
        counters = {'TotalLabeled': labeled, 'HumanLabeled': int(labeled * 0.7),
                    'MachineLabeled': labeled - int(labeled * 0.7),
                    'FailedNonRetryableError': 0, 'Unlabeled': total - labeled}
        modified = min(now, created + dur) if st in ('InProgress', 'Initializing', 'Completed') \
            else (j['stop_at'] or created)
        out = {'LabelingJobName': j['name'], 'LabelingJobArn': j['arn'], 'CreationTime': created,
               'LastModifiedTime': max(created, modified), 'LabelingJobStatus': st,
               'LabelCounters': counters, 'WorkteamArn': j['workteam']}
        if st == 'Failed':
            out['FailureReason'] = j['failure'] or 'ClientError: manifest file is not valid'
        if st == 'Completed':
            out['LabelingJobOutput'] = {'OutputDatasetS3Uri': 's3://mldeck-labels/%s/manifests/'
                                        'output/output.manifest' % j['name']}
        return out

    def labeling_describe(self, j, now):
        s = self.labeling_view(j, now)
        acct = self.store.account
        out = {k: s[k] for k in ('LabelingJobName', 'LabelingJobArn', 'CreationTime',
                                 'LastModifiedTime', 'LabelingJobStatus', 'LabelCounters')}
        for k in ('FailureReason', 'LabelingJobOutput'):
            if k in s:
                out[k] = s[k]
        out.update({
            'JobReferenceCode': short_id(16, j['name']),
            'LabelAttributeName': 'bounding-box',
            'InputConfig': {'DataSource': {'S3DataSource': {
                'ManifestS3Uri': 's3://mldeck-labels/%s/input.manifest' % j['name']}}},
            'OutputConfig': {'S3OutputPath': 's3://mldeck-labels/%s/' % j['name']},
            'RoleArn': 'arn:aws:iam::%s:role/GroundTruthRole' % acct,
            'HumanTaskConfig': {
                'WorkteamArn': j['workteam'],
                'UiConfig': {'UiTemplateS3Uri': 's3://mldeck-labels/templates/bbox.liquid.html'},
                'TaskTitle': 'Draw boxes around vehicles and people',
                'TaskDescription': 'Drone imagery: one box per object',
                'NumberOfHumanWorkersPerDataObject': 1,
                'TaskTimeLimitInSeconds': 600},
        })
        return out


# --------------------------------------------------------------------- operations

def register(fake):
    sm = SageMaker(fake)

    def op(name):
        def deco(fn):
            fake.register('sagemaker', name, fn)
            return fn
        return deco

    def page_size(ctx):
        return ctx.store.default_page_size

    # ---- pipelines
    @op('CreatePipeline')
    def create_pipeline(ctx, p):
        key = ('CreatePipeline', p['ClientRequestToken'])
        if key in sm.tokens:
            return sm.tokens[key]
        name = p['PipelineName']
        if name in sm.pipelines:
            raise coral_error('ValidationException', 'Pipeline names must be unique within an AWS '
                              'account and region. Pipeline with name (%s) already exists.' % name)
        definition = p.get('PipelineDefinition')
        if definition is None:
            if 'PipelineDefinitionS3Location' not in p:
                raise coral_error('ValidationException', 'Either PipelineDefinition or '
                                  'PipelineDefinitionS3Location must be provided')
            definition = json.dumps(DEFAULT_DEFINITION)
        sm.check_definition(definition)
        pl = sm.new_pipeline(name, definition, p['RoleArn'], ctx.now, ctx.region,
                             display=p.get('PipelineDisplayName'),
                             description=p.get('PipelineDescription'),
                             parallelism=p.get('ParallelismConfiguration'), tags=p.get('Tags'))
        res = {'PipelineArn': pl.arn}
        sm.tokens[key] = res
        return res

    @op('UpdatePipeline')
    def update_pipeline(ctx, p):
        pl = sm.pipeline(p['PipelineName'])
        if pl is None:
            raise not_found('Pipeline %s does not exist.' % p['PipelineName'])
        if 'PipelineDefinition' in p:
            sm.check_definition(p['PipelineDefinition'])
            pl.definition = p['PipelineDefinition']
        if 'PipelineDisplayName' in p:
            pl.display = p['PipelineDisplayName']
        if 'PipelineDescription' in p:
            pl.description = p['PipelineDescription']
        if 'RoleArn' in p:
            pl.role = p['RoleArn']
        if 'ParallelismConfiguration' in p:
            pl.parallelism = p['ParallelismConfiguration']
        pl.modified = ctx.now
        return {'PipelineArn': pl.arn}

    @op('DeletePipeline')
    def delete_pipeline(ctx, p):
        key = ('DeletePipeline', p['ClientRequestToken'])
        if key in sm.tokens:
            return sm.tokens[key]
        pl = sm.pipeline(p['PipelineName'])
        if pl is None:
            raise not_found('Pipeline %s does not exist.' % p['PipelineName'])
        del sm.pipelines[pl.name]
        res = {'PipelineArn': pl.arn}
        sm.tokens[key] = res
        return res

    def describe_pipeline_dict(pl):
        out = {'PipelineArn': pl.arn, 'PipelineName': pl.name, 'PipelineDisplayName': pl.display,
               'PipelineDefinition': pl.definition, 'RoleArn': pl.role,
               'PipelineStatus': 'Active', 'CreationTime': pl.created,
               'LastModifiedTime': pl.modified}
        if pl.description:
            out['PipelineDescription'] = pl.description
        if pl.last_run is not None:
            out['LastRunTime'] = pl.last_run
        if pl.parallelism:
            out['ParallelismConfiguration'] = pl.parallelism
        return out

    @op('DescribePipeline')
    def describe_pipeline(ctx, p):
        pl = sm.pipeline(p['PipelineName'])
        if pl is None:
            raise not_found('Pipeline %s does not exist.' % p['PipelineName'])
        return describe_pipeline_dict(pl)

    @op('ListPipelines')
    def list_pipelines(ctx, p):
        items = []
        for pl in sm.pipelines.values():
            s = {'PipelineArn': pl.arn, 'PipelineName': pl.name, 'PipelineDisplayName': pl.display,
                 'RoleArn': pl.role, 'CreationTime': pl.created, 'LastModifiedTime': pl.modified}
            if pl.description:
                s['PipelineDescription'] = pl.description
            if pl.last_run is not None:
                s['LastExecutionTime'] = pl.last_run
            items.append(s)
        if p.get('PipelineNamePrefix'):
            items = [s for s in items if s['PipelineName'].startswith(p['PipelineNamePrefix'])]
        items = time_filter(items, p, 'CreationTime', 'CreatedAfter', 'CreatedBefore')
        items = sort_items(items, p, {'Name': lambda s: s['PipelineName'],
                                      'CreationTime': lambda s: s['CreationTime']}, 'CreationTime')
        page, nxt = paginate(items, p, 'ListPipelines', page_size(ctx), 100)
        out = {'PipelineSummaries': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    # ---- executions
    @op('StartPipelineExecution')
    def start_pipeline_execution(ctx, p):
        sm.advance_all(ctx.now)
        key = ('StartPipelineExecution', p['ClientRequestToken'])
        if key in sm.tokens:
            return sm.tokens[key]
        pl = sm.pipeline(p['PipelineName'])
        if pl is None:
            raise not_found('Pipeline %s does not exist.' % p['PipelineName'])
        ex = sm.start_execution(pl, ctx.now, p.get('PipelineParameters'),
                                p.get('PipelineExecutionDisplayName'),
                                p.get('PipelineExecutionDescription'), p['ClientRequestToken'],
                                ctx.region, p.get('ParallelismConfiguration'))
        res = {'PipelineExecutionArn': ex.arn}
        sm.tokens[key] = res
        return res

    @op('StopPipelineExecution')
    def stop_pipeline_execution(ctx, p):
        key = ('StopPipelineExecution', p['ClientRequestToken'])
        if key in sm.tokens:
            return sm.tokens[key]
        ex = sm.execution(p['PipelineExecutionArn'], ctx.now)
        if ex.status != 'Executing':
            raise ApiError('ConflictException', 'Pipeline execution %s is in status %s and cannot '
                           'be stopped.' % (ex.arn, ex.status))
        ex.stop(ctx.now)
        res = {'PipelineExecutionArn': ex.arn}
        sm.tokens[key] = res
        return res

    @op('RetryPipelineExecution')
    def retry_pipeline_execution(ctx, p):
        key = ('RetryPipelineExecution', p['ClientRequestToken'])
        if key in sm.tokens:
            return sm.tokens[key]
        ex = sm.execution(p['PipelineExecutionArn'], ctx.now)
        if ex.status not in ('Failed', 'Stopped'):
            raise ApiError('ConflictException', 'Pipeline execution %s is in status %s; only Failed '
                           'or Stopped executions can be retried.' % (ex.arn, ex.status))
        ex.retry(ctx.now)
        sm.active.add(ex)
        res = {'PipelineExecutionArn': ex.arn}
        sm.tokens[key] = res
        return res

    def exec_summary(ex):
        s = {'PipelineExecutionArn': ex.arn, 'StartTime': ex.created,
             'PipelineExecutionStatus': ex.status,
             'PipelineExecutionDisplayName': ex.display}
        if ex.description:
            s['PipelineExecutionDescription'] = ex.description
        if ex.failure:
            s['PipelineExecutionFailureReason'] = ex.failure
        return s

    @op('ListPipelineExecutions')
    def list_pipeline_executions(ctx, p):
        pl = sm.pipeline(p['PipelineName'])
        if pl is None:
            raise not_found('Pipeline %s does not exist.' % p['PipelineName'])
        for ex in pl.active_executions():
            ex.advance(ctx.now)
        exs = sorted(pl.executions, key=lambda ex: ex.created)   # nearly sorted: cheap
        if p.get('CreatedAfter') is not None:
            exs = [ex for ex in exs if ex.created > p['CreatedAfter']]
        if p.get('CreatedBefore') is not None:
            exs = [ex for ex in exs if ex.created < p['CreatedBefore']]
        if p.get('SortBy') == 'PipelineExecutionArn':
            exs = sorted(exs, key=lambda ex: ex.arn)
        if (p.get('SortOrder') or 'Descending') == 'Descending':
            exs = exs[::-1]
        page, nxt = paginate(exs, p, 'ListPipelineExecutions:' + pl.name, page_size(ctx), 100)
        page = [exec_summary(ex) for ex in page]
        out = {'PipelineExecutionSummaries': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    @op('DescribePipelineExecution')
    def describe_pipeline_execution(ctx, p):
        ex = sm.execution(p['PipelineExecutionArn'], ctx.now)
        out = {'PipelineArn': ex.pipeline.arn, 'PipelineExecutionArn': ex.arn,
               'PipelineExecutionDisplayName': ex.display,
               'PipelineExecutionStatus': ex.status, 'CreationTime': ex.created,
               'LastModifiedTime': ex.modified}
        if ex.description:
            out['PipelineExecutionDescription'] = ex.description
        if ex.failure:
            out['FailureReason'] = ex.failure
        if ex.parallelism:
            out['ParallelismConfiguration'] = ex.parallelism
        # SageMaker files every execution as a trial of the pipeline's experiment
        out['PipelineExperimentConfig'] = {'ExperimentName': ex.pipeline.name.lower(),
                                           'TrialName': ex.arn.rsplit('/', 1)[1]}
        return out

    @op('ListPipelineExecutionSteps')
    def list_pipeline_execution_steps(ctx, p):
        if not p.get('PipelineExecutionArn'):
            raise coral_error('ValidationException', 'PipelineExecutionArn is required')
        ex = sm.execution(p['PipelineExecutionArn'], ctx.now)
        items = [ex.step_view(r, ctx.now) for r in ex.steps]
        desc = (p.get('SortOrder') or 'Descending') == 'Descending'
        items = sorted(items, key=lambda s: (s['StartTime'], s['StepName']), reverse=desc)
        page, nxt = paginate(items, p, 'Steps:' + ex.arn, page_size(ctx), 100)
        out = {'PipelineExecutionSteps': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    @op('DescribePipelineDefinitionForExecution')
    def describe_definition(ctx, p):
        ex = sm.execution(p['PipelineExecutionArn'], ctx.now)
        return {'PipelineDefinition': ex.definition, 'CreationTime': ex.created}

    @op('ListPipelineParametersForExecution')
    def list_parameters(ctx, p):
        ex = sm.execution(p['PipelineExecutionArn'], ctx.now)
        page, nxt = paginate(ex.params, p, 'Params:' + ex.arn, 50, 100)
        out = {'PipelineParameters': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    # ---- training jobs
    def training_missing(name):
        # What SageMaker answers in practice (not the modeled ResourceNotFound).
        return coral_error('ValidationException', 'Requested resource not found.')

    @op('CreateTrainingJob')
    def create_training_job(ctx, p):
        name = p['TrainingJobName']
        if sm.get_training(name) is not None:
            raise ApiError('ResourceInUse', 'Training job names must be unique within an AWS '
                           'account and region, and a training job with this name already exists '
                           '(%s)' % sm.get_training(name).arn)
        req = copy.deepcopy(p)
        tags = req.pop('Tags', None)
        job = sm.new_training_job(name, req, ctx.now, ctx.region, tags=tags)
        return {'TrainingJobArn': job.arn}

    @op('DescribeTrainingJob')
    def describe_training_job(ctx, p):
        job = sm.get_training(p['TrainingJobName'])
        if job is None:
            raise training_missing(p['TrainingJobName'])
        return job.describe(ctx.now, sm.out_shape('DescribeTrainingJob'))

    @op('StopTrainingJob')
    def stop_training_job(ctx, p):
        job = sm.get_training(p['TrainingJobName'])
        if job is None:
            raise training_missing(p['TrainingJobName'])
        if not job.stop(ctx.now, sm.clock.dur(STOP_DELAY)):
            raise coral_error('ValidationException', 'The request was rejected because the training '
                              'job is in status %s.' % job.status(ctx.now))
        return {}

    def training_summary(j, now):
        cached = j.__dict__.get('_summary')
        if cached is not None:
            return cached
        st = j.status(now)
        s = {'TrainingJobName': j.name, 'TrainingJobArn': j.arn, 'CreationTime': j.created,
             'TrainingJobStatus': st}
        if st in ('Completed', 'Failed', 'Stopped'):
            s['TrainingEndTime'] = j.end_time()
            s['LastModifiedTime'] = j.end_time()
            s['SecondaryStatus'] = st
            j._summary = s      # final: never changes again
            j._summary_json = json.dumps(s, separators=(',', ':'))
        else:
            lm = j.created
            sec = 'Starting'
            for name, a, b in j.phases:
                if a <= now:
                    lm, sec = a, name
            if st == 'Stopping':
                lm, sec = j.stop_at, 'Stopping'
            s['LastModifiedTime'] = lm
            s['SecondaryStatus'] = sec
        return s

    def jobs_by(key, descending):
        """The jobs sorted by key, in that order; cached until a job is
        added, so a page is a slice, not a sort of every job.  Callers
        must not modify the list."""
        cache = sm._training_sorted
        if cache is None:
            cache = sm._training_sorted = {}
        if (key, descending) not in cache:
            fn = (lambda j: j.name) if key == 'Name' else (lambda j: (j.created, j.name))
            ordered = sorted(sm.training.values(), key=fn)
            if descending:
                ordered.reverse()
            cache[(key, descending)] = ordered
        return cache[(key, descending)]

    @op('ListTrainingJobs')
    def list_training_jobs(ctx, p):
        now = ctx.now
        sort_by = p.get('SortBy') or 'CreationTime'
        order = p.get('SortOrder') or ('Ascending' if sort_by == 'Name' else 'Descending')
        jobs = jobs_by('Name' if sort_by == 'Name' else 'CreationTime', order == 'Descending')
        if p.get('NameContains'):
            jobs = [j for j in jobs if p['NameContains'] in j.name]
        if p.get('CreationTimeAfter') is not None:
            jobs = [j for j in jobs if j.created > p['CreationTimeAfter']]
        if p.get('CreationTimeBefore') is not None:
            jobs = [j for j in jobs if j.created < p['CreationTimeBefore']]
        page_jobs = None
        if p.get('StatusEquals') and sort_by != 'Status' and \
                p.get('LastModifiedTimeAfter') is None and p.get('LastModifiedTimeBefore') is None:
            # As SageMaker documents: a page of MaxResults jobs is taken
            # ignoring StatusEquals, then filtered, so a page can be short or
            # empty while NextToken is still present.
            page, nxt = paginate(jobs, p, 'ListTrainingJobs', page_size(ctx), 100)
            page = [s for s in (training_summary(j, now) for j in page)
                    if s['TrainingJobStatus'] == p['StatusEquals']]
        elif p.get('StatusEquals') or sort_by == 'Status' or \
                p.get('LastModifiedTimeAfter') is not None or \
                p.get('LastModifiedTimeBefore') is not None:
            items = [training_summary(j, now) for j in jobs]
            if p.get('StatusEquals'):
                items = [s for s in items if s['TrainingJobStatus'] == p['StatusEquals']]
            items = time_filter(items, p, 'LastModifiedTime', 'LastModifiedTimeAfter',
                                'LastModifiedTimeBefore')
            if sort_by == 'Status':
                items.sort(key=lambda s: s['TrainingJobStatus'], reverse=order == 'Descending')
            page, nxt = paginate(items, p, 'ListTrainingJobs', page_size(ctx), 100)
        else:
            page, nxt = paginate(jobs, p, 'ListTrainingJobs', page_size(ctx), 100)
            page_jobs = page
            page = [training_summary(j, now) for j in page]
        out = {'TrainingJobSummaries': page}
        if nxt:
            out['NextToken'] = nxt
        if page_jobs is None:
            page_jobs = [sm.get_training(s['TrainingJobName']) for s in page]
        frags = [j.__dict__.get('_summary_json') for j in page_jobs]
        if all(frags):
            return Prencoded(out, {'TrainingJobSummaries': frags})
        return out

    # ---- processing jobs
    @op('CreateProcessingJob')
    def create_processing_job(ctx, p):
        name = p['ProcessingJobName']
        if sm.get_processing(name) is not None:
            raise ApiError('ResourceInUse', 'Processing job %s already exists' % name)
        req = copy.deepcopy(p)
        req.pop('Tags', None)
        job = sm.new_processing_job(name, req, ctx.now, ctx.region)
        return {'ProcessingJobArn': job.arn}

    @op('DescribeProcessingJob')
    def describe_processing_job(ctx, p):
        job = sm.get_processing(p['ProcessingJobName'])
        if job is None:
            raise training_missing(p['ProcessingJobName'])
        return job.describe(ctx.now, sm.out_shape('DescribeProcessingJob'))

    @op('StopProcessingJob')
    def stop_processing_job(ctx, p):
        job = sm.get_processing(p['ProcessingJobName'])
        if job is None:
            raise training_missing(p['ProcessingJobName'])
        if not job.stop(ctx.now, sm.clock.dur(STOP_DELAY)):
            raise coral_error('ValidationException', 'The processing job is in status %s.'
                              % job.status(ctx.now))
        return {}

    @op('ListProcessingJobs')
    def list_processing_jobs(ctx, p):
        now = ctx.now
        shape = sm.shape('ProcessingJobSummary')
        items = [project(j.describe(now, sm.out_shape('DescribeProcessingJob')), shape)
                 for j in sm.processing.values()
                 if not p.get('NameContains') or p['NameContains'] in j.name]
        if p.get('StatusEquals'):
            items = [s for s in items if s['ProcessingJobStatus'] == p['StatusEquals']]
        items = time_filter(items, p, 'CreationTime', 'CreationTimeAfter', 'CreationTimeBefore')
        items = time_filter(items, p, 'LastModifiedTime', 'LastModifiedTimeAfter',
                            'LastModifiedTimeBefore')
        items = sort_items(items, p, {'Name': lambda s: s['ProcessingJobName'],
                                      'CreationTime': lambda s: s['CreationTime'],
                                      'Status': lambda s: s['ProcessingJobStatus']}, 'CreationTime')
        page, nxt = paginate(items, p, 'ListProcessingJobs', page_size(ctx), 100)
        out = {'ProcessingJobSummaries': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    # ---- labeling jobs
    @op('ListLabelingJobs')
    def list_labeling_jobs(ctx, p):
        items = [sm.labeling_view(j, ctx.now) for j in sm.labeling.values()
                 if not p.get('NameContains') or p['NameContains'] in j['name']]
        if p.get('StatusEquals'):
            items = [s for s in items if s['LabelingJobStatus'] == p['StatusEquals']]
        items = time_filter(items, p, 'CreationTime', 'CreationTimeAfter', 'CreationTimeBefore')
        items = time_filter(items, p, 'LastModifiedTime', 'LastModifiedTimeAfter',
                            'LastModifiedTimeBefore')
        items = sort_items(items, p, {'Name': lambda s: s['LabelingJobName'],
                                      'CreationTime': lambda s: s['CreationTime'],
                                      'Status': lambda s: s['LabelingJobStatus']}, 'CreationTime')
        page, nxt = paginate(items, p, 'ListLabelingJobs', page_size(ctx), 100)
        out = {'LabelingJobSummaryList': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    @op('DescribeLabelingJob')
    def describe_labeling_job(ctx, p):
        j = sm.labeling.get(p['LabelingJobName'])
        if j is None:
            raise not_found('Could not find labeling job %s' % p['LabelingJobName'])
        return sm.labeling_describe(j, ctx.now)

    @op('StopLabelingJob')
    def stop_labeling_job(ctx, p):
        j = sm.labeling.get(p['LabelingJobName'])
        if j is None:
            raise not_found('Could not find labeling job %s' % p['LabelingJobName'])
        if sm.labeling_view(j, ctx.now)['LabelingJobStatus'] in ('Initializing', 'InProgress'):
            j['stop_at'] = ctx.now
        return {}

    # ---- monitoring
    def schedule_summary(s):
        return {'MonitoringScheduleName': s['name'], 'MonitoringScheduleArn': s['arn'],
                'CreationTime': s['created'],
                'LastModifiedTime': s.get('modified', s['created']),
                'MonitoringScheduleStatus': s['status'], 'EndpointName': s['endpoint'],
                'MonitoringJobDefinitionName': s['definition'], 'MonitoringType': s['type']}

    @op('ListMonitoringSchedules')
    def list_monitoring_schedules(ctx, p):
        items = [schedule_summary(s) for s in sm.schedules.values()]
        for key, field in (('EndpointName', 'EndpointName'), ('StatusEquals',
                                                              'MonitoringScheduleStatus'),
                           ('MonitoringTypeEquals', 'MonitoringType'),
                           ('MonitoringJobDefinitionName', 'MonitoringJobDefinitionName')):
            if p.get(key):
                items = [s for s in items if s[field] == p[key]]
        if p.get('NameContains'):
            items = [s for s in items if p['NameContains'] in s['MonitoringScheduleName']]
        items = time_filter(items, p, 'CreationTime', 'CreationTimeAfter', 'CreationTimeBefore')
        items = sort_items(items, p, {'Name': lambda s: s['MonitoringScheduleName'],
                                      'CreationTime': lambda s: s['CreationTime'],
                                      'Status': lambda s: s['MonitoringScheduleStatus']},
                           'CreationTime')
        page, nxt = paginate(items, p, 'ListMonitoringSchedules', page_size(ctx), 100)
        out = {'MonitoringScheduleSummaries': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    @op('DescribeMonitoringSchedule')
    def describe_monitoring_schedule(ctx, p):
        s = sm.schedules.get(p['MonitoringScheduleName'])
        if s is None:
            raise not_found('Monitoring schedule %s not found' % p['MonitoringScheduleName'])
        out = schedule_summary(s)
        out.pop('MonitoringJobDefinitionName')
        out['MonitoringScheduleConfig'] = {
            'ScheduleConfig': {'ScheduleExpression': 'cron(0 * ? * * *)'},
            'MonitoringJobDefinitionName': s['definition'], 'MonitoringType': s['type']}
        last = [e for e in sm.monitoring_executions if e['MonitoringScheduleName'] == s['name']]
        if last:
            e = max(last, key=lambda e: e['ScheduledTime'])
            out['LastMonitoringExecutionSummary'] = dict(e)
        return out

    @op('ListMonitoringExecutions')
    def list_monitoring_executions(ctx, p):
        items = list(sm.monitoring_executions)
        for key, field in (('MonitoringScheduleName', 'MonitoringScheduleName'),
                           ('EndpointName', 'EndpointName'),
                           ('StatusEquals', 'MonitoringExecutionStatus'),
                           ('MonitoringTypeEquals', 'MonitoringType'),
                           ('MonitoringJobDefinitionName', 'MonitoringJobDefinitionName')):
            if p.get(key):
                items = [e for e in items if e.get(field) == p[key]]
        items = time_filter(items, p, 'ScheduledTime', 'ScheduledTimeAfter', 'ScheduledTimeBefore')
        items = time_filter(items, p, 'CreationTime', 'CreationTimeAfter', 'CreationTimeBefore')
        items = time_filter(items, p, 'LastModifiedTime', 'LastModifiedTimeAfter',
                            'LastModifiedTimeBefore')
        items = sort_items(items, p, {'CreationTime': lambda e: e['CreationTime'],
                                      'ScheduledTime': lambda e: e['ScheduledTime'],
                                      'Status': lambda e: e['MonitoringExecutionStatus']},
                           'ScheduledTime')
        page, nxt = paginate(items, p, 'ListMonitoringExecutions', page_size(ctx), 100)
        out = {'MonitoringExecutionSummaries': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    @op('StartMonitoringSchedule')
    def start_monitoring_schedule(ctx, p):
        s = sm.schedules.get(p['MonitoringScheduleName'])
        if s is None:
            raise not_found('Monitoring schedule %s not found' % p['MonitoringScheduleName'])
        s['status'] = 'Scheduled'
        s['modified'] = ctx.now
        return {}

    @op('StopMonitoringSchedule')
    def stop_monitoring_schedule(ctx, p):
        s = sm.schedules.get(p['MonitoringScheduleName'])
        if s is None:
            raise not_found('Monitoring schedule %s not found' % p['MonitoringScheduleName'])
        s['status'] = 'Stopped'
        s['modified'] = ctx.now
        return {}

    # ---- endpoints
    @op('ListEndpoints')
    def list_endpoints(ctx, p):
        shape = sm.shape('EndpointSummary')
        items = [project(e, shape) for e in sm.endpoints.values()]
        if p.get('NameContains'):
            items = [e for e in items if p['NameContains'] in e['EndpointName']]
        if p.get('StatusEquals'):
            items = [e for e in items if e['EndpointStatus'] == p['StatusEquals']]
        items = time_filter(items, p, 'CreationTime', 'CreationTimeAfter', 'CreationTimeBefore')
        items = time_filter(items, p, 'LastModifiedTime', 'LastModifiedTimeAfter',
                            'LastModifiedTimeBefore')
        items = sort_items(items, p, {'Name': lambda e: e['EndpointName'],
                                      'CreationTime': lambda e: e['CreationTime'],
                                      'Status': lambda e: e['EndpointStatus']}, 'CreationTime')
        page, nxt = paginate(items, p, 'ListEndpoints', page_size(ctx), 100)
        out = {'Endpoints': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    @op('DescribeEndpoint')
    def describe_endpoint(ctx, p):
        e = sm.endpoints.get(p['EndpointName'])
        if e is None:
            # no modeled error: SageMaker answers with a ValidationException
            raise coral_error('ValidationException', 'Could not find endpoint "%s".'
                              % p['EndpointName'])
        return copy.deepcopy(e)

    # ---- MLflow tracking servers
    @op('ListMlflowTrackingServers')
    def list_mlflow(ctx, p):
        shape = sm.shape('TrackingServerSummary')
        items = [project(m, shape) for m in sm.mlflow.values()]
        items = time_filter(items, p, 'CreationTime', 'CreatedAfter', 'CreatedBefore')
        if p.get('TrackingServerStatus'):
            items = [m for m in items if m['TrackingServerStatus'] == p['TrackingServerStatus']]
        if p.get('MlflowVersion'):
            items = [m for m in items if m['MlflowVersion'] == p['MlflowVersion']]
        items = sort_items(items, p, {'Name': lambda m: m['TrackingServerName'],
                                      'CreationTime': lambda m: m['CreationTime'],
                                      'Status': lambda m: m['TrackingServerStatus']},
                           'CreationTime')
        page, nxt = paginate(items, p, 'ListMlflowTrackingServers', page_size(ctx), 100)
        out = {'TrackingServerSummaries': page}
        if nxt:
            out['NextToken'] = nxt
        return out

    @op('DescribeMlflowTrackingServer')
    def describe_mlflow(ctx, p):
        m = sm.mlflow.get(p['TrackingServerName'])
        if m is None:
            raise not_found('Tracking server %s not found' % p['TrackingServerName'])
        return dict(m)

    @op('CreatePresignedMlflowTrackingServerUrl')
    def presigned_mlflow(ctx, p):
        m = sm.mlflow.get(p['TrackingServerName'])
        if m is None:
            raise not_found('Tracking server %s not found' % p['TrackingServerName'])
        return {'AuthorizedUrl': '%s/auth?authToken=%s' % (m['TrackingServerUrl'].rstrip('/'),
                                                            short_id(40))}

    return sm
