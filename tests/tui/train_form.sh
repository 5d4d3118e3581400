#!/bin/sh
# The training job form and the job describe against the project's fake
# SageMaker (tests/servers/aws_server.py, which validates every request
# against the official model): `n` on a training job opens the form
# prefilled from it, a bad value is flagged and Review refuses it, the
# confirmation shows the request and focuses Cancel, Create sends exactly
# one CreateTrainingJob with the edited epochs and instance type and the
# job appears in the list; `:train` opens the form from anywhere; the
# describe of a completed job shows its timeline and final metrics, of a
# failed one its failure reason, of a processing job its inputs/outputs;
# --read-only refuses before the form and sends no mutating request.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init train_form

tui_aws_server --self-check
created() {
    reqs "[r['params'] for r in d['requests'] if r['op'] == 'CreateTrainingJob' and r['status'] == 200][0]$1"
}

ctl seed '{"region": "us-east-1",
  "training_jobs": [
    {"name": "yolo11-done", "status": "Completed", "age": 7200, "duration": 3000, "epochs": 50},
    {"name": "yolo11-oom", "status": "Failed", "age": 3600, "duration": 600,
     "FailureReason": "AlgorithmError: CUDA out of memory (train-form test)"}],
  "processing_jobs": [{"name": "prep-aerial4", "age": 5000, "duration": 120}]}' >/dev/null
printf 'refresh_seconds = 1\n' >"$TUI_TMP/config/mldeck/config"
TUI_ENV="$TUI_ENV AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=2"

# only NAME: the training jobs table filtered to NAME (its row selected).
only() {
    tui_keys Escape; tui_keys /; tui_type "name:$1"; tui_keys Enter
    tui_wait "$1" 10
}

tui_start 100 32 --endpoint-url "$URL"
tui_wait "pipelines" 20
tui_keys :; tui_type "training-jobs"; tui_keys Enter
tui_wait "yolo11-done" 20; ok $? "training jobs listed from the fake SageMaker"

# ---- describe: timeline, final metrics, failure reason --------------------
only yolo11-done
tui_keys d; tui_wait "Timeline (secondary status" 5; ok $? "describe of a completed job has a timeline"
tui_wait "Downloading" 1; ok $? "with its transitions (Downloading)"
tui_screen | grep -q "Training .*[0-9][0-9]:[0-9][0-9]:[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] .*█"
ok $? "each with start, end, duration and a bar"
tui_wait "✓ Completed" 1; ok $? "the status with its glyph"
tui_wait "Hyperparameters" 1; ok $? "the hyperparameters"
tui_wait "train ← s3://" 1; ok $? "the input channels"
tui_keys /; tui_type "Final metrics"; tui_keys Enter
tui_wait "/Final metrics: line" 3; ok $? "/ finds the final metrics in the summary"
tui_screen | grep -q "^  val:mAP50  *0\.[0-9][0-9][0-9][0-9]"; ok $? "each metric with its value"
tui_keys /; tui_keys C-u; tui_type "S3OutputPath"; tui_keys Enter
tui_wait "/S3OutputPath: line" 3; ok $? "/ still searches the JSON below"
tui_keys Escape
only yolo11-oom
tui_keys d; tui_wait "CUDA out of memory (train-form test)" 5; ok $? "describe of a failed job shows its failure reason"
tui_screen | grep -q "^Failure *AlgorithmError"; ok $? "on its own line near the top"
tui_wait "✗ Failed" 1; ok $? "and the Failed status"
tui_keys Escape Escape Escape
tui_keys :; tui_type "processing-jobs"; tui_keys Enter
tui_wait "prep-aerial4" 20; tui_keys d
tui_wait "Timeline (from the job's times" 5; ok $? "a processing job's describe has its times as a timeline"
tui_wait "Instances" 1; ok $? "and its resources"
tui_keys Escape Escape

