"""The CLI under --demo: lists come from the demo workspace (no account,
no network), every action is refused with exit code 5."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfake_proc import Tap  # noqa: E402

BIN = os.environ.get('MLDECK_BIN') or os.path.join(os.path.dirname(__file__), '..', '..', 'mldeck')
home = tempfile.mkdtemp(prefix='mddemo')
env = {k: v for k, v in os.environ.items() if not k.startswith('AWS_')}
env.update(HOME=home, XDG_CACHE_HOME=home + '/cache', XDG_STATE_HOME=home + '/state',
           XDG_CONFIG_HOME=home + '/config', AWS_EC2_METADATA_DISABLED='true',
           # an unreachable endpoint: the demo must not try it
           AWS_ENDPOINT_URL='http://127.0.0.1:9')
t = Tap()


def md(*args):
    p = subprocess.run([BIN, '--demo'] + list(args), env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, errors='replace', timeout=60)
    return p.returncode, p.stdout, p.stderr


rc, out, err = md('ls', 'pipelines', '--json')
names = sorted(p['PipelineName'] for p in json.loads(out)) if rc == 0 else []
t.ok(rc == 0 and 'yolo11-train' in names and len(names) == 4, 'demo pipelines list', err)
rc, out, err = md('ls', 'executions', '--pipeline', 'yolo11-train', '--json')
ex = json.loads(out) if rc == 0 else []
t.ok(len(ex) > 50 and any(e['PipelineExecutionStatus'] == 'Failed' for e in ex),
     'weeks of executions, some failed (%d)' % len(ex), err)
t.ok(any(e['PipelineExecutionStatus'] == 'Executing' for e in ex), 'one is running now')
rc, out, err = md('describe', 'executions', ex[0]['PipelineExecutionArn'] if ex else 'x')
t.ok(rc == 0 and json.loads(out).get('PipelineExecutionArn'), 'describe reads the demo cache', err)
rc, out, err = md('ls', 'training-jobs', '--status', 'InProgress')
t.ok(rc == 0 and 'InProgress' in out, 'running training jobs in the demo')
for args in (['stop-training-job', 'x', '--yes'], ['start-execution', 'yolo11-train', '--yes'],
             ['stop-execution', ex[0]['PipelineExecutionArn'] if ex else 'x', '--yes']):
    rc, out, err = md(*args)
    t.ok(rc == 5 and 'demo workspace cannot' in err, '%s is refused in the demo' % args[0], err)
# MLflow kinds come from the demo cache too (no tracking URI needed)
rc, out, err = md('ls', 'experiments', '--json')
exps = json.loads(out) if rc == 0 else []
t.ok(exps and all(e['lifecycle_stage'] == 'active' for e in exps), 'experiments: deleted ones hidden', err)
rc, out, err = md('ls', 'experiments', '--all', '--json')
t.ok(rc == 0 and any(e['lifecycle_stage'] == 'deleted' for e in json.loads(out)), '--all shows deleted ones')
name = exps[0]['name'] if exps else 'x'
rc, out, err = md('ls', 'runs', '--experiment', name, '--json')
runs = json.loads(out) if rc == 0 else []
t.ok(runs and all(r['info']['experiment_id'] == exps[0]['experiment_id'] for r in runs),
     'runs of an experiment named by its name, in MLflow\'s shape', err)
rc, out, err = md('ls', 'runs', '--bogus')
t.ok(rc == 2, 'an option the demo cannot honour is a usage error')

t.ok(not os.path.exists(os.path.join(home, 'state', 'mldeck', 'audit.log')),
     'nothing reached the audit log')
sys.exit(t.done())
