"""A local AWS-like HTTP server for mldeck's network tests: it verifies
SigV4 signatures (sigv4check, botocore), answers from a script of faults,
and records every request.

    from netfault import FaultServer
    srv = FaultServer(keys={'AKID': 'secret'}, clock_offset=0).start()
    srv.script(['503', '500', 'ok'])      # one action per incoming request
    ... run a client against srv.url ...
    srv.requests                          # list of dicts: method, path, headers, body, action
    srv.stop()

Actions (the script is consumed in order; when empty, 'ok'):
    ok            verify the signature, then answer the operation
    503 | 500     plain 503 Service Unavailable / JSON 500 InternalFailure
    throttle      400 ThrottlingException (JSON);  throttle429: 429 TooManyRequestsException
    slowdown      503 SlowDown (S3 XML)
    reset         read the request, then reset the connection without replying
    hang          read the request, then say nothing for `hang_seconds`, then close
    validation    400 ValidationException
    commit500     process the operation (side effects happen), then answer 500:
                  the reply is lost, the client must retry safely

Operations answered on 'ok' (JSON 1.1 by X-Amz-Target, query by Action):
    SageMaker.StartPipelineExecution: idempotent on ClientRequestToken
    /redirbucket/...: an S3 bucket in eu-west-1 (301 + x-amz-bucket-region otherwise)
    Test.ListThings: 3 pages of NextToken; Logs_20140328.GetLogEvents: the
    forward token repeats after 2 pages; STS GetCallerIdentity (query); any
    other request: 200 {"ok": true}.

Run alone for manual poking: /usr/bin/python3 netfault.py PORT AKID SECRET
"""
import datetime
import email.utils
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4check  # noqa: E402


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'netfault/1'

    def log_message(self, fmt, *args):
        pass

    def date_time_string(self, timestamp=None):
        # The Date header send_response adds: the server's (maybe skewed) clock.
        return email.utils.formatdate(time.time() + self.server.owner.clock_offset, usegmt=True)

    def _read_body(self):
        n = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(n) if n else b''

    def _send(self, status, body=b'', ctype='application/x-amz-json-1.1', extra=None):
        srv = self.server.owner
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('x-amzn-RequestId', str(uuid.uuid4()))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def _json(self, status, obj, extra=None):
        self._send(status, json.dumps(obj).encode(), extra=extra)

    def _handle(self):
        srv = self.server.owner
        body = self._read_body()
        with srv.lock:
            action = srv._script.pop(0) if srv._script else 'ok'
            rec = {'method': self.command, 'path': self.path,
                   'headers': list(self.headers.items()), 'body': body, 'action': action,
                   'time': time.time(), 'client': self.client_address}
            srv.requests.append(rec)
        if action == 'reset':
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack('ii', 1, 0))
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.connection.close()
            return
        if action == 'hang':
            self.close_connection = True
            srv._stop.wait(srv.hang_seconds)
            return
        if action == '503':
            self._send(503, b'Service Unavailable', 'text/plain')
            return
        if action == '500':
            self._json(500, {'__type': 'InternalFailure', 'message': 'internal error'})
            return
        if action == 'throttle':
            self._json(400, {'__type': 'com.amazonaws#ThrottlingException',
                             'message': 'Rate exceeded'})
            return
        if action == 'throttle429':
            self._json(429, {'__type': 'TooManyRequestsException', 'message': 'slow down'})
            return
        if action == 'slowdown':
            self._send(503, b'<Error><Code>SlowDown</Code><Message>Please reduce your request '
                            b'rate.</Message></Error>', 'application/xml')
            return
        if action == 'validation':
            self._json(400, {'__type': 'ValidationException', 'message': 'bad input'})
            return

        # 'ok' and 'commit500': verify, then run the operation.
        if srv.keys is not None:
            now = datetime.datetime.now(datetime.timezone.utc) + \
                datetime.timedelta(seconds=srv.clock_offset)
            res = sigv4check.verify(self.command, self.path, list(self.headers.items()), body,
                                    srv.keys, now=now)
            rec['sig'] = res
            if not res.ok:
                ctype, ebody = sigv4check.error_body(res)
                self._send(res.status, ebody, ctype)
                return
        status, payload, ctype = srv.operate(self, body)
        if action == 'commit500':
            self._json(500, {'__type': 'InternalFailure', 'message': 'reply lost'})
            return
        self._send(status, payload, ctype)

    def send_response(self, code, message=None):
        super().send_response(code, message)
        if code == 301:
            self.send_header('x-amz-bucket-region', 'eu-west-1')

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle


