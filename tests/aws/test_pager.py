"""md_aws_json_paginate_pages with read-ahead (tests/aws/pager.c) against
the fake SageMaker: the same pages and items as without it, a handler that
stops or fails part-way ends the listing at once (the fetching thread is
joined, no more than a few pages were asked for ahead), max_pages is
honoured, a retried page is handed over once.  A pager started before its
handler (md_aws_pager_start): its first request goes out at once; finished
without read-ahead it asks for each page only after the one before was
handled; cancelled, it sent no more than that one request.  Two pagers
finished together (md_aws_pager_finish_pair): each one's pages in its
order, tagged with the pager they came from and which was its last; a
handler's stop or error ends both."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfake_proc import SHARED, FakeAws, Tap, mldeck_env  # noqa: E402

if not os.path.isdir(os.path.join(SHARED, 'aws-models')):
    print('1..0 # SKIP ../shared/aws-models not found')
    sys.exit(0)

BUILD = os.environ.get('MLDECK_BUILDDIR') or os.path.join(os.path.dirname(__file__), '..', '..')
PAGER = os.path.join(BUILD, 'tests', 'aws', 'pager')
if not os.access(PAGER, os.X_OK):
    print('1..0 # SKIP %s not built' % PAGER)
    sys.exit(0)

AHEAD_PAGES = 4     # paginate.c: replies fetched but not yet handled, at most
t = Tap()
fake = FakeAws(time_scale=1.0)
env = mldeck_env('/nonexistent')


def pager(mode, *args):
    p = subprocess.run([PAGER, fake.url, mode] + [str(a) for a in args], env=env,
                       capture_output=True, text=True, timeout=120)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr
    except ValueError:
        return p.returncode, {}, p.stdout + p.stderr


def pages_of(out):
    """The names of each page."""
    names, pages, at = out.get('names', []), [], 0
    for n in out.get('sizes', []):
        pages.append(names[at:at + n])
        at += n
    return pages


def lists():
    return fake.counts().get('sagemaker.ListTrainingJobs', 0)


try:
    jobs = [{'name': 'pg-%04d' % i, 'age': 90000 + 7 * i, 'status': 'Completed'}
            for i in range(950)]
    fake.control('seed', {'region': 'us-east-1', 'training_jobs': jobs})
    names = ['pg-%04d' % i for i in range(950)]

    rc, seq, err = pager('seq')
    t.ok(rc == 0 and seq['pages'] == 10 and seq['names'] == names,
         'in turn: 10 pages, every job once, newest first', err)
    c0 = lists()
    rc, ahead, err = pager('ahead')
    t.ok(rc == 0 and (ahead['pages'], ahead['names']) == (seq['pages'], seq['names']),
         'read ahead: the same pages and items', err)
    t.ok(lists() - c0 == 10, 'read ahead: one request per page')
    t.ok(ahead.get('bytes_ok'), 'each page comes with its own bytes')

    c0 = lists()
    rc, out, err = pager('ahead', '--stop-after', 2)
    sent = lists() - c0
    t.ok(rc == 0 and out['pages'] == 2 and out['names'] == names[:200],
         'a handler that stops on page 2 sees two pages', err)
    t.ok(2 <= sent <= 2 + AHEAD_PAGES + 1, 'and at most a few pages were asked for ahead (%d)' % sent)

    c0 = lists()
    rc, out, err = pager('ahead', '--fail-at', 3)
    sent = lists() - c0
    t.ok(rc == 1 and out['status'] != 'OK' and 'page 3' in out['error'] and out['pages'] == 3,
         "the handler's error ends the listing and is returned", err)
    t.ok(sent <= 3 + AHEAD_PAGES + 1, 'no page asked for after that (%d requests)' % sent)

    rc, out, err = pager('ahead', '--max-pages', 4)
    t.ok(rc == 0 and out['pages'] == 4 and out['names'] == names[:400], 'max_pages is honoured', err)
    rc, out, err = pager('ahead', '--max-pages', 1)
    t.ok(rc == 0 and out['pages'] == 1, 'max_pages 1: one page')

    # Started before the handler is ready (the CLI opens its cache meanwhile).
    c0 = lists()
    rc, out, err = pager('started-seq')
    req = [n - out['requests'][0] + 1 for n in out['requests']] if out.get('requests') else []
    t.ok(rc == 0 and out['names'] == names and lists() - c0 == 10,
         'started, finished in turn: every job once, one request per page', err)
    t.ok(req == list(range(1, 11)),
         'in turn: page k is handed over when k requests were made, not more (%s)' % req)
    rc, out, err = pager('started-ahead')
    t.ok(rc == 0 and out['names'] == names, 'started, finished reading ahead: every job once', err)
    c0 = lists()
    rc, out, err = pager('started-seq', '--stop-after', 3)
    t.ok(rc == 0 and out['pages'] == 3 and lists() - c0 == 3,
         'in turn, a handler that stops on page 3: exactly three requests (%d)' % (lists() - c0))
    c0 = lists()
    rc, out, err = pager('started-cancel')
    t.ok(rc == 0 and out['pages'] == 0 and lists() - c0 <= 1,
         'started, then cancelled: the first request at most (%d)' % (lists() - c0), err)

    # One listing from both ends: newest first and oldest first at once.
    c0 = lists()
    rc, out, err = pager('pair')
    ends = out.get('ends', [])
    front = [n for n, e in zip(pages_of(out), ends) if e == 0]
    back = [n for n, e in zip(pages_of(out), ends) if e == 1]
    t.ok(rc == 0 and out['pages'] == 20 and sum(front, []) == names
         and sum(back, []) == names[::-1],
         'pair: both pagers read to their end, each one in its own order', err)
    lasts = [e for e, last in zip(ends, out.get('lasts', [])) if last]
    t.ok(sorted(lasts) == [0, 1] and lists() - c0 == 20,
         'pair: one last page each, one request per page (%s, %d)' % (lasts, lists() - c0))
    c0 = lists()
    rc, out, err = pager('pair', '--stop-after', 4)
    sent = lists() - c0
    t.ok(rc == 0 and out['pages'] == 4 and 0 in out['ends'] and 1 in out['ends'],
         'pair: a handler that stops on page 4 has seen pages of both', err)
    t.ok(sent <= 4 + 2 * (AHEAD_PAGES + 1), 'and both stopped asking (%d requests)' % sent)
    c0 = lists()
    rc, out, err = pager('pair', '--fail-at', 3)
    sent = lists() - c0
    t.ok(rc == 1 and 'page 3' in out['error'] and out['pages'] == 3,
         "pair: the handler's error ends both and is returned", err)
    t.ok(sent <= 3 + 2 * (AHEAD_PAGES + 1), 'no page asked for after that (%d requests)' % sent)
    fake.control('faults', [{'op': 'ListTrainingJobs', 'kind': 'slow', 'delay': 0, 'count': 5},
                            {'op': 'ListTrainingJobs', 'kind': 'error', 'status': 500}])
    rc, out, err = pager('pair')
    fake.control('faults', method='DELETE')
    t.ok(rc == 1 and 'InternalFailure' in out.get('code', '') + out.get('error', ''),
         'pair: a request that keeps failing ends the listing with its error', err)

    # A throttled page and a dropped reply mid-listing: retried, handed over once.
    fake.control('faults', [{'op': 'ListTrainingJobs', 'kind': 'slow', 'delay': 0, 'count': 5},
                            {'op': 'ListTrainingJobs', 'kind': 'throttle', 'count': 1},
                            {'op': 'ListTrainingJobs', 'kind': 'drop_after', 'count': 1}])
    c0 = lists()
    rc, out, err = pager('ahead')
    fake.control('faults', method='DELETE')
    t.ok(rc == 0 and out['names'] == names and lists() - c0 == 12,
         'page 6 throttled, then its reply dropped: retried, every job once (%d requests)'
         % (lists() - c0), err)

    # The server fails for good on a later page: the pages before it were handed over.
    fake.control('faults', [{'op': 'ListTrainingJobs', 'kind': 'slow', 'delay': 0, 'count': 3},
                            {'op': 'ListTrainingJobs', 'kind': 'error', 'status': 500}])
    rc, out, err = pager('ahead')
    fake.control('faults', method='DELETE')
    t.ok(rc == 1 and out['pages'] == 3 and out['names'] == names[:300]
         and 'InternalFailure' in out.get('code', '') + out.get('error', ''),
         'a page that keeps failing: the three before it were handed over, then the error', err)
finally:
    fake.stop()
t.done()
