"""HTTP front of the fake: routing, SigV4 check, model validation, faults,
control endpoints, request log and the response self-check."""

import datetime
import json
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

from botocore.validate import ParamValidator

from . import protocol, shapecheck, sigcheck
from .protocol import ApiError, coral_error

TARGET_PREFIXES = {
    'SageMaker': 'sagemaker',
    'Logs_20140328': 'logs',
    'AWSEvents': 'events',
    'GraniteServiceVersion20100801': 'monitoring',
}

READ_PREFIXES = ('Describe', 'List', 'Get', 'Search', 'Filter', 'BatchDescribe',
                 'BatchGet', 'Query', 'Test')


# not read-only by name, but change nothing either
NOT_MUTATING = ('CreatePresignedMlflowTrackingServerUrl', 'CreatePresignedDomainUrl')

# request headers kept in the request log (what retry tests look at)
LOGGED_HEADERS = ('user-agent', 'amz-sdk-request', 'amz-sdk-invocation-id')


def is_mutating(op):
    return not op.startswith(READ_PREFIXES) and op not in NOT_MUTATING


class DropConnection(Exception):
    """Close the socket without a reply."""


class Faults(object):
    """Fault rules, matched in order against 'service.Op' / 'Op'.

    rule: {"op": "ListTrainingJobs" | "sagemaker.ListTrainingJobs" | "*",
           "kind": "throttle" | "error" | "drop" | "drop_after" | "reset" | "hang" |
                   "truncate" | "slow",
           "count": N (apply to the next N matching requests; absent = always),
           "status": 500, "code": "InternalFailure", "message": "...",
           "delay": seconds (slow; also before any other kind)}
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    def set(self, rules):
        with self.lock:
            self.rules = [dict(r) for r in rules]
            for r in self.rules:
                r.setdefault('op', '*')
                r['hits'] = 0

    def add(self, rules):
        with self.lock:
            for r in rules:
                r = dict(r)
                r.setdefault('op', '*')
                r['hits'] = 0
                self.rules.append(r)

    def match(self, service_key, op):
        with self.lock:
            for r in self.rules:
                want = r['op']
                if want not in ('*', op, '%s.%s' % (service_key, op)):
                    continue
                if 'count' in r and r['hits'] >= r['count']:
                    continue
                r['hits'] += 1
                return dict(r)
        return None

    def snapshot(self):
        with self.lock:
            return [dict(r) for r in self.rules]


class RequestLog(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []

    def add(self, entry):
        with self.lock:
            self.entries.append(entry)

    def reset(self):
        with self.lock:
            self.entries = []

    def summary(self):
        with self.lock:
            entries = list(self.entries)
        counts = {}
        mutating = 0
        for e in entries:
            key = '%s.%s' % (e['service'], e['op'])
            counts[key] = counts.get(key, 0) + 1
            if e.get('mutating'):
                mutating += 1
        return {'total': len(entries), 'mutating': mutating, 'counts': counts,
                'requests': entries}


class FakeAws(object):
    """Everything the handler threads share."""

    def __init__(self, services, store, keys, self_check=False, verbose=False):
        self.services = services
        self.store = store
        self.keys = dict(keys)
        self.self_check = self_check
        self.verbose = verbose
        self.faults = Faults()
        self.log = RequestLog()
        self.validator = ParamValidator()
        self.selfcheck_failures = []
        self.clock_offset = 0.0  # seconds added to the server's notion of now
        self.check_signatures = True
        self.stopping = False
        self.handlers = {}
        self.lock = threading.RLock()
        self.shared_verify = _load_shared_verifier()

    def register(self, service_key, op, fn):
        if op not in self.services[service_key].operation_names:
            raise RuntimeError('%s has no operation %s in the model' % (service_key, op))
        self.handlers[(service_key, op)] = fn


def _load_shared_verifier():
    """verify() of tests/servers/sigv4check.py (the project's SigV4 checker,
    owned by the net helper); None when it cannot be imported, and then
    awsfake/sigcheck.py (same rules, botocore's signer) is used."""
    try:
        import sigv4check  # noqa: tests/servers is on sys.path via aws_server.py
    except Exception:
        return None
    return getattr(sigv4check, 'verify', None)


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'awsfake'
    sys_version = ''

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # A list page is 30-40 KB; with the default 16 KB send buffer the
        # handler thread waits in sendall until the client has read most of
        # it, instead of going back for the next request.
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        except OSError:
            pass

    def version_string(self):
        return 'awsfake'

    def log_message(self, fmt, *args):
        if self.server.fake.verbose:
            sys.stderr.write('awsfake: ' + (fmt % args) + '\n')

    def do_POST(self):
        self._handle()

    def do_GET(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    # ------------------------------------------------------------ plumbing

    def _read_body(self):
        te = self.headers.get('Transfer-Encoding', '')
        if 'chunked' in te.lower():
            chunks = []
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b';')[0], 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b''.join(chunks)
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def _send(self, status, headers, body, request_id=None):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if request_id:
            self.send_header('x-amzn-RequestId', request_id)
        self.send_header('Content-Length', str(len(body)))
        # Headers and body in one write: two small writes on a keep-alive
        # connection meet Nagle + delayed ACK and cost 40 ms per reply.
        self._headers_buffer.append(b'\r\n')
        if self.command != 'HEAD':
            self._headers_buffer.append(body)
        self.flush_headers()

    def date_time_string(self, timestamp=None):
        if timestamp is None:
            timestamp = time.time() + self.server.fake.clock_offset
        return BaseHTTPRequestHandler.date_time_string(self, timestamp)

    def _reset(self):
        # SO_LINGER 0: close() sends RST instead of FIN
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack('ii', 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ------------------------------------------------------------ dispatch

    def _handle(self):
        fake = self.server.fake
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return self._send(400, {'Content-Type': 'application/json'},
                              b'{"__type":"SerializationException","message":"bad framing"}')
        url = urlsplit(self.path)
        if url.path.startswith('/__control'):
            return self._control(url, body)
        request_id = str(uuid.uuid4())
        target = self.headers.get('X-Amz-Target', '')
        scope_service = sigcheck.credential_scope_service(self.headers)
        service_key, op, mode = None, None, 'json'
        form = None
        if target:
            prefix, _, op = target.partition('.')
            service_key = TARGET_PREFIXES.get(prefix)
        else:
            ctype = self.headers.get('Content-Type', '')
            if self.command == 'POST' and 'x-www-form-urlencoded' in ctype or \
                    self.command == 'GET' and 'Action=' in url.query:
                form = protocol.parse_query_body(body if self.command == 'POST'
                                                 else url.query.encode())
                op = form.pop('Action', None)
                form.pop('Version', None)
                mode = 'query'
                service_key = scope_service if scope_service in fake.services else None
        service = fake.services.get(service_key) if service_key else None
        if service is None:
            # no recognisable service: answer as SageMaker would
            service = fake.services.get(scope_service) or fake.services['sagemaker']
            err = coral_error('UnknownOperationException',
                              'Unable to determine the service/operation for target %r'
                              % (target or self.path))
            fake.log.add({'service': service_key or scope_service or '?', 'op': op or '?',
                          'status': 400, 'mutating': False, 'time': time.time()})
            return self._error(service, mode, err, request_id)
        if mode == 'query' and service.key != 'monitoring':
            err = coral_error('UnknownOperationException',
                              'the query protocol is accepted for CloudWatch only')
            return self._error(service, mode, err, request_id)

        entry = {'service': service.key, 'op': op or '?', 'mutating': is_mutating(op or ''),
                 'time': time.time(), 'request_id': request_id,
                 'headers': {h: self.headers[h] for h in LOGGED_HEADERS if h in self.headers},
                 'session_token': 'X-Amz-Security-Token' in self.headers}
        fake.log.add(entry)

        fault = fake.faults.match(service.key, op)
        drop_after = False
        if fault:
            entry['fault'] = fault.get('kind')
            if fault.get('delay'):
                time.sleep(float(fault['delay']))
            kind = fault.get('kind', 'error')
            if kind == 'drop':
                entry['status'] = 0
                return self._drop()
            if kind == 'reset':
                entry['status'] = 0
                return self._reset()
            if kind == 'hang':
                # read the request, then never answer (until `seconds`, default 60)
                entry['status'] = 0
                end = time.time() + float(fault.get('seconds', 60))
                while time.time() < end and not fake.stopping:
                    time.sleep(0.05)
                return self._drop()
            if kind in ('drop_after', 'truncate'):
                drop_after = kind
            elif kind == 'throttle':
                err = coral_error(fault.get('code', 'ThrottlingException'),
                                  fault.get('message', 'Rate exceeded'), int(fault.get('status', 400)))
                entry['status'] = err.status
                return self._error(service, mode, err, request_id)
            elif kind == 'error':
                status = int(fault.get('status', 500))
                code = fault.get('code') or ('ServiceUnavailableException' if status == 503
                                             else 'InternalFailure')
                err = coral_error(code, fault.get('message', 'injected failure'), status)
                entry['status'] = status
                return self._error(service, mode, err, request_id)

        try:
            with fake.lock:
                result, op_model = self._call(service, op, mode, body, form, entry)
            if mode == 'query':
                reply = protocol.query_reply(service, op_model, result, request_id)
            else:
                reply = protocol.json_reply(service, result)
            entry['status'] = 200
            if drop_after == 'truncate':
                # headers and half the body, then close
                entry['status'] = 0
                status, headers, payload = reply
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header('x-amzn-RequestId', request_id)
                self.send_header('Content-Length', str(len(payload)))
                self._headers_buffer.append(b'\r\n')
                self._headers_buffer.append(payload[:len(payload) // 2])
                self.flush_headers()
                return self._drop()
            if drop_after:
                entry['status'] = 0
                return self._drop()
            self._send(*reply, request_id=request_id)
        except ApiError as err:
            entry['status'] = err.status
            entry['error'] = err.code
            if drop_after:
                return self._drop()
            self._error(service, mode, err, request_id)
        except Exception:
            traceback.print_exc()
            entry['status'] = 500
            self._error(service, mode, coral_error('InternalFailure', 'awsfake crashed; see its stderr',
                                                   500), request_id)

    def _error(self, service, mode, err, request_id):
        if mode == 'query':
            reply = protocol.query_error(service, err, request_id)
        else:
            reply = protocol.json_error(service, err)
        self._send(*reply, request_id=request_id)

    def _call(self, service, op, mode, body, form, entry):
        fake = self.server.fake
        if fake.check_signatures:
            self._check_signature(body, entry, mode)
        if op not in service.operation_names:
            raise coral_error('UnknownOperationException' if mode == 'json' else 'InvalidAction',
                              'Operation %s is not supported by %s' % (op, service.key))
        op_model = service.operation(op)
        if mode == 'query':
            params = protocol.query_to_params(form, op_model.input_shape) \
                if op_model.input_shape else {}
        else:
            try:
                params = json.loads(body.decode('utf-8')) if body.strip() else None
            except (ValueError, UnicodeDecodeError, RecursionError):
                raise coral_error('SerializationException', 'Start of structure or map found '
                                  'where not expected / body is not JSON')
            if not isinstance(params, dict):
                raise coral_error('SerializationException',
                                  'the request body must be a JSON object')
        entry['params'] = params
        self._validate(op_model, params, mode)
        fn = fake.handlers.get((service.key, op))
        if fn is None:
            raise ApiError('AwsFakeNotImplemented',
                           'awsfake does not implement %s.%s yet' % (service.key, op), 501)
        region = entry.get('region')
        if not region:
            parsed = sigcheck.parse_authorization(self.headers.get('Authorization', ''))
            region = parsed[2] if parsed else 'us-east-1'
        ctx = Context(fake, region, service, op)
        fake.store.tick(ctx.now)
        result = fn(ctx, params)
        if result is None:
            result = {}
        if fake.self_check and op_model.output_shape is not None:
            errs = shapecheck.check(result, op_model.output_shape, wire='json')
            if errs:
                msg = 'SELF-CHECK FAILED %s.%s: %s' % (service.key, op, errs.report())
                sys.stderr.write('awsfake: ' + msg + '\n')
                fake.selfcheck_failures.append(msg)
                raise ApiError('AwsFakeSelfCheckFailed', msg, 500)
        return result, op_model

    def _check_signature(self, body, entry, mode):
        fake = self.server.fake
        now = datetime.datetime.now(datetime.timezone.utc) + \
            datetime.timedelta(seconds=fake.clock_offset)
        pairs = list(self.headers.items())
        if fake.shared_verify is not None:
            # the project's verifier (tests/servers/sigv4check.py)
            res = fake.shared_verify(self.command, self.path, pairs, body, fake.keys, now=now,
                                     protocol=mode)
        else:
            res = sigcheck.verify(self.command, self.path, pairs, body, fake.keys, now=now)
        entry['region'] = res.region or ''
        if not res.ok:
            status = getattr(res, 'status', 403) or 403
            raise ApiError(res.code, res.message, status,
                           namespace=protocol.CORAL.get(res.code) if mode == 'json' else None)

    def _validate(self, op_model, params, mode):
        shape = op_model.input_shape
        if shape is None:
            if params:
                raise coral_error('ValidationException', '%s takes no input' % op_model.name)
            return
        report = self.server.fake.validator.validate(params, shape)
        if report.has_errors():
            raise coral_error('ValidationException', report.generate_report())
        errs = shapecheck.check(params, shape, wire='json' if mode == 'json' else 'python')
        if errs:
            raise coral_error('ValidationException',
                              '%d validation error(s) detected: %s' % (len(errs.items),
                                                                      errs.report()))

    # ------------------------------------------------------------ control

    def _control(self, url, body):
        fake = self.server.fake
        path = url.path[len('/__control'):].strip('/')
        try:
            data = json.loads(body.decode()) if body.strip() else None
        except ValueError:
            return self._send(400, {'Content-Type': 'application/json'},
                              b'{"error":"body is not JSON"}')
        q = parse_qs(url.query)
        out = {'ok': True}
        shutdown = False
        try:
            if path == 'health':
                out = {'ok': True, 'selfcheck_failures': fake.selfcheck_failures,
                       'time_scale': fake.store.clock.scale}
            elif path == 'requests':
                if self.command == 'DELETE':
                    fake.log.reset()
                else:
                    out = fake.log.summary()
                    if 'since' in q:
                        since = float(q['since'][0])
                        out['requests'] = [e for e in out['requests'] if e['time'] >= since]
                    if 'op' in q:
                        out['requests'] = [e for e in out['requests'] if e['op'] in q['op']]
            elif path == 'faults':
                if self.command == 'DELETE':
                    fake.faults.set([])
                elif self.command == 'GET':
                    out = {'faults': fake.faults.snapshot()}
                else:
                    rules = data if isinstance(data, list) else (data or {}).get('faults', [data])
                    if (q.get('mode') or ['set'])[0] == 'add':
                        fake.faults.add(rules)
                    else:
                        fake.faults.set(rules)
            elif path == 'seed':
                with fake.lock:
                    out = fake.store.seed(data or {})
            elif path == 'outcomes':
                if self.command == 'GET':
                    out = {'outcomes': fake.store.outcomes}
                else:
                    rules = data if isinstance(data, list) else [data]
                    if not all(isinstance(r, dict) and r.get('kind') for r in rules):
                        raise ValueError('outcome rules are objects with a "kind"')
                    with fake.lock:
                        fake.store.outcomes.extend(rules)
            elif path == 'config' and not isinstance(data, dict):
                raise ValueError('config wants a JSON object')
            elif path == 'config':
                with fake.lock:
                    if 'time_scale' in data:
                        fake.store.clock.scale = float(data['time_scale'])
                    if 'clock_offset' in data:
                        fake.clock_offset = float(data['clock_offset'])
                    if 'check_signatures' in data:
                        fake.check_signatures = bool(data['check_signatures'])
                    if 'default_page_size' in data:
                        fake.store.default_page_size = int(data['default_page_size'])
                    if 'keys' in data:
                        fake.keys.update(data['keys'])
            elif path == 'reset':
                with fake.lock:
                    fake.store.reset()
                fake.log.reset()
                fake.faults.set([])
                fake.selfcheck_failures[:] = []
            elif path == 'shutdown':
                fake.stopping = True
                shutdown = True
            else:
                return self._send(404, {'Content-Type': 'application/json'},
                                  b'{"error":"no such control endpoint"}')
        except Exception as e:
            if not isinstance(e, (ValueError, KeyError, TypeError)):
                traceback.print_exc()
            return self._send(400, {'Content-Type': 'application/json'},
                              json.dumps({'error': '%s: %s' % (type(e).__name__, e)}).encode())
        self._send(200, {'Content-Type': 'application/json'}, json.dumps(out).encode())
        if shutdown:
            # after the reply is out, or the process may exit before sending it
            self.close_connection = True
            threading.Thread(target=self.server.shutdown, daemon=True).start()


class Context(object):
    """What an operation handler gets: the store, region/account, now."""

    def __init__(self, fake, region, service, op):
        self.fake = fake
        self.store = fake.store
        self.region = region or 'us-east-1'
        self.account = fake.store.account
        self.service = service
        self.op = op
        self.now = fake.store.clock.now()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, fake):
        ThreadingHTTPServer.__init__(self, addr, Handler)
        self.fake = fake

    def handle_error(self, request, client_address):
        # A client that hangs up mid-request is normal in fault tests.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            return
        ThreadingHTTPServer.handle_error(self, request, client_address)
