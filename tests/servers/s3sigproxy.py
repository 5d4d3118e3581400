"""A signature-checking front for s3rver (which does not verify SigV4):
every request is verified with sigv4check (botocore's signer, S3 rules,
header or presigned) and refused with S3's XML error when wrong; good ones
are forwarded unchanged to s3rver and the reply relayed.

    from s3sigproxy import S3rver, SigProxy
    s3 = S3rver(tmpdir, buckets=['b']).start()         # node --openssl-legacy-provider
    px = SigProxy(s3.url, keys={'S3RVER': 'S3RVER'}).start()
    ... px.url ...; px.log (method, path, ok, code); px.stop(); s3.stop()

S3rver.find() returns (node, s3rver.js) or None: tests skip without them.
"""
import datetime
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4check  # noqa: E402

HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailers',
       'transfer-encoding', 'upgrade'}


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class S3rver(object):
    """s3rver 3.7 from tests/node_modules, on a free 127.0.0.1 port."""

    def __init__(self, directory, buckets=()):
        self.directory = directory
        self.buckets = list(buckets)
        self.proc = None

    @staticmethod
    def find():
        node = shutil.which('node')
        src = os.environ.get('MLDECK_SRCDIR', os.path.join(os.path.dirname(__file__), '..', '..'))
        js = os.path.join(src, 'tests', 'node_modules', 's3rver', 'bin', 's3rver.js')
        if not node or not os.path.exists(js):
            return None
        return node, js

    def put(self, bucket, key, body):
        """Stores an object straight into s3rver (test set-up, unsigned); the HTTP status."""
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=30)
        c.request('PUT', '/%s/%s' % (bucket, key), body=body,
                  headers={'Content-Length': str(len(body))})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status

    def start(self, timeout=20):
        node, js = self.find()
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        cmd = [node, '--openssl-legacy-provider', js, '-d', self.directory, '-a', '127.0.0.1',
               '-p', str(self.port), '--silent', '--no-vhost-buckets']
        for b in self.buckets:
            cmd += ['--configure-bucket', b]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('s3rver exited: %s' % self.proc.stderr.read().decode()[-500:])
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError('s3rver did not start')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def _handle(self):
        px = self.server.owner
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n) if n else b''
        pairs = list(self.headers.items())
        res = sigv4check.verify(self.command, self.path, pairs, body, px.keys,
                                now=datetime.datetime.now(datetime.timezone.utc), protocol='s3')
        with px.lock:
            px.log.append({'method': self.command, 'path': self.path, 'ok': res.ok,
                           'code': res.code, 'headers': pairs})
        if not res.ok:
            ctype, ebody = sigv4check.error_body(
                res if res.service else _with_service(res, 's3'))
            self.send_response(res.status)
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(ebody)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(ebody)
            return
        conn = http.client.HTTPConnection('127.0.0.1', px.port, timeout=30)
        fwd = {k: v for k, v in pairs if k.lower() not in HOP}
        conn.request(self.command, self.path, body=body if body or self.command in
                     ('PUT', 'POST') else None, headers=fwd)
        r = conn.getresponse()
        data = r.read()
        self.send_response_only(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in HOP and (k.lower() != 'content-length' or self.command == 'HEAD'):
                self.send_header(k, v)
        if self.command != 'HEAD':
            self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


def _with_service(res, service):
    res.service = service
    return res


class SigProxy(object):
    def __init__(self, upstream, keys):
        self.upstream = upstream
        self.port = int(upstream.rsplit(':', 1)[1])
        self.keys = keys
        self.lock = threading.Lock()
        self.log = []

    def start(self):
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.url = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def fake_aws_or_skip(srcdir):
    """The fake AWS server's Fake class, after checking that everything an
    S3 + SageMaker test needs is here; otherwise a TAP skip of the whole test."""
    sys.path.insert(0, os.path.join(srcdir, 'tests', 'awsfake'))
    try:
        from fakelib import Fake, shared_dir
    except ImportError as e:
        print('1..0 # SKIP %s' % e)
        sys.exit(0)
    if not shared_dir():
        print('1..0 # SKIP no ../shared/aws-models for the awsfake server')
        sys.exit(0)
    if not S3rver.find():
        print('1..0 # SKIP node or tests/node_modules/s3rver missing '
              '(npm install --ignore-scripts --prefix tests)')
        sys.exit(0)
    return Fake
