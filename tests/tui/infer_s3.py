"""The inference pane with models and images in S3, end to end: s3rver 3.7.1
(npm) behind tests/servers/s3sigproxy.py (every SigV4 signature verified)
and the awsfake SageMaker server (tests/servers/aws_server.py) for the
training jobs, the real mldeck in a private tmux server with the AWS
environment pointing at them (AWS_ENDPOINT_URL_S3 / _SAGEMAKER).  `m` picks
a training job and loads its ModelArtifacts.S3ModelArtifacts.  A SageMaker-style model.tar.gz is downloaded on a worker,
unpacked, cached under $XDG_CACHE_HOME/mldeck/models/<etag>.onnx and not
downloaded again; an image is downloaded with its YOLO label file (the
labels/ key beside images/), so TP/FP/miss show; a missing key is a clear
error and the pane stays usable."""
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

SRC = os.environ.get('MLDECK_SRCDIR', os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(SRC, 'tests', 'servers'))
BIN = os.environ.get('MLDECK_BIN') or os.path.join(os.environ.get('MLDECK_BUILDDIR', '.'), 'mldeck')
DATA = os.environ.get('MLDECK_DATA_DIR') or os.path.join(SRC, 'data')
MODEL = os.path.join(DATA, 'models', 'aerial4_yolo11n_320.onnx')
VAL = os.path.join(DATA, 'demo', 'images')

if not shutil.which('tmux'):
    print('1..0 # SKIP tmux is not installed')
    sys.exit(0)
if not os.access(BIN, os.X_OK) or not os.path.exists(MODEL):
    print('1..0 # SKIP no mldeck binary or shipped model')
    sys.exit(0)
from s3sigproxy import S3rver, SigProxy, fake_aws_or_skip  # noqa: E402
Fake = fake_aws_or_skip(SRC)

BUCKET = 'drone-ml'
MODELS_BUCKET = 'mldeck-models'     # awsfake's S3OutputPath: s3://mldeck-models/yolo11
JOB = 'yolo11n-s3-00001'            # the newest of the two seeded jobs
JOB_KEY = 'yolo11/%s/output/model.tar.gz' % JOB
MODEL_KEY = 'training/yolo11n-320-run1/output/model.tar.gz'
IMG_KEY = 'datasets/aerial4/images/val/s3_0000.jpg'
LAB_KEY = 'datasets/aerial4/labels/val/s3_0000.txt'
# A registry version's source is a folder: the worker lists it for best.onnx.
FOLDER = 'mlflow/1/0123abcd/artifacts/weights'
n = 0
failed = 0


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', n, name))
    if not cond:
        failed += 1
        if diag:
            for line in str(diag).splitlines()[-40:]:
                print('#   | ' + line)
    sys.stdout.flush()


tmp = tempfile.mkdtemp(prefix='mldeck-infer-s3-')
sock = 'mldeck-infer-s3-%d' % os.getpid()


def tmx(*args):
    return subprocess.run(['tmux', '-L', sock] + list(args), capture_output=True, text=True)


def screen():
    return tmx('capture-pane', '-p').stdout


