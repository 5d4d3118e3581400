"""The pipelines list's last execution (cache/last_exec.h), as the screen's
refresh keeps it (tests/aws/smrefresh.c runs md_sm_refresh) against the
fake SageMaker: each pipeline's member holds what ListPipelineExecutions
says of its newest execution, none for a pipeline never run; a second
refresh asks nothing again when every last execution has finished, and
carries what was known over the listing; a new execution is asked about
once, a running one on every refresh until it finishes; a listing of a
pipeline's executions updates it without a request; a failing request
keeps what was known and the refresh says why; the CLI's --json never
prints mldeck's member, and its listing keeps it in the cache."""
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
fake = FakeAws(time_scale=0.01)
home = tempfile.mkdtemp(prefix='mdlast')
env = mldeck_env(home)
md = mldeck_runner(fake, env)
refresh = smrefresh_runner(DRIVER, fake, env)
DB = os.path.join(home, 'cache', 'mldeck', 'cache.db')


def pipelines():
    """name -> (cached object, fetched_at)."""
    con = sqlite3.connect(DB)
    try:
        rows = con.execute("SELECT id, json, fetched_at FROM resources WHERE kind = 'pipelines'")
        return {r[0]: (json.loads(r[1]), r[2]) for r in rows}
    finally:
        con.close()


def last(name):
    obj = pipelines().get(name, ({}, 0))[0]
    return obj.get('mldeck', {}).get('last_execution')


def status_of(arn):
    """What the service says of one execution now (mldeck describe)."""
    rc, out, err = md('describe', 'pipeline-executions', arn)
    try:
        return json.loads(out).get('PipelineExecutionStatus')
    except ValueError:
        return None


def asked():
    """The MaxResults=1 ListPipelineExecutions requests so far, by pipeline."""
    out = {}
    for r in fake.control('requests')['requests']:
        params = r.get('params') or {}   # a faulted request was not read
        if r['op'] == 'ListPipelineExecutions' and params.get('MaxResults') == 1:
            name = params['PipelineName']
            out[name] = out.get(name, 0) + 1
    return out


def since(before):
    now = asked()
    return {k: v - before.get(k, 0) for k, v in now.items() if v != before.get(k, 0)}


