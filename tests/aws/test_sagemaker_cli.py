"""mldeck's SageMaker commands against the fake SageMaker server, which
checks every request's signature and shape against the official model."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfake_proc import BIN, SRC, FakeAws, Tap, mldeck_env, mldeck_runner, need_models  # noqa: E402,E501

need_models()

t = Tap()
fake = FakeAws()
home = tempfile.mkdtemp(prefix='mdsm')
env = mldeck_env(home)

md = mldeck_runner(fake, env)


def ops(before, after, op):
    return after.get('sagemaker.' + op, 0) - before.get('sagemaker.' + op, 0)


try:
    seeded = fake.control('seed', {'region': 'us-east-1', 'training_jobs': {'count': 250},
                                   'pipelines': [{'name': 'yolo11-train', 'executions': 12},
                                                 {'name': 'data-preprocess', 'executions': 3}]})
    total_jobs = seeded['counts']['training_jobs']

    rc, out, err = md('ls', 'pipelines', '--json')
    names = sorted(p['PipelineName'] for p in json.loads(out)) if rc == 0 else []
    t.ok(names == ['data-preprocess', 'yolo11-train'], 'ls pipelines --json lists both pipelines', err)
    t.ok(rc == 0 and all('PipelineArn' in p and 'CreationTime' in p for p in json.loads(out)),
         'pipelines keep the API field names')

    rc, out, err = md('ls', 'pipelines')
    t.ok(rc == 0 and out.splitlines()[0].split()[:2] == ['NAME', 'LAST'], 'table output has a header', out)

    c0 = fake.counts()
    rc, out, err = md('ls', 'training-jobs', '--json')
    jobs = json.loads(out) if rc == 0 else []
    c1 = fake.counts()
    t.ok(len(jobs) == total_jobs, 'ls training-jobs lists all %d jobs' % total_jobs, err)
    first_pages = ops(c0, c1, 'ListTrainingJobs')
    t.ok(first_pages == (total_jobs + 99) // 100, 'first sync reads every page (%d)' % first_pages)
    running = [j for j in jobs if j['TrainingJobStatus'] == 'InProgress']
    t.ok(running and all('SecondaryStatusTransitions' not in j for j in running),
         '--json prints the ListTrainingJobs summaries, running jobs too')
    t.ok(ops(c0, c1, 'DescribeTrainingJob') == 0,
         'a CLI listing describes nothing (the screen describes running jobs)')
    created = [j['CreationTime'] for j in jobs]
    t.ok(created == sorted(created, reverse=True), 'newest job first')

    rc, out, err = md('ls', 'training-jobs', '--json')
    c2 = fake.counts()
    t.ok(rc == 0 and len(json.loads(out)) == total_jobs, 'second listing has the same jobs')
    import sqlite3
    db = sqlite3.connect(os.path.join(home, 'cache', 'mldeck', 'cache.db'))
    idx = [r[0] for r in db.execute("SELECT sql FROM sqlite_schema WHERE type = 'index'"
                                    " AND sql LIKE '%WHERE kind = ''training-jobs''%'")]
    db.close()
    t.ok(len(idx) == 1 and '$.CreationTime' in idx[0],
         'a listing printed from the cache has the default sort indexed, as the screen has', idx)
    t.ok(ops(c1, c2, 'ListTrainingJobs') < first_pages,
         'second sync stops at the first page it already had (%d < %d pages)'
         % (ops(c1, c2, 'ListTrainingJobs'), first_pages))

    rc, out, err = md('ls', 'training-jobs', '--tsv', '--cached')
    c3 = fake.counts()
    t.ok(rc == 0 and c3 == c2 and len(out.splitlines()) == total_jobs + 1,
         'ls --cached prints from the cache without a request')

    rc, out, err = md('ls', 'executions', '--pipeline', 'yolo11-train', '--json')
    execs = json.loads(out) if rc == 0 else []
    t.ok(len(execs) == 12, 'ls executions --pipeline lists its 12 executions', err)
    failed = [e for e in execs if e['PipelineExecutionStatus'] == 'Failed']
    t.ok(failed and all(e.get('FailureReason') for e in failed), 'failed executions carry their failure reason')

    rc, out, err = md('ls', 'executions', '--status', 'failed', '--pipeline', 'yolo11-train', '--json')
    t.ok(rc == 0 and len(json.loads(out)) == len(failed), '--status filters (case-insensitive)')

    arn = failed[0]['PipelineExecutionArn'] if failed else 'x'
    rc, out, err = md('ls', 'steps', '--execution', arn, '--json')
    steps = json.loads(out) if rc == 0 else []
    t.ok(steps and any(s.get('StepStatus') == 'Failed' and s.get('FailureReason') for s in steps),
         'a failed execution shows its failed step and reason', err)

    rc, out, err = md('ls', 'steps')
    t.ok(rc == 2 and '--execution' in err, 'ls steps without --execution is a usage error')

    # start-execution: typed parameters are checked before anything is sent
    c0 = fake.counts()
    rc, out, err = md('start-execution', 'yolo11-train', '-p', 'Epochs=ten', '--yes')
    t.ok(rc == 2 and 'Integer' in err, 'a non-integer Integer parameter is refused', err)
    rc, out, err = md('start-execution', 'yolo11-train', '-p', 'Bogus=1', '--yes')
    t.ok(rc == 2 and 'Bogus' in err, 'an unknown parameter is refused, naming it', err)
    t.ok(ops(c0, fake.counts(), 'StartPipelineExecution') == 0, 'refused launches send nothing')

    # --read-only: no mutating request at all
    fake.control('requests', method='DELETE')
    rc, out, err = md('--read-only', 'start-execution', 'yolo11-train', '--yes')
    rc2, out2, err2 = md('--read-only', 'stop-execution', arn, '--yes')
    log = fake.control('requests')
    t.ok(rc == 5 and rc2 == 5 and 'read-only' in err, '--read-only refuses with exit code 5', err)
    t.ok(log['mutating'] == 0, '--read-only sent no mutating request')

    # not confirmed: no terminal and no --yes
    rc, out, err = md('stop-execution', arn)
    t.ok(rc == 5 and '--yes' in err, 'without --yes and without a terminal nothing is stopped', err)

    # a launch whose reply is lost is retried with the same token: one execution
    before = len(json.loads(md('ls', 'executions', '--pipeline', 'yolo11-train', '--json')[1]))
    fake.control('config', {'time_scale': 1})   # keep the new execution running until stopped
    fake.control('faults', [{'op': 'StartPipelineExecution', 'kind': 'drop_after', 'count': 1}])
    c0 = fake.counts()
    rc, out, err = md('start-execution', 'yolo11-train', '-p', 'Epochs=5', '--display-name',
                      'retry-check', '--yes')
    c1 = fake.counts()
    fake.control('faults', method='DELETE')
    t.ok(rc == 0 and 'PipelineExecutionArn' in out, 'launch succeeds after a dropped reply', err)
    t.ok(ops(c0, c1, 'StartPipelineExecution') == 2, 'the call was sent twice')
    after = json.loads(md('ls', 'executions', '--pipeline', 'yolo11-train', '--json')[1])
    t.ok(len(after) == before + 1, 'exactly one new execution (%d -> %d)' % (before, len(after)))
    new_arn = json.loads(out)['PipelineExecutionArn'] if rc == 0 else ''
    mine = [e for e in after if e['PipelineExecutionArn'] == new_arn]
    t.ok(mine and mine[0].get('PipelineExecutionDisplayName') == 'retry-check',
         'the new execution is in the cache with its display name')

    rc, out, err = md('stop-execution', new_arn, '--yes')
    rc2, out2, err2 = md('describe', 'executions', new_arn)
    st = json.loads(out2).get('PipelineExecutionStatus') if rc2 == 0 else None
    t.ok(rc == 0 and st in ('Stopping', 'Stopped'), 'stop-execution stops it (%s)' % st, err + err2)

    audit = [json.loads(l) for l in open(os.path.join(home, 'state', 'mldeck', 'audit.log'))]
    acts = [(a['action'], a['result']) for a in audit]
    t.ok(('start-execution', 'ok') in acts and ('stop-execution', 'ok') in acts,
         'audit log records the launch and the stop', acts)
    t.ok(all(a['request_id'] and a['account'] == '123456789012' and a['region'] == 'us-east-1'
             for a in audit if a['result'] == 'ok'), 'audit lines carry request id, account, region')
    t.ok(len(audit) == 2, 'refused actions are not in the audit log (nothing was sent)', acts)

    # throttling is retried
    fake.control('faults', [{'op': 'ListPipelines', 'kind': 'throttle', 'count': 2}])
    c0 = fake.counts()
    rc, out, err = md('ls', 'pipelines')
    fake.control('faults', method='DELETE')
    t.ok(rc == 0 and ops(c0, fake.counts(), 'ListPipelines') == 3,
         'two throttled replies are retried (3 attempts)', err)

    fake.control('faults', [{'op': 'ListPipelines', 'kind': 'throttle'}])
    rc, out, err = md('ls', 'pipelines')
    fake.control('faults', method='DELETE')
    t.ok(rc == 1 and 'Throttl' in err, 'persistent throttling is a clear one-line error', err)

    # logs: every line of a finished job, in order; -f picks up new lines
    done = [j for j in jobs if j['TrainingJobStatus'] == 'Completed'
            and j['TrainingJobName'].startswith('yolo11-train-')][0]   # an hour-long seeded job
    rc, out, err = md('logs', 'training-job', done['TrainingJobName'], '--json')
    events = [json.loads(l) for l in out.splitlines()] if rc == 0 else []
    rc, out, err = md('describe', 'training-jobs', done['TrainingJobName'])
    full = json.loads(out) if rc == 0 else {}
    t.ok('HyperParameters' in full and 'SecondaryStatusTransitions' in full,
         'describe reads a job in full', err)
    epochs = full.get('HyperParameters', {}).get('epochs', '?')
    rc2, out2, err2 = md('describe', 'training-jobs', done['TrainingJobName'], '--cached')
    t.ok(rc2 == 0 and 'HyperParameters' in json.loads(out2),
         'the describe output replaced the summary in the cache')
    t.ok(events and 'Downloading' in events[0]['message'], 'logs start at the head of the stream', err)
    t.ok(any('epoch %s:' % epochs in e['message'] for e in events[-3:]),
         'logs reach the last epoch (%s)' % epochs)
    stamps = [e['timestamp'] for e in events]
    t.ok(stamps == sorted(stamps) and all(isinstance(x, (int, float)) and x > 1e12 for x in stamps),
         'timestamps are epoch milliseconds, ascending')
    rc, out, err = md('logs', 'training-job', done['TrainingJobName'])
    t.ok(rc == 0 and len(out.splitlines()) == len(events), 'text and JSON show the same lines')

    # metrics: the job's CloudWatch series (algorithm and instance metrics)
    rc, out, err = md('metrics', 'training-job', done['TrainingJobName'], '--json')
    res = {r['Label']: r for r in json.loads(out)['MetricDataResults']} if rc == 0 else {}
    t.ok('val:mAP50' in res and 'GPUUtilization' in res, 'metrics lists algorithm and instance metrics', err)
    m = res.get('val:mAP50', {'Timestamps': [], 'Values': []})
    t.ok(len(m['Timestamps']) == len(m['Values']) > 10 and m['Timestamps'] == sorted(m['Timestamps']),
         'a metric is a time-ordered series')
    t.ok(m['Values'] and m['Values'][-1] > m['Values'][0], 'mAP rises over training')
    rc, out, err = md('metrics', 'training-job', done['TrainingJobName'], '--metric', 'nope')
    t.ok(rc == 3 and 'nope' in err, 'an unknown metric is not found (exit 3)', err)

    # train: a standalone job (read-only refuses; flags become the request)
    fake.control('config', {'time_scale': 0.4})   # the new job trains for ~7 s
    base = ['train', 'cli-yolo11-a', '--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/yolo11:1',
            '--role-arn', 'arn:aws:iam::123456789012:role/SageMakerRole',
            '--train', 's3://drone-data/aerial4/train/', '--val', 's3://drone-data/aerial4/val/',
            '--output', 's3://drone-ml/models/', '--epochs', '40', '--imgsz', '320', '-H', 'lr0=0.005']
    rc, out, err = md('--read-only', *base, '--yes')
    t.ok(rc == 5, 'train is refused under --read-only')
    rc, out, err = md(*(base + ['--spot']), '--yes')
    t.ok(rc == 2 and '--checkpoint' in err, '--spot without --checkpoint is a usage error', err)
    rc, out, err = md(*(base + ['--spot', '--checkpoint', 's3://drone-ml/ckpt/', '--max-runtime', '3600']), '--yes')
    t.ok(rc == 0 and 'TrainingJobArn' in out, 'train creates the job (spot, checkpoint)', err)
    rc, out, err = md('describe', 'training-jobs', 'cli-yolo11-a')
    d = json.loads(out) if rc == 0 else {}
    t.ok(d.get('HyperParameters', {}).get('epochs') == '40' and d['HyperParameters'].get('lr0') == '0.005'
         and d.get('EnableManagedSpotTraining') is True
         and d.get('StoppingCondition', {}).get('MaxWaitTimeInSeconds') == 7200
         and d.get('CheckpointConfig', {}).get('S3Uri') == 's3://drone-ml/ckpt/',
         'the job carries hyperparameters, spot, max wait and checkpoint', d)
    live = 'cli-yolo11-a'
    time.sleep(4.2)   # let it reach its training phase (starting 2.5 s, downloading 1.25 s)
    first = md('logs', 'training-job', live, '--json')[1].splitlines()
    p = subprocess.Popen([BIN, '--endpoint-url', fake.url, 'logs', 'training-job', live, '-f', '--json'],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    followed, ferr = p.communicate(timeout=20)
    lines = followed.splitlines()
    t.ok(p.returncode == 0 and len(lines) > len(first) and lines[:len(first)] == first,
         'logs -f keeps printing new lines until ^C (%d -> %d)' % (len(first), len(lines)), ferr)
    t.ok(len(set(lines)) == len(lines), 'no line is printed twice while following')
    fake.control('config', {'time_scale': 20})

    # pipeline upsert: create, then update, from the team's definition
    tmpl = os.path.join(os.environ.get('MLDECK_DATA_DIR') or os.path.join(SRC, 'data'),
                        'templates', 'yolo11-train-pipeline.json')
    role = 'arn:aws:iam::123456789012:role/SageMakerPipelineRole'
    c0 = fake.counts()
    rc, out, err = md('pipeline', 'upsert', 'yolo11-train-v2', '--definition', tmpl, '--role-arn', role, '--yes')
    rc2, out2, err2 = md('pipeline', 'upsert', 'yolo11-train-v2', '--definition', tmpl, '--role-arn', role,
                         '--description', 'second', '--yes')
    c1 = fake.counts()
    t.ok(rc == 0 and rc2 == 0 and ops(c0, c1, 'CreatePipeline') == 1 and ops(c0, c1, 'UpdatePipeline') == 1,
         'pipeline upsert creates, then updates', err + err2)
    rc, out, err = md('start-execution', 'yolo11-train-v2', '-p', 'UseSpotInstances=maybe', '--yes')
    t.ok(rc == 2 and 'Boolean' in err, "the template's typed parameters are enforced", err)
    bad = os.path.join(home, 'bad.json')
    open(bad, 'w').write('{"Version": "2020-12-01", "Steps": [')
    rc, out, err = md('pipeline', 'upsert', 'x', '--definition', bad, '--role-arn', role, '--yes')
    t.ok(rc == 2 or rc == 1, 'a malformed definition is refused before sending', err)
    t.ok('bad.json' in err, 'and the error names the file', err)

    rc, out, err = md('logs', 'training-job')
    t.ok(rc == 2, 'logs without a name is a usage error')

    # A damaged cache under a listing: the listing opens the cache while its
    # first page is on the way; the file is moved aside, the operator told,
    # and the listing completes into a new cache.
    rc, out, err = md('ls', 'training-jobs', '--json')
    n_jobs = len(json.loads(out)) if rc == 0 else -1
    db = os.path.join(home, 'cache', 'mldeck', 'cache.db')
    for suffix in ('-wal', '-shm'):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    with open(db, 'wb') as f:
        f.write(b'this is not a database' * 100)
    rc, out, err = md('ls', 'training-jobs', '--json')
    t.ok(rc == 0 and len(json.loads(out)) == n_jobs > 0,
         'ls over a damaged cache file still lists every job', err)
    t.ok('moved it to' in err and 'not an SQLite database' in err,
         'and says the file was moved aside', err)
    rc, out, err = md('ls', 'training-jobs', '--cached', '--json')
    t.ok(rc == 0 and len(json.loads(out)) == n_jobs, 'the new cache holds the listing', err)

    health = fake.control('health')
    t.ok(not health['selfcheck_failures'], 'every reply matched the model (server self-check)')
finally:
    fake.stop()
sys.exit(t.done())