# ---- the form -----------------------------------------------------------------
tui_keys :; tui_type "training-jobs"; tui_keys Enter
tui_wait "yolo11-done" 10
only yolo11-done
[ "$(reqs "d['counts'].get('sagemaker.CreateTrainingJob', 0)")" = 0 ]; ok $? "no CreateTrainingJob yet"
tui_keys n; tui_wait "New training job (settings of yolo11-done)" 5; ok $? "n opens the form prefilled from the selected job"
tui_wait "arn:aws:iam::" 5; ok $? "the role is cloned (after DescribeTrainingJob)"
tui_wait "s3://" 1; ok $? "the channels and output path are cloned"
# Name (field 0): a known one.
tui_keys C-u; tui_type "tui-train-1"
# Instance type (field 3): typed over.
tui_keys Down Down Down C-u; tui_type "ml.g5.2xlarge"
# Epochs (field 6): first a bad value.
tui_keys Down Down Down C-u; tui_type "seven"
tui_wait "✗ epochs must be" 3; ok $? "a bad epochs value is flagged beside the field"
tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up
tui_keys Enter
tui_wait "fix epochs first" 3; ok $? "Review refuses while a field is wrong (and goes back to it)"
tui_keys C-u; tui_type "7"; tui_gone "✗ epochs" 3; ok $? "a good value clears the error"
# Spot on without a checkpoint: flagged on the checkpoint.
tui_keys Down Down Down Down Down Down Down Down Down Down; tui_keys Right
tui_wait "✗ managed spot" 3; ok $? "spot without a checkpoint is flagged"
tui_keys Left; tui_gone "✗ managed spot" 3; ok $? "spot off again clears it"
tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up
tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up; tui_keys Up
tui_keys Up; tui_keys Up; tui_keys Up
tui_keys Enter
tui_wait "Confirm: Create training job tui-train-1" 5; ok $? "Review shows the confirmation"
tui_wait '"epochs": "7"' 1; ok $? "the request carries the edited epochs"
tui_wait "> Cancel <" 1; ok $? "the confirmation focuses Cancel"
tui_keys j j j j j j j j j j j j j j j j j j j j j j j j j j j j j j
tui_keys j j j j j j j j j j j j j j j j j j j j j j j j j j j j j j
tui_wait '"InstanceType": "ml.g5.2xlarge"' 3; ok $? "j scrolls the request to the edited instance type"
[ "$(reqs "d['counts'].get('sagemaker.CreateTrainingJob', 0)")" = 0 ]; ok $? "nothing sent before Create"
# Slow motion, so the describe below sees it run.
ctl config '{"time_scale": 0.3}' >/dev/null
tui_keys Tab Enter
tui_wait "tui-train-1   " 20; ok $? "the new job appears in the training jobs (the filter cleared)"
n=0
until [ "$(reqs "d['counts'].get('sagemaker.CreateTrainingJob', 0)")" = 1 ] || [ $n -gt 40 ]; do
    sleep 0.1; n=$((n + 1))
done
[ "$(reqs "d['counts'].get('sagemaker.CreateTrainingJob', 0)")" = 1 ]; ok $? "one CreateTrainingJob reached the server"
[ "$(created "['HyperParameters']['epochs']")" = 7 ]; ok $? "with epochs 7"
[ "$(created "['ResourceConfig']['InstanceType']")" = ml.g5.2xlarge ]; ok $? "and instance type ml.g5.2xlarge"
IMG=$(created "['AlgorithmSpecification']['TrainingImage']")
[ -n "$IMG" ] && [ "$IMG" != "None" ]; ok $? "and the cloned training image ($IMG)"
[ "$(created "['InputDataConfig'][0]['ChannelName']")" = train ]; ok $? "and the cloned train channel"
grep -q '"create-training-job"' "$TUI_TMP/state/mldeck/audit.log" 2>/dev/null; ok $? "the audit log has the create"
tui_wait "create-training-job tui-train-1: done" 10; ok $? "the status line says it is done"
only tui-train-1
tui_keys d; tui_wait "▶ InProgress" 10; ok $? "the new job's describe: running"
tui_wait "✓ Completed" 60; ok $? "the describe follows it live to Completed"
tui_keys /; tui_keys C-u; tui_type "Timeline"; tui_keys Enter
tui_wait "Uploading" 3; ok $? "with the whole timeline"
ctl config '{"time_scale": 1}' >/dev/null
tui_keys Escape Escape

# :train from another pane: the defaults.
tui_keys 3; tui_wait "pipelines" 5
tui_keys :; tui_type "train"; tui_keys Enter
tui_wait "New training job" 5; ok $? ":train opens the form from another pane"
tui_wait "ml.g5.xlarge" 1; ok $? "with the default instance type"
tui_wait "✗ a training image" 2; ok $? "and says what is missing"
tui_keys Escape; tui_wait "Create training job cancelled" 3; ok $? "Esc cancels the form"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

# ---- --read-only ------------------------------------------------------------
ctl requests '' DELETE >/dev/null
tui_start 100 32 --endpoint-url "$URL" --read-only
tui_wait "READ-ONLY" 20
tui_keys :; tui_type "training-jobs"; tui_keys Enter
tui_wait "yolo11-done" 20
tui_keys n; tui_wait "read-only mode: 'Create training job' would change the account" 5
ok $? "n is refused under --read-only"
tui_gone "New training job" 1; ok $? "no form"
tui_keys j; tui_gone "read-only mode" 3
tui_keys :; tui_type "train"; tui_keys Enter
tui_wait "read-only mode: 'Create training job'" 5; ok $? ":train is refused too"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"
[ "$(reqs "d['total'] > 0 and d['mutating'] == 0 and d['counts'].get('sagemaker.CreateTrainingJob', 0) == 0")" = True ]
ok $? "the server saw reads and no mutating request"
[ -z "$(ctl health | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['selfcheck_failures'] or '')")" ]
ok $? "every reply matched the model (server self-check)"
tui_done
