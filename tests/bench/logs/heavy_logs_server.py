#!/usr/bin/python3
"""A minimal SageMaker + CloudWatch Logs look-alike for the log-view
benchmark: one completed training job whose two hosts wrote LINES lines
each (default 300,000).  No signature checks, no validation: it only
serves the calls the TUI makes to list the job and tail its logs.
Prints the port on the first line of stdout."""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LINES = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
PAGE = 10000
JOB = 'heavy-logs-job'
NOW = time.time()
START = NOW - 7200
HOSTS = ['algo-1-%d' % int(START), 'algo-2-%d' % int(START)]


def message(host, i):
    return ('[%s] step %d/%d loss=%.4f lr=%.6f ' % (host[:6], i, LINES, 1.0 / (1 + i * 1e-4), 0.01)
            + 'x' * 40)


def job():
    return {'TrainingJobName': JOB,
            'TrainingJobArn': 'arn:aws:sagemaker:us-east-1:123456789012:training-job/' + JOB,
            'TrainingJobStatus': 'Completed', 'SecondaryStatus': 'Completed',
            'CreationTime': START, 'TrainingStartTime': START + 60,
            'TrainingEndTime': NOW - 60, 'LastModifiedTime': NOW - 60,
            'ResourceConfig': {'InstanceType': 'ml.g5.xlarge', 'InstanceCount': 2,
                               'VolumeSizeInGB': 50},
            'AlgorithmSpecification': {'TrainingInputMode': 'File',
                                       'TrainingImage': 'example/yolo:1'},
            'RoleArn': 'arn:aws:iam::123456789012:role/x',
            'OutputDataConfig': {'S3OutputPath': 's3://b/o'},
            'StoppingCondition': {'MaxRuntimeInSeconds': 86400}}


def answer(op, p):
    if op == 'ListTrainingJobs':
        j = job()
        return {'TrainingJobSummaries': [{k: j[k] for k in (
            'TrainingJobName', 'TrainingJobArn', 'CreationTime', 'TrainingEndTime',
            'LastModifiedTime', 'TrainingJobStatus', 'SecondaryStatus')}]}
    if op == 'DescribeTrainingJob':
        return job()
    if op == 'DescribeLogStreams':
        return {'logStreams': [{'logStreamName': JOB + '/' + h, 'creationTime': int(START * 1000)}
                               for h in HOSTS]}
    if op == 'GetLogEvents':
        host = p['logStreamName'].split('/', 1)[1]
        tok = p.get('nextToken')
        at = int(tok[2:]) if tok else 0
        end = min(LINES, at + PAGE)
        t0 = int((START + 60) * 1000)
        ev = [{'timestamp': t0 + i * 10, 'message': message(host, i), 'ingestionTime': t0 + i * 10}
              for i in range(at, end)]
        return {'events': ev, 'nextForwardToken': 'f/%d' % end, 'nextBackwardToken': 'b/%d' % at}
    for key in ('Pipelines', 'ProcessingJobs', 'LabelingJobs'):
        if op == 'List' + key:
            return {{'Pipelines': 'PipelineSummaries', 'ProcessingJobs': 'ProcessingJobSummaries',
                     'LabelingJobs': 'LabelingJobSummaryList'}[key]: []}
    return {}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n)
        target = self.headers.get('X-Amz-Target', '')
        op = target.split('.')[-1]
        try:
            p = json.loads(body or b'{}')
        except ValueError:
            p = {}
        out = json.dumps(answer(op, p)).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/x-amz-json-1.1')
        self.send_header('x-amzn-RequestId', 'bench-0000')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