try:
    fake.control('seed', {'region': 'us-east-1', 'pipelines': [
        {'name': 'p-ok', 'executions': 2},
        {'name': 'p-fail', 'executions': 4},        # the fake fails every 4th seeded one
        {'name': 'p-never'},
        {'name': 'p-run', 'executions': 1, 'running': 1}]})

    r = refresh('pipelines')
    t.ok(r['status'] == 'ok', 'the first refresh of pipelines succeeds', r)
    got = {n: (last(n) or {}).get('status') for n in ('p-ok', 'p-fail', 'p-never', 'p-run')}
    t.ok(got == {'p-ok': 'Succeeded', 'p-fail': 'Failed', 'p-never': None, 'p-run': 'Executing'},
         'each pipeline holds its newest execution\'s status, none when never run', got)
    t.ok(asked() == {'p-ok': 1, 'p-fail': 1, 'p-run': 1},
         'one request each for the pipelines that ran, none for the one that never did', asked())
    reqs = [x['params'] for x in fake.control('requests')['requests']
            if x['op'] == 'ListPipelineExecutions']
    t.ok(all(p.get('SortBy') == 'CreationTime' and p.get('SortOrder') == 'Descending'
             for p in reqs), 'the newest first, by creation time', reqs)
    le = last('p-fail') or {}
    t.ok(le.get('failure', '').startswith('Step failure'), 'a failed one carries its failure reason',
         le)
    obj = pipelines()['p-ok'][0]
    t.ok(le.get('arn', '').startswith('arn:aws:sagemaker:') and
         isinstance(le.get('started'), (int, float)), 'and its ARN and start time', le)
    t.ok(obj['mldeck'].get('last_execution_for') == obj['LastExecutionTime'],
         'the member says which LastExecutionTime it was read for', obj)

    before = asked()
    r = refresh('pipelines')
    t.ok(r['status'] == 'ok' and since(before) == {'p-run': 1},
         'a second refresh asks again only about the running one', (r, since(before)))
    t.ok((last('p-ok') or {}).get('status') == 'Succeeded' and
         (last('p-fail') or {}).get('status') == 'Failed',
         'the finished ones are carried over the new listing', pipelines())

    # A new execution: the pipeline's LastExecutionTime moves, so it is asked about.
    rc, out, err = md('start-execution', 'p-ok', '--display-name', 'fresh-run', '--yes')
    t.ok(rc == 0, 'an execution started on p-ok', err)
    before = asked()
    r = refresh('pipelines')
    le = last('p-ok') or {}
    t.ok(r['status'] == 'ok' and since(before).get('p-ok') == 1, 'the new one is asked about once',
         since(before))
    t.ok(le.get('name') == 'fresh-run' and le.get('status') == 'Executing',
         'p-ok now shows the new execution, Executing', le)
    before = asked()
    refresh('pipelines')
    t.ok(since(before).get('p-ok') == 1, 'while it runs it is asked about on every refresh',
         since(before))

    # It finishes: the next refresh sees that, the one after asks nothing.
    arn = (last('p-ok') or {}).get('arn', '')
    fake.control('config', {'time_scale': 2000})
    deadline = time.time() + 60
    while time.time() < deadline and status_of(arn) == 'Executing':
        time.sleep(0.2)
    fake.control('config', {'time_scale': 0.01})
    want = status_of(arn)
    refresh('pipelines')
    t.ok((last('p-ok') or {}).get('status') == want and want in ('Succeeded', 'Failed'),
         'the finished status is read on the next refresh (%s)' % want, last('p-ok'))
    before = asked()
    refresh('pipelines')
    t.ok('p-ok' not in since(before), 'and then never asked about again', since(before))

    # A listing of one pipeline's executions updates it from the cache.
    rc, out, err = md('start-execution', 'p-fail', '--display-name', 'listed-run', '--yes')
    before = asked()
    r = refresh('pipeline-executions', 'p-fail')
    t.ok(r['status'] == 'ok' and (last('p-fail') or {}).get('name') == 'listed-run',
         'listing p-fail\'s executions shows the new one on the pipeline', (r, last('p-fail')))
    t.ok(since(before) == {}, 'without a request of its own', since(before))

    # Failing requests: what was known stays, and the refresh says why.
    known = {n: last(n) for n in ('p-ok', 'p-fail', 'p-run')}
    fake.control('faults', {'faults': [{'op': 'ListPipelineExecutions', 'kind': 'error',
                                        'status': 400, 'code': 'AccessDeniedException',
                                        'message': 'not allowed to list executions'}]})
    r = refresh('pipelines')
    fake.control('faults', {'faults': []})
    t.ok(r['status'] != 'ok' and 'last executions' in r['message'] and
         'not allowed' in r['message'], 'a refused request fails the refresh with the reason', r)
    t.ok({n: last(n) for n in known} == known,
         'every pipeline keeps what was known of its last execution', (known, pipelines()))
    t.ok(sorted(pipelines()) == ['p-fail', 'p-never', 'p-ok', 'p-run'], 'the listing itself is stored')

    # The CLI prints the service's objects, never mldeck's member, and its
    # listing keeps what the screen knew (asking nothing about it).
    known = {n: last(n) for n in ('p-ok', 'p-fail', 'p-run')}
    rc, out, err = md('ls', 'pipelines', '--cached', '--json')
    objs = json.loads(out) if rc == 0 else []
    t.ok(len(objs) == 4 and not any('mldeck' in o for o in objs),
         'ls pipelines --cached --json leaves mldeck\'s member out', out[:300] + err)
    before = asked()
    rc, out, err = md('ls', 'pipelines', '--json')
    objs = json.loads(out) if rc == 0 else []
    t.ok(len(objs) == 4 and not any('mldeck' in o for o in objs),
         'so does a listing: ls pipelines --json', out[:300] + err)
    t.ok({n: last(n) for n in known} == known and since(before) == {},
         'which keeps the screen\'s last executions in the cache, asking nothing',
         (since(before), pipelines()))
finally:
    fake.stop()
sys.exit(t.done())
