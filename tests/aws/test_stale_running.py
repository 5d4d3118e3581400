"""An incremental listing stops at the first page it already had, so it
never sees an object older than that page; one that was still running at
the last refresh must not stay running in the cache once it finished.
Against the fake SageMaker, with a job that runs while 150 newer ones have
finished (and an execution whose cached copy says it still runs): the
screen's refresh (tests/aws/smrefresh.c) and the CLI's listing each read
the newest page, then list each running object they did not reach through
the list call's creation-time window around it (one request each), and
store its new status; the CLI still prints the list call's own objects.
Finished objects cost nothing more."""
import json
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfake_proc import (FakeAws, Tap, mldeck_env, mldeck_runner, need_models,  # noqa: E402
                          need_smrefresh, smrefresh_runner)

need_models()
DRIVER = need_smrefresh()

t = Tap()
fake = FakeAws(time_scale=1.0)
screen_env = mldeck_env(tempfile.mkdtemp(prefix='mdstale-s'))
cli_env = mldeck_env(tempfile.mkdtemp(prefix='mdstale-c'))
probe_env = mldeck_env(tempfile.mkdtemp(prefix='mdstale-p'))
cli = mldeck_runner(fake, cli_env)
probe = mldeck_runner(fake, probe_env)
refresh = smrefresh_runner(DRIVER, fake, screen_env)
SCREEN_DB = os.path.join(screen_env['XDG_CACHE_HOME'], 'mldeck', 'cache.db')


def cached(kind, ident):
    con = sqlite3.connect(SCREEN_DB)
    try:
        row = con.execute('SELECT json FROM resources WHERE kind = ? AND id = ?',
                          (kind, ident)).fetchone()
        return json.loads(row[0]) if row else {}
    finally:
        con.close()


def requests():
    return fake.control('requests')['requests']


def window_requests(before, op):
    return [r['params'] for r in requests()[before:] if r['op'] == op and
            any(k in r['params'] for k in ('CreationTimeAfter', 'CreatedAfter'))]


try:
    jobs = [{'name': 'new-%03d' % i, 'age': 100 + 10 * i, 'duration': 5} for i in range(150)]
    jobs.append({'name': 'old-run', 'age': 3000, 'duration': 100000})
    fake.control('seed', {'region': 'us-east-1', 'training_jobs': jobs,
                          'pipelines': [{'name': 'p', 'executions': 120,
                                         'execution_spacing': 600}]})

    r = refresh('training-jobs')
    t.ok(r['status'] == 'ok' and r['complete'], 'the screen: a first, full listing', r)
    t.ok(cached('training-jobs', 'old-run').get('TrainingJobStatus') == 'InProgress',
         'the old job is cached running')
    rc, out, err = cli('ls', 'training-jobs', '--json')
    t.ok(rc == 0 and any(j['TrainingJobName'] == 'old-run' and
                         j['TrainingJobStatus'] == 'InProgress' for j in json.loads(out)),
         'the CLI: a first listing shows it running', err)

    # The 150 newer jobs have long finished; now the old one is stopped.
    rc, out, err = probe('stop-training-job', 'old-run', '--yes')
    deadline = time.time() + 60
    out = ''
    while time.time() < deadline and '"Stopped"' not in out:
        time.sleep(0.2)
        rc, out, err = probe('describe', 'training-jobs', 'old-run')
    t.ok('"Stopped"' in out, 'the fake says the old job has stopped now', err)

    n0 = len(requests())
    r = refresh('training-jobs')
    lists = [x['params'] for x in requests()[n0:] if x['op'] == 'ListTrainingJobs']
    win = window_requests(n0, 'ListTrainingJobs')
    t.ok(r['status'] == 'ok' and not r['complete'], 'the screen: the next listing is incremental', r)
    t.ok(cached('training-jobs', 'old-run').get('TrainingJobStatus') == 'Stopped',
         'and the old job is Stopped in its cache', cached('training-jobs', 'old-run'))
    t.ok(len(win) == 1 and len(lists) == 2,
         'one request of its own: the newest page, then its creation-time window', lists)
    created = cached('training-jobs', 'old-run').get('CreationTime', 0)
    t.ok(win and win[0]['CreationTimeAfter'] < created < win[0]['CreationTimeBefore'],
         'a window around its CreationTime', (win, created))
    n1 = len(requests())
    refresh('training-jobs')
    t.ok(window_requests(n1, 'ListTrainingJobs') == [],
         'once it has finished, nothing more is asked about it')

    n0 = len(requests())
    rc, out, err = cli('ls', 'training-jobs', '--json')
    got = [j for j in json.loads(out) if j['TrainingJobName'] == 'old-run'] if rc == 0 else []
    t.ok(got and got[0]['TrainingJobStatus'] == 'Stopped' and
         len(window_requests(n0, 'ListTrainingJobs')) == 1,
         'the CLI: the next listing shows it Stopped, one window request', err)
    t.ok(got and 'SecondaryStatusTransitions' not in got[0] and
         not [x for x in requests()[n0:] if x['op'] == 'DescribeTrainingJob'],
         'as the list call returns it, describing nothing')

    # Executions: the oldest of 120 finished ones, cached as still running
    # (as if it had been at the last refresh), is read again the same way.
    r = refresh('pipeline-executions', 'p')
    con = sqlite3.connect(SCREEN_DB)
    arn, text = con.execute("SELECT id, json FROM resources WHERE kind = 'pipeline-executions' "
                            "ORDER BY json_extract(json, '$.CreationTime') LIMIT 1").fetchone()
    was = json.loads(text)
    con.execute("UPDATE resources SET json = ? WHERE kind = 'pipeline-executions' AND id = ?",
                (json.dumps(dict(was, PipelineExecutionStatus='Executing')), arn))
    con.commit()
    con.close()
    n0 = len(requests())
    r = refresh('pipeline-executions', 'p')
    ex = cached('pipeline-executions', arn)
    t.ok(r['status'] == 'ok' and not r['complete'] and
         ex.get('PipelineExecutionStatus') == was['PipelineExecutionStatus'],
         'an execution cached as running beyond the first page is read again (%s)'
         % ex.get('PipelineExecutionStatus'), (r, ex))
    win = window_requests(n0, 'ListPipelineExecutions')
    t.ok(len(win) == 1 and win[0]['CreatedAfter'] < was['CreationTime'] < win[0]['CreatedBefore'],
         'through ListPipelineExecutions\' CreatedAfter/CreatedBefore window', win)
finally:
    fake.stop()
sys.exit(t.done())