class FaultServer(object):
    def __init__(self, keys=None, clock_offset=0, hang_seconds=5.0):
        self.keys = keys
        self.clock_offset = clock_offset
        self.hang_seconds = hang_seconds
        self.lock = threading.Lock()
        self._script = []
        self.requests = []
        self.executions = {}        # ClientRequestToken -> ARN
        self._stop = threading.Event()
        self.httpd = None

    def start(self, port=0, tls=None):
        """tls: (certfile, keyfile) to serve HTTPS."""
        self.httpd = ThreadingHTTPServer(('127.0.0.1', port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        if tls:
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.url = 'https://127.0.0.1:%d' % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._stop.set()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()

    def script(self, actions):
        with self.lock:
            self._script = list(actions)
            self.requests = []

    def header(self, rec, name):
        for k, v in rec['headers']:
            if k.lower() == name.lower():
                return v
        return None

    def operate(self, h, body):
        """(status, body bytes, content type) of a verified request."""
        target = h.headers.get('X-Amz-Target', '')
        if h.path.startswith('/redirbucket'):
            # An S3 bucket that lives in eu-west-1: other regions get 301.
            parsed = sigv4check.parse_authorization(h.headers.get('Authorization', ''))
            if not parsed or parsed[2] != 'eu-west-1':
                return 301, (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>'
                             b'PermanentRedirect</Code><Message>The bucket you are attempting to '
                             b'access must be addressed using the specified endpoint.</Message>'
                             b'<Endpoint>redirbucket.s3.eu-west-1.amazonaws.com</Endpoint>'
                             b'<Bucket>redirbucket</Bucket></Error>'), 'application/xml'
            return 200, b'in eu-west-1', 'text/plain'
        if target == 'SageMaker.StartPipelineExecution':
            req = json.loads(body or b'{}')
            tok = req.get('ClientRequestToken', '')
            if not 32 <= len(tok) <= 128:
                return 400, json.dumps({'__type': 'ValidationException',
                                        'message': 'ClientRequestToken length'}).encode(), \
                    'application/x-amz-json-1.1'
            with self.lock:
                if tok not in self.executions:
                    self.executions[tok] = 'arn:aws:sagemaker:us-east-1:123456789012:' \
                        'pipeline/%s/execution/%s' % (req.get('PipelineName', 'p'),
                                                      uuid.uuid4().hex[:12])
                arn = self.executions[tok]
            return 200, json.dumps({'PipelineExecutionArn': arn}).encode(), \
                'application/x-amz-json-1.1'
        if target == 'Test.ListThings':
            req = json.loads(body or b'{}')
            page = int(req.get('NextToken') or '0')
            out = {'Things': ['t%d' % (page * 2 + i) for i in range(2)]}
            if page < 2:
                out['NextToken'] = str(page + 1)
            return 200, json.dumps(out).encode(), 'application/x-amz-json-1.1'
        if target == 'Logs_20140328.GetLogEvents':
            req = json.loads(body or b'{}')
            tok = req.get('nextToken') or 'f/0'
            n = int(tok.split('/')[1])
            nxt = 'f/%d' % min(n + 1, 2)
            events = [{'timestamp': 1700000000000 + n, 'message': 'line %d' % n}] if n < 2 else []
            return 200, json.dumps({'events': events, 'nextForwardToken': nxt,
                                    'nextBackwardToken': 'b/0'}).encode(), \
                'application/x-amz-json-1.1'
        ctype = h.headers.get('Content-Type', '')
        if ctype.startswith('application/x-www-form-urlencoded'):
            form = parse_qs(body.decode('utf-8', 'replace'), keep_blank_values=True)
            action = (form.get('Action') or [''])[0]
            if action == 'GetCallerIdentity':
                return 200, ('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/'
                             '2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::'
                             '123456789012:user/test</Arn><UserId>AIDATEST</UserId><Account>'
                             '123456789012</Account></GetCallerIdentityResult><ResponseMetadata>'
                             '<RequestId>r-1</RequestId></ResponseMetadata>'
                             '</GetCallerIdentityResponse>').encode(), 'text/xml'
            return 400, ('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>'
                         '<Message>Could not find operation %s</Message></Error><RequestId>r-2'
                         '</RequestId></ErrorResponse>' % action).encode(), 'text/xml'
        return 200, json.dumps({'ok': True, 'sha256': hashlib.sha256(body).hexdigest(),
                                'n': len(self.requests)}).encode(), 'application/json'


if __name__ == '__main__':
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    keys = {sys.argv[2]: sys.argv[3]} if len(sys.argv) > 3 else None
    s = FaultServer(keys=keys).start(port)
    print('listening on', s.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        s.stop()
