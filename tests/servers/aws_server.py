#!/usr/bin/python3
"""awsfake: the project's local AWS test server for SageMaker, CloudWatch,
CloudWatch Logs and EventBridge.

Validates every request against the official models in ../shared/aws-models
(botocore ParamValidator plus enums, maximums and patterns), checks SigV4
signatures, keeps state (pipelines, executions, jobs, logs, metrics) and
injects faults on request.  Prints its port on stdout (first line) once it
listens.  See /work/helpers/docs/awsfake.md (or --help).
"""

import argparse
import json
import os
import signal
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from awsfake import cloudwatch, events, logs, sagemaker  # noqa: E402
from awsfake.models import load_services  # noqa: E402
from awsfake.server import FakeAws, Server  # noqa: E402
from awsfake.store import Clock, Store  # noqa: E402

DEFAULT_KEYS = {'AKIDEXAMPLE': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
                'AKIAIOSFODNN7EXAMPLE': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
                'testing': 'testing'}


def build(models_dir=None, keys=None, self_check=False, time_scale=1.0, verbose=False):
    services = load_services(models_dir)
    store = Store(Clock(time_scale))
    fake = FakeAws(services, store, keys or DEFAULT_KEYS, self_check=self_check, verbose=verbose)
    sagemaker.register(fake)
    logs.register(fake)
    cloudwatch.register(fake)
    events.register(fake)
    return fake


def parse_keys(values):
    keys = {}
    for v in values or []:
        parts = v.split(':')
        if len(parts) not in (2, 3) or not all(parts):
            raise SystemExit('--key wants AKID:SECRET[:SESSION_TOKEN], got %r' % v)
        # with a session token the request must carry it (X-Amz-Security-Token)
        keys[parts[0]] = parts[1] if len(parts) == 2 else (parts[1], parts[2])
    return keys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--host', default='127.0.0.1')
    ap.add_argument('--port', type=int, default=0, help='0 picks a free port (default)')
    ap.add_argument('--seed', metavar='FILE', help='JSON seed file (see docs)')
    ap.add_argument('--time-scale', type=float, default=1.0,
                    help='speed-up of the state machines (10: ten times faster)')
    ap.add_argument('--self-check', action='store_true',
                    help='validate every response against the output shape; a mismatch is '
                         'a 500 AwsFakeSelfCheckFailed and a line on stderr')
    ap.add_argument('--key', action='append', metavar='AKID:SECRET[:TOKEN]',
                    help='accepted credentials (repeatable; default: AKIDEXAMPLE, '
                         'AKIAIOSFODNN7EXAMPLE and testing:testing); with TOKEN the request '
                         'must carry that X-Amz-Security-Token')
    ap.add_argument('--no-sigv4', action='store_true', help='do not check signatures')
    ap.add_argument('--models', help='aws-models folder (default: $MLDECK_SHARED/aws-models)')
    ap.add_argument('--port-file', help='also write the port to this file')
    ap.add_argument('--verbose', action='store_true', help='log each request on stderr')
    args = ap.parse_args(argv)

    keys = parse_keys(args.key) or DEFAULT_KEYS
    fake = build(args.models, keys, args.self_check, args.time_scale, args.verbose)
    if args.no_sigv4:
        fake.check_signatures = False
    if args.seed:
        with open(args.seed) as f:
            seed = json.load(f)
        fake.store.seed(seed)
    server = Server((args.host, args.port), fake)
    port = server.server_address[1]

    def stop(signum, frame):
        fake.stopping = True
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if args.port_file:
        tmp = args.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write('%d\n' % port)
        os.rename(tmp, args.port_file)
    sys.stdout.write('%d\n' % port)
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    if fake.selfcheck_failures:
        sys.stderr.write('awsfake: %d self-check failure(s)\n' % len(fake.selfcheck_failures))
        return 3
    return 0


if __name__ == '__main__':
    sys.exit(main())