def wait(text, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if text in screen():
            return True
        time.sleep(0.05)
    print('# timed out waiting for: %s' % text)
    for line in screen().splitlines():
        print('#   | ' + line)
    return False


def put(s3, key, body, bucket=BUCKET):
    return s3.put(bucket, key, body)


def targz_with(path, arcname):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as t:
        t.add(path, arcname=arcname)
        info = tarfile.TarInfo('code/requirements.txt')
        data = b'ultralytics\n'
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


s3 = px = fake = None
try:
    s3 = S3rver(os.path.join(tmp, 's3'), buckets=[BUCKET, MODELS_BUCKET]).start()
    px = SigProxy(s3.url, keys={'S3RVER': 'S3RVER'}).start()
    fake = Fake(seed={'region': 'us-east-1',
                      'training_jobs': {'count': 2, 'prefix': 'yolo11n-s3', 'in_progress': 0}},
                args=['--key', 'S3RVER:S3RVER'])   # s3rver knows only this key id
    st = [put(s3, MODEL_KEY, targz_with(MODEL, 'weights/best.onnx')),
          put(s3, IMG_KEY, open(os.path.join(VAL, 'images', 'val', 'val_0000.jpg'), 'rb').read()),
          put(s3, LAB_KEY, open(os.path.join(VAL, 'labels', 'val', 'val_0000.txt'), 'rb').read()),
          put(s3, FOLDER + '/best.onnx', open(MODEL, 'rb').read()),
          put(s3, FOLDER + '/last.onnx', b'not a model'),
          put(s3, FOLDER + '/args.yaml', b'imgsz: 320\n'),
          put(s3, JOB_KEY, targz_with(MODEL, 'best.onnx'), bucket=MODELS_BUCKET)]
    ok(st == [200] * 7, 'objects uploaded to s3rver', st)

    for d in ('home', 'cache', 'config', 'state'):
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    env = ('env -i PATH=/usr/bin:/bin HOME={t}/home XDG_CONFIG_HOME={t}/config '
           'XDG_CACHE_HOME={t}/cache XDG_STATE_HOME={t}/state LANG=C.UTF-8 LC_ALL=C.UTF-8 '
           'TERM=tmux-256color MLDECK_DATA_DIR={d} AWS_ACCESS_KEY_ID=S3RVER '
           'AWS_SECRET_ACCESS_KEY=S3RVER AWS_EC2_METADATA_DISABLED=true '
           'AWS_ENDPOINT_URL_S3={s3} AWS_ENDPOINT_URL_SAGEMAKER={sm}').format(
               t=tmp, d=DATA, s3=px.url, sm=fake.url)
    tmx('-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '36',
        "%s '%s' --region us-east-1; echo MLDECK-EXITED rc=$?; sleep 600" % (env, BIN))
    time.sleep(0.3)
    tmx('send-keys', '6')
    ok(wait('Detections:', 30), 'the pane opens on the shipped model (AWS configured)')
    tpfp = [l for l in screen().splitlines() if 'TP ' in l and ' FP ' in l]
    local_counts = tpfp[0].split('TP ', 1)[1].split('(')[0].strip() if tpfp else None

    px.log.clear()
    tmx('send-keys', 'o', 'C-u')
    tmx('send-keys', '-l', 's3://%s/%s' % (BUCKET, MODEL_KEY))
    tmx('send-keys', 'Enter')
    ok(wait('model s3://%s/%s (320x320, 4 classes)' % (BUCKET, MODEL_KEY), 60),
       'o s3://.../model.tar.gz: downloaded, unpacked, loaded')
    cached = os.listdir(os.path.join(tmp, 'cache', 'mldeck', 'models')) \
        if os.path.isdir(os.path.join(tmp, 'cache', 'mldeck', 'models')) else []
    ok(len(cached) == 1 and cached[0].endswith('.onnx') and
       os.path.getsize(os.path.join(tmp, 'cache', 'mldeck', 'models', cached[0])) ==
       os.path.getsize(MODEL), 'cached as <etag>.onnx (the unpacked model)', cached)
    methods = [(e['method'], e['path'].split('?')[0]) for e in px.log]
    ok(('HEAD', '/%s/%s' % (BUCKET, MODEL_KEY)) in methods and
       ('GET', '/%s/%s' % (BUCKET, MODEL_KEY)) in methods, 'HEAD for the ETag, then GET', methods)
    ok(px.log and all(e['ok'] for e in px.log), 'every request signed correctly (SigV4 verified)',
       [e for e in px.log if not e['ok']][:2])
    ok(wait('detections in', 30), 'the image runs again with the new model')

    px.log.clear()
    tmx('send-keys', 'o', 'C-u')
    tmx('send-keys', '-l', 's3://%s/%s' % (BUCKET, MODEL_KEY))
    tmx('send-keys', 'Enter')
    end = time.time() + 30
    while time.time() < end and not any(e['method'] == 'HEAD' for e in px.log):
        time.sleep(0.05)
    while time.time() < end and 'running...' in screen():
        time.sleep(0.05)
    ok('running...' not in screen() and 'model s3://%s/%s (320x320' % (BUCKET, MODEL_KEY) in screen(),
       'the same model again', screen())
    methods = [e['method'] for e in px.log]
    ok('HEAD' in methods and 'GET' not in methods, 'second time: HEAD only (cached by ETag)',
       methods)

    px.log.clear()
    tmx('send-keys', 'o', 'C-u')
    tmx('send-keys', '-l', 's3://%s/%s' % (BUCKET, FOLDER))
    tmx('send-keys', 'Enter')
    ok(wait('model s3://%s/%s (320x320, 4 classes)' % (BUCKET, FOLDER), 60),
       'o on a folder (a registry source): its best.onnx is found and loaded')
    paths = [(e['method'], e['path'].split('?')[0]) for e in px.log]
    ok(('GET', '/%s/%s/best.onnx' % (BUCKET, FOLDER)) in paths and
       not any(p.endswith('last.onnx') for _, p in paths), 'listed, then best.onnx fetched', paths)

    px.log.clear()
    tmx('send-keys', 'i', 'C-u')
    tmx('send-keys', '-l', 's3://%s/%s' % (BUCKET, IMG_KEY))
    tmx('send-keys', 'Enter')
    ok(wait('image s3_0000.jpg 320x320', 30), 'i s3://.../s3_0000.jpg: downloaded and run')
    ok(wait('labels, IoU 0.5', 10), 'its label file came along (labels/ beside images/)')
    tpfp = [l for l in screen().splitlines() if 'TP ' in l and ' FP ' in l]
    s3_counts = tpfp[0].split('TP ', 1)[1].split('(')[0].strip() if tpfp else None
    ok(s3_counts and s3_counts == local_counts,
       'TP/FP/miss as for the local copy (%s)' % local_counts, s3_counts)
    paths = [e['path'].split('?')[0] for e in px.log]
    ok('/%s/%s' % (BUCKET, LAB_KEY) in paths, 'the label key was fetched',
       [paths, [os.path.join(r, f) for r, _, fs in os.walk(os.path.join(tmp, 'cache')) for f in fs]])

    tmx('send-keys', 'i', 'C-u')
    tmx('send-keys', '-l', 's3://%s/datasets/nope.jpg' % BUCKET)
    tmx('send-keys', 'Enter')
    ok(wait('image nope.jpg:', 30), 'a missing key: the error names the image')
    ok('404' in screen() or 'NotFound' in screen() or 'NoSuchKey' in screen(),
       'a missing key: the error says not found', screen())
    tmx('send-keys', 'i', 'C-u')
    tmx('send-keys', '-l', '%s/images/val/val_0000.jpg' % VAL)
    tmx('send-keys', 'Enter')
    ok(wait('image val_0000.jpg 320x320', 30), 'the pane stays usable after the error')
    # m: a training job's model (ListTrainingJobs/DescribeTrainingJob from
    # awsfake, the artifact from s3rver).
    px.log.clear()
    tmx('send-keys', 'm')
    ok(wait('(Enter chooses)', 10) and wait(JOB, 30), 'm lists the training jobs (awsfake)')
    tmx('send-keys', 'g', 'Enter')
    ok(wait('model s3://%s/%s (320x320, 4 classes)' % (MODELS_BUCKET, JOB_KEY), 60),
       "m + Enter loads the job's ModelArtifacts.S3ModelArtifacts")
    ok(any(e['method'] == 'GET' and JOB_KEY in e['path'] for e in px.log),
       'the model.tar.gz was downloaded', [e['path'] for e in px.log])
    tmx('send-keys', 'q')
    ok(wait('MLDECK-EXITED rc=0', 10), 'q quits with status 0')
finally:
    tmx('kill-server')
    if fake:
        fake.stop()
    if px:
        px.stop()
    if s3:
        s3.stop()
    shutil.rmtree(tmp, ignore_errors=True)
print('1..%d' % n)
sys.exit(1 if failed else 0)
