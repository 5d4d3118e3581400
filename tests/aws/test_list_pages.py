"""`mldeck ls training-jobs` reads its pages ahead (a second thread asks for
page k+1 while page k is stored) and may print what it listed without
reading the cache back.  Neither may change what it prints: the output must
be exactly the plain sequential NextToken listing (made here with botocore's
signer and one request at a time), in the cache's order, byte for byte the
same as `ls --cached` afterwards, also when pages are throttled or a
connection drops.  Over a slow link (each request 30 ms) the listing is
read from both ends at once, newest and oldest first, until they meet: the
same jobs in the same order again (jobs created at the same instant may
change places), every one once, and about one request per page."""
import json
import os
import shutil
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfake_proc import KEY_ID, SECRET, FakeAws, Tap, mldeck_env, mldeck_runner, need_models  # noqa: E402,E501

need_models()

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

t = Tap()
fake = FakeAws(time_scale=1.0)
home = tempfile.mkdtemp(prefix='mdlp')
env = mldeck_env(home)

md = mldeck_runner(fake, env, timeout=120)


def fresh_cache():
    shutil.rmtree(os.path.join(home, 'cache'), ignore_errors=True)


def sequential_listing():
    """Every summary, one signed request at a time, as the service sent it."""
    creds = Credentials(KEY_ID, SECRET)
    items, token, pages = [], None, 0
    while True:
        body = {'SortBy': 'CreationTime', 'SortOrder': 'Descending', 'MaxResults': 100}
        if token:
            body['NextToken'] = token
        req = AWSRequest(method='POST', url=fake.url + '/', data=json.dumps(body).encode(),
                         headers={'Content-Type': 'application/x-amz-json-1.1',
                                  'X-Amz-Target': 'SageMaker.ListTrainingJobs'})
        SigV4Auth(creds, 'sagemaker', 'us-east-1').add_auth(req)
        r = urllib.request.Request(req.url, data=req.body, headers=dict(req.headers.items()),
                                   method='POST')
        with urllib.request.urlopen(r) as resp:
            page = json.loads(resp.read())
        pages += 1
        items += page['TrainingJobSummaries']
        token = page.get('NextToken')
        if not token:
            return items, pages


def cache_order(items):
    """The order of a cache query on the kind's default sort: CreationTime
    descending, ties in reverse insertion (= listing) order."""
    return [x for _, x in sorted(enumerate(items),
                                 key=lambda p: (-p[1]['CreationTime'], -p[0]))]


def list_ops():
    return [r for r in fake.control('requests')['requests'] if r['op'] != '?']


def check_listing(label, expect_pages):
    """One cold `ls --json`, compared with the sequential listing."""
    ref, ref_pages = sequential_listing()
    expected = cache_order(ref)
    fake.control('requests', method='DELETE')
    fresh_cache()
    rc, out, err = md('ls', 'training-jobs', '--json')
    got = json.loads(out) if rc == 0 else None
    t.ok(rc == 0 and got == expected,
         '%s: the listing is the sequential one, in the cache order (%d jobs)' % (label, len(expected)),
         err or 'first difference at %s' % next((i for i, (a, b) in enumerate(zip(got or [], expected))
                                                  if a != b), None))
    reqs = list_ops()
    lists = [r for r in reqs if r['op'] == 'ListTrainingJobs']
    tokens = [r['params'].get('NextToken') for r in lists if r.get('status') == 200]
    t.ok(ref_pages == expect_pages and len([x for x in tokens if x]) == expect_pages - 1 and
         len(set(x for x in tokens if x)) == expect_pages - 1 and tokens[0] is None,
         '%s: %d pages, each token asked for once (%d requests)' % (label, expect_pages, len(lists)),
         json.dumps([(r['op'], r.get('status'), r['params'].get('NextToken')) for r in reqs])[:2000])
    t.ok(not [r for r in reqs if r['op'] != 'ListTrainingJobs'],
         '%s: nothing but ListTrainingJobs is sent' % label)
    t.ok(all(r['params'].get('SortOrder') == 'Descending' for r in lists),
         '%s: MLDECK_LIST_ENDS=1: read from one end only' % label)
    rc2, cached, err2 = md('ls', 'training-jobs', '--json', '--cached')
    t.ok(rc == 0 and rc2 == 0 and cached == out,
         '%s: byte for byte what the cache prints afterwards' % label, err2)
    return out, lists


