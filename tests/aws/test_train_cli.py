"""mldeck train against the fake SageMaker (which validates every request
against the official model): the checks shared with the TUI form refuse
bad values before anything is sent, naming the flag; --channel and -H
reach the request; --checkpoint without --spot is sent; --demo refuses."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfake_proc import FakeAws, Tap, mldeck_env, mldeck_runner, need_models  # noqa: E402

need_models()

t = Tap()
fake = FakeAws()
home = tempfile.mkdtemp(prefix='mdtrain')
env = mldeck_env(home)

md = mldeck_runner(fake, env)


def creates():
    return fake.counts().get('sagemaker.CreateTrainingJob', 0)


def sent(name):
    log = fake.control('requests')
    reqs = [r['params'] for r in log['requests']
            if r['op'] == 'CreateTrainingJob' and r['params'].get('TrainingJobName') == name]
    return reqs[-1] if reqs else {}


BASE = ['--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/yolo11:1',
        '--role-arn', 'arn:aws:iam::123456789012:role/SageMakerRole',
        '--train', 's3://drone-data/aerial4/train/', '--output', 's3://drone-ml/models/']

try:
    bad = [
        (['cli_bad_name'] + BASE, 'NAME', 'letters and digits'),
        (['cli-b'] + BASE + ['--imgsz', '650'], '--imgsz', 'multiple of 32'),
        (['cli-b'] + BASE + ['--epochs', 'ten'], '--epochs', 'whole number'),
        (['cli-b'] + BASE + ['--batch', '0'], '--batch', 'batch must be'),
        (['cli-b', '--train', '/local/train'] + BASE[:4] + BASE[6:], '--train', 's3://'),
        (['cli-b'] + BASE + ['--instance-type', 'g5.xlarge'], '--instance-type', 'ml.FAMILY.SIZE'),
        (['cli-b'] + BASE + ['--role-arn', 'SageMakerRole'], '--role-arn', 'IAM role ARN'),
        (['cli-b'] + BASE + ['--spot', '--checkpoint', 's3://drone-ml/ckpt/', '--max-runtime', '3600',
                             '--max-wait', '1800'], '--max-wait', 'at least the max runtime'),
        (['cli-b'] + BASE + ['--channel', 'val=s3://drone-data/v/'], '--channel', 'its own field'),
        (['cli-b'] + BASE + ['-H', 'lr0'], '-H', 'KEY=VALUE'),
    ]
    for args, flag, words in bad:
        rc, out, err = md('train', *(args + ['--yes']))
        t.ok(rc == 2 and flag in err and words in err, 'refused: %s (%s)' % (flag, words), err)
    t.ok(creates() == 0, 'no CreateTrainingJob for any refused value')

    rc, out, err = md('train', 'cli-train-b', *(BASE + [
        '--val', 's3://drone-data/aerial4/val/', '--channel', 'test=s3://drone-data/aerial4/test/',
        '-H', 'lr0=0.005', '-H', 'epochs=3', '--checkpoint', 's3://drone-ml/ckpt/b/', '--yes']))
    t.ok(rc == 0 and json.loads(out).get('TrainingJobArn', '').endswith('/cli-train-b'),
         'a valid train creates the job', err)
    req = sent('cli-train-b')
    t.ok([c['ChannelName'] for c in req.get('InputDataConfig', [])] == ['train', 'val', 'test'],
         '--val and --channel become channels', req)
    hp = req.get('HyperParameters', {})
    t.ok(hp.get('epochs') == '3' and hp.get('lr0') == '0.005' and hp.get('imgsz') == '640'
         and hp.get('model') == 'yolo11n.pt', '-H epochs=3 sets epochs, -H lr0 is added, defaults kept', hp)
    t.ok(req.get('CheckpointConfig', {}).get('S3Uri') == 's3://drone-ml/ckpt/b/'
         and 'EnableManagedSpotTraining' not in req, '--checkpoint without --spot is sent, no spot', req)
    t.ok(req.get('ResourceConfig') == {'InstanceType': 'ml.g5.xlarge', 'InstanceCount': 1,
                                       'VolumeSizeInGB': 50}, 'resource defaults', req)
    t.ok(req.get('StoppingCondition') == {'MaxRuntimeInSeconds': 86400}, 'max runtime default', req)
    audit = os.path.join(home, 'state', 'mldeck', 'audit.log')
    lines = open(audit).read().splitlines() if os.path.exists(audit) else []
    t.ok(any('cli-train-b' in ln and 'create-training-job' in ln for ln in lines),
         'one audit line for the create', lines[-1:] if lines else 'no audit.log')

    # The name is taken: the service's error, not hidden.
    rc, out, err = md('train', 'cli-train-b', *(BASE + ['--yes']))
    t.ok(rc != 0 and 'ResourceInUse' in err, 'a second job with the same name is refused by the service', err)

    # The reply is lost after the job was created: the retry meets the job
    # (ResourceInUse) and takes it for the lost reply; one job exists.
    before = creates()
    fake.control('faults', [{'op': 'CreateTrainingJob', 'kind': 'drop_after', 'count': 1}])
    rc, out, err = md('train', 'cli-train-drop', *(BASE + ['--yes']))
    fake.control('faults', method='DELETE')
    t.ok(rc == 0 and json.loads(out).get('TrainingJobName') == 'cli-train-drop',
         'a create whose reply was lost succeeds on the retry', err)
    t.ok(creates() - before == 2, 'two CreateTrainingJob calls reached the server (%d)' % (creates() - before))
    rc, out, err = md('ls', 'training-jobs', '--json')
    names = [j['TrainingJobName'] for j in json.loads(out)] if rc == 0 else []
    t.ok(names.count('cli-train-drop') == 1, 'and one job exists', names)

    # A retry (after a 500) that meets a job of that name which is not ours
    # (another image): the service's error stands.
    fake.control('faults', [{'op': 'CreateTrainingJob', 'kind': 'error', 'status': 500, 'count': 1}])
    other = list(BASE)
    other[1] = '123456789012.dkr.ecr.us-east-1.amazonaws.com/yolo11:2'
    rc, out, err = md('train', 'cli-train-b', *(other + ['--yes']))
    fake.control('faults', method='DELETE')
    t.ok(rc != 0 and 'ResourceInUse' in err, "a retry that meets someone else's job is not success", err)

    rc, out, err = md('--demo', 'train', 'cli-demo', *(BASE + ['--yes']))
    t.ok(rc == 5, 'the demo refuses train (exit 5)', err)
    health = fake.control('health')
    t.ok(not health['selfcheck_failures'], 'every reply matched the model (server self-check)')
finally:
    fake.stop()
sys.exit(t.done())
