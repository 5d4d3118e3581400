"""Retries in standard mode against a local server (tests/servers/netfault.py)
that answers 503, 500, throttling, resets the connection and hangs, then
succeeds: attempt counts, re-signing each attempt, the SDK retry headers,
AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, clock-skew correction, cancellation, and
a mutating call whose reply is lost that must not be duplicated."""
import json
import socket
import sys

from nettest import AKID, SECRET, NETC, Tap, need_binaries, netc

need_binaries(NETC)
try:
    from netfault import FaultServer
except ImportError as e:
    print('1..0 # SKIP %s' % e)
    sys.exit(0)

t = Tap()
srv = FaultServer(keys={AKID: SECRET}, hang_seconds=8).start()
FAST = ['--base-ms', '5', '--timeout-ms', '3000']


def send(*extra, **envx):
    return netc('send', '--url', srv.url + '/op', '--method', 'POST', '--body', '{"x":1}',
                '--service', 'sagemaker', '--region', 'us-east-1', *FAST, *extra, **envx)


def hdrs(name):
    return [srv.header(r, name) for r in srv.requests]


try:
    srv.script(['503', '500', 'ok'])
    r = send()
    t.eq((r.get('md_status'), r.get('attempts'), len(srv.requests)), ('ok', 3, 3),
         '503, 500, then success: 3 attempts')
    t.eq(hdrs('amz-sdk-request'), ['attempt=1; max=3', 'attempt=2; max=3', 'attempt=3; max=3'],
         'amz-sdk-request counts the attempts')
    inv = hdrs('amz-sdk-invocation-id')
    t.ok(len(set(inv)) == 1 and len(inv[0]) == 36, 'one invocation id for the whole call', inv)
    auth = hdrs('Authorization')
    t.ok(len(set(auth)) == 3, 'each attempt is signed again', auth)
    t.ok(all(srv.header(rq, 'Expect') is None for rq in srv.requests), 'no Expect header sent')
    t.ok(all(rq['body'] == b'{"x":1}' for rq in srv.requests), 'the same body every attempt')
    ports = [rq['client'][1] for rq in srv.requests]
    t.ok(len(set(ports)) == 1, 'one keep-alive connection reused across attempts', ports)

    srv.script(['503', '503', '503', 'ok'])
    r = send()
    t.eq((r.get('md_status'), r.get('attempts'), r.get('err_http'), len(srv.requests)),
         ('http', 3, 503, 3), 'three 503s: gives up after AWS_MAX_ATTEMPTS default 3')

    srv.script(['503'] * 4 + ['ok'])
    r = send(AWS_MAX_ATTEMPTS='5')
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 5), 'AWS_MAX_ATTEMPTS=5: five attempts')

    srv.script(['503'])
    r = send(AWS_MAX_ATTEMPTS='1')
    t.eq((r.get('attempts'), len(srv.requests)), (1, 1), 'AWS_MAX_ATTEMPTS=1: no retry')

    srv.script(['503'] * 4 + ['ok'])
    r = send(AWS_RETRY_MODE='legacy')
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 5), 'AWS_RETRY_MODE=legacy: 5 attempts')

    srv.script(['throttle', 'throttle', 'ok', 'ok'])
    r = send(AWS_RETRY_MODE='adaptive')
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 3),
         'AWS_RETRY_MODE=adaptive: throttled twice, then through the rate limiter')

    srv.script(['throttle', 'throttle429', 'slowdown', 'ok'])
    r = send(AWS_MAX_ATTEMPTS='4')
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 4),
         'ThrottlingException, 429 and SlowDown are retried')

    srv.script(['throttle'] * 3)
    r = send()
    t.eq((r.get('md_status'), r.get('code'), r.get('attempts')), ('service', 'ThrottlingException', 3),
         'persistent throttling ends with the code as a value')

    srv.script(['reset', 'ok'])
    r = send()
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 2), 'connection reset, then success')

    srv.script(['hang', 'ok'])
    r = netc('send', '--url', srv.url + '/op', '--service', 'sagemaker', '--base-ms', '5',
             '--timeout-ms', '600')
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 2), 'a hung request times out and is retried')

    srv.script(['validation', 'ok'])
    r = send()
    t.eq((r.get('md_status'), r.get('code'), r.get('attempts'), len(srv.requests)),
         ('service', 'ValidationException', 1, 1), 'ValidationException is not retried')

    # A lost reply to a mutating call: the retry carries the same token and
    # the server does not start a second execution.
    srv.executions.clear()
    srv.script(['commit500', 'ok'])
    token = '8c1b5a4e-6f0e-4d61-9a2f-3b7c2d1e0f99'
    body = json.dumps({'PipelineName': 'train', 'ClientRequestToken': token})
    r = netc('send', '--url', srv.url + '/', '--method', 'POST', '--body', body,
             '-H', 'X-Amz-Target: SageMaker.StartPipelineExecution',
             '-H', 'Content-Type: application/x-amz-json-1.1',
             '--service', 'sagemaker', *FAST)
    toks = [json.loads(rq['body'])['ClientRequestToken'] for rq in srv.requests]
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 2), 'StartPipelineExecution retried after a lost reply')
    t.eq(toks, [token, token], 'the retry keeps the idempotency token')
    t.eq(len(srv.executions), 1, 'one execution, not two')
    t.ok(srv.executions.get(token, '') in r.get('body', ''), 'the reply names that execution')

    # The json protocol helper generates nothing itself; the provider puts a
    # uuid4 in ClientRequestToken once.  Same check through md_aws_json_call:
    srv.executions.clear()
    srv.script(['commit500', 'reset', 'ok'])
    r = netc('json', '--endpoint', srv.url, '--service', 'sagemaker', '--op',
             'StartPipelineExecution', '--input', body, *FAST)
    # (libcurl itself re-sends once when a reused keep-alive connection turns
    # out dead before any reply, so the server may see one more request
    # than mldeck counts attempts: the token makes that safe too.)
    t.ok(r.get('md_status') == 'ok' and len(srv.requests) == 3 and len(srv.executions) == 1,
         'md_aws_json_call: lost reply + reset, still one execution',
         (r, len(srv.requests), len(srv.executions)))

    # No token in the input: md_aws_json_call fills one (uuid4) once.
    srv.executions.clear()
    srv.script(['commit500', 'ok'])
    r = netc('json', '--endpoint', srv.url, '--service', 'sagemaker', '--op',
             'StartPipelineExecution', '--input', '{"PipelineName": "train"}', *FAST)
    toks = [json.loads(rq['body']).get('ClientRequestToken', '') for rq in srv.requests]
    t.ok(r.get('md_status') == 'ok' and len(toks) == 2 and toks[0] == toks[1] and
         len(toks[0]) == 36 and len(srv.executions) == 1,
         'a missing ClientRequestToken is generated once and kept across retries', toks)

    # Clock skew: the server's clock is an hour ahead; the first attempt is
    # refused as expired, the client takes the server's Date and re-signs.
    srv.clock_offset = 3600
    srv.script(['ok', 'ok'])
    r = send()
    dates = hdrs('X-Amz-Date')
    t.eq((r.get('md_status'), r.get('attempts')), ('ok', 2), 'clock skew corrected after one refusal')
    t.ok(len(srv.requests) == 2 and srv.requests[0].get('sig') is not None and
         not srv.requests[0]['sig'].ok and 'expired' in srv.requests[0]['sig'].message,
         'the first attempt was refused as expired', [d for d in dates])
    srv.clock_offset = 0

    # Cancellation while the server hangs.
    srv.script(['hang'])
    r = netc('send', '--url', srv.url + '/op', '--service', 'sagemaker', '--timeout-ms', '20000',
             '--cancel-after-ms', '300', '--base-ms', '5')
    t.eq((r.get('md_status'), r.get('attempts')), ('cancelled', 1), 'cancellation stops a hung request')

    # Several worker threads share the signer (and its key cache) at once.
    srv.script([])
    r = netc('threads', '--url', srv.url + '/', '--threads', '6', '--repeat', '20',
             '--service', 'sagemaker', '--base-ms', '5')
    t.ok(r.get('ok') == 120 and r.get('fail') == 0 and len(srv.requests) == 120 and
         all(q.get('sig') and q['sig'].ok for q in srv.requests),
         '6 threads x 20 signed requests, all verified', {k: r.get(k) for k in ('ok', 'fail')})

    # Connection refused: retried, then a network error.
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    dead = s.getsockname()[1]
    s.close()
    r = netc('send', '--url', 'http://127.0.0.1:%d/' % dead, '--service', 'sagemaker', *FAST)
    t.eq((r.get('md_status'), r.get('attempts')), ('network', 3), 'connection refused: 3 attempts, MD_ERR_NET')
    t.ok('127.0.0.1:%d' % dead in r.get('msg', ''), 'the error names the host', r.get('msg'))
finally:
    srv.stop()
sys.exit(t.done())