try:
    # 1. 1,234 finished jobs with distinct creation times: 13 pages, the
    #    last one short; printed from what was listed.
    jobs = [{'name': 'lp-a-%05d' % i, 'age': 90000 + 61 * i,
             'status': ('Completed', 'Failed', 'Stopped')[i % 3]} for i in range(1234)]
    fake.control('seed', {'region': 'us-east-1', 'training_jobs': jobs})
    out, _ = check_listing('distinct times', 13)

    for fmt in ('--tsv', None):
        fresh_cache()
        args = ['ls', 'training-jobs'] + ([fmt] if fmt else [])
        rc, a, err = md(*args)
        rc2, b, err2 = md(*(args + ['--cached']))
        t.ok(rc == 0 and rc2 == 0 and a == b and len(a.splitlines()) == 1235,
             'the %s output is the cached one too' % (fmt or 'table'), err + err2)
    fresh_cache()
    rc, a, err = md('ls', 'training-jobs', '--json', '--status', 'failed')
    rc2, b, err2 = md('ls', 'training-jobs', '--json', '--status', 'failed', '--cached')
    t.ok(rc == 0 and a == b and len(json.loads(a)) == 1234 // 3 + (1234 % 3 > 1),
         '--status keeps the same rows either way', err)

    # 2. Ties: 30 jobs created at the same instant, across the boundary of
    #    pages 12 and 13; the cache orders them by insertion, reversed.
    fake.control('seed', {'region': 'us-east-1', 'training_jobs': [
        {'name': 'lp-tie-%02d' % i, 'age': 90000 + 61 * 1190 + 30, 'status': 'Completed'}
        for i in range(30)]})
    check_listing('ties', 13)

    # 3. A throttled page, a 503 and a dropped connection further on (the
    #    "slow" rules without delay let the pages between them through):
    #    each retried, the same listing.
    ref, _ = sequential_listing()
    through = {'op': 'ListTrainingJobs', 'kind': 'slow', 'delay': 0, 'count': 3}
    fake.control('faults', [through, {'op': 'ListTrainingJobs', 'kind': 'throttle', 'count': 1},
                            through, {'op': 'ListTrainingJobs', 'kind': 'error', 'status': 503,
                                      'count': 1},
                            through, {'op': 'ListTrainingJobs', 'kind': 'drop', 'count': 1}])
    fake.control('requests', method='DELETE')
    fresh_cache()
    rc, out3, err = md('ls', 'training-jobs', '--json')
    fake.control('faults', method='DELETE')
    reqs = [r for r in list_ops() if r['op'] == 'ListTrainingJobs']
    t.ok(rc == 0 and json.loads(out3) == cache_order(ref),
         'throttling, a 503 and a dropped connection: the same listing', err)
    t.ok(len(reqs) == 13 + 3 and [r.get('fault') for r in reqs].count('slow') == 9,
         'each failed request was retried once, pages 4, 7 and 10 (%d requests)' % len(reqs))

    # 6. A slow link: both ends at once, meeting somewhere in the middle,
    #    where three groups of 25 jobs created at the same instant are.
    fake.control('seed', {'region': 'us-east-1', 'training_jobs': [
        {'name': 'lp-mid-%d-%02d' % (g, i), 'age': 90000 + 61 * (500 + 80 * g) + 30,
         'status': 'Completed'} for g in range(3) for i in range(25)]})
    ref, ref_pages = sequential_listing()
    fake.control('faults', [{'op': 'ListTrainingJobs', 'kind': 'slow', 'delay': 0.03}])
    fake.control('requests', method='DELETE')
    fresh_cache()
    md_auto = mldeck_runner(fake, dict(env, MLDECK_LIST_ENDS='auto'), timeout=120)
    rc, out6, err = md_auto('ls', 'training-jobs', '--json')
    fake.control('faults', method='DELETE')
    lists = [r for r in list_ops() if r['op'] == 'ListTrainingJobs']
    orders = [r['params'].get('SortOrder') for r in lists]
    # The back half is stored oldest first: jobs created at the same
    # instant (whose order the service does not define either) may come
    # out in another order than the one-ended listing's; nothing else may.
    got6 = json.loads(out6) if rc == 0 else []
    want6 = cache_order(ref)
    t.ok(rc == 0 and [x['CreationTime'] for x in got6] == [x['CreationTime'] for x in want6]
         and sorted(json.dumps(x, sort_keys=True) for x in got6)
         == sorted(json.dumps(x, sort_keys=True) for x in want6),
         'a slow link: the same listing, ties aside (%d jobs, %d pages)' % (len(ref), ref_pages),
         err)
    t.ok('Ascending' in orders and 'Descending' in orders and len(lists) <= ref_pages + 4,
         'read from both ends, meeting: %d requests for %d pages (%d oldest first)'
         % (len(lists), ref_pages, orders.count('Ascending')))
    rc2, cached, err2 = md('ls', 'training-jobs', '--json', '--cached')
    t.ok(rc2 == 0 and cached == out6, 'a slow link: byte for byte what the cache prints', err2)

    # MLDECK_LIST_ENDS=2 reads from both ends on any link (here a fast one),
    # for the same listing; a value it does not know is refused, saying so.
    fake.control('requests', method='DELETE')
    fresh_cache()
    md_two = mldeck_runner(fake, dict(env, MLDECK_LIST_ENDS='2'), timeout=120)
    rc, out7, err = md_two('ls', 'training-jobs', '--json')
    orders = [r['params'].get('SortOrder') for r in list_ops() if r['op'] == 'ListTrainingJobs']
    got7 = json.loads(out7) if rc == 0 else []
    t.ok(rc == 0 and 'Ascending' in orders and
         [x['CreationTime'] for x in got7] == [x['CreationTime'] for x in want6] and
         sorted(json.dumps(x, sort_keys=True) for x in got7)
         == sorted(json.dumps(x, sort_keys=True) for x in want6),
         'MLDECK_LIST_ENDS=2: both ends on a fast link, the same listing (%d requests)'
         % len(orders), err)
    os.makedirs(os.path.join(home, 'config', 'mldeck'), exist_ok=True)
    with open(os.path.join(home, 'config', 'mldeck', 'config'), 'w') as f:
        f.write('list_ends = 2\n')
    fake.control('requests', method='DELETE')
    fresh_cache()
    rc, out9, err = mldeck_runner(fake, {k: v for k, v in env.items()
                                         if k != 'MLDECK_LIST_ENDS'})('ls', 'training-jobs')
    os.remove(os.path.join(home, 'config', 'mldeck', 'config'))
    orders = [r['params'].get('SortOrder') for r in list_ops() if r['op'] == 'ListTrainingJobs']
    t.ok(rc == 0 and 'Ascending' in orders, 'list_ends = 2 in the config file does the same', err)
    md_bad = mldeck_runner(fake, dict(env, MLDECK_LIST_ENDS='3'))
    rc, out8, err = md_bad('ls', 'training-jobs', '--json')
    t.ok(rc == 2 and 'MLDECK_LIST_ENDS' in err and out8 == '',
         'MLDECK_LIST_ENDS=3 is refused with a clear error (exit 2)', err)

    # 4. Persistent failure: a clear error and exit 1.
    fresh_cache()
    fake.control('faults', [{'op': 'ListTrainingJobs', 'kind': 'error', 'status': 500}])
    rc, out4, err = md('ls', 'training-jobs', '--json')
    fake.control('faults', method='DELETE')
    t.ok(rc == 1 and 'InternalFailure' in err and out4 == '',
         'a listing that fails prints nothing and says why', err)

    # 5. Nothing to list.
    fake.control('reset', {})
    fresh_cache()
    rc, out5, err = md('ls', 'training-jobs', '--json')
    t.ok(rc == 0 and json.loads(out5) == [], 'no jobs: []', err)
finally:
    fake.stop()
    shutil.rmtree(home, ignore_errors=True)
t.done()
