#!/bin/sh
# The pipelines pane against the project's fake SageMaker/CloudWatch/Logs
# (tests/servers/aws_server.py): launch with parameters from the form (the
# request the server got is the one the confirmation showed, token
# included) -> the execution appears -> its steps progress in the DAG ->
# stop (confirmed) -> Stopped; a failed step shows its failure reason; the
# job's logs; --read-only sends no mutating request (counted on the server).
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init pipelines_aws

tui_aws_server --self-check

ctl seed '{"pipelines": [{"name": "yolo11-train", "executions": 2, "execution_spacing": 600}]}' >/dev/null
printf 'refresh_seconds = 1\n' >"$TUI_TMP/config/mldeck/config"
TUI_ENV="$TUI_ENV AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=2"

# launch NAME: s on the selected pipeline, display name NAME, Review, Start.
launch() {
    tui_keys s
    tui_wait "Start execution of yolo11-train" 10 || return 1
    tui_wait "Epochs" 10 || return 1
    tui_keys Up Up Up; tui_type "$1"; tui_keys Down Down Enter
    tui_wait "Confirm: Start execution of yolo11-train" 5 || return 1
    tui_keys Tab Enter
    tui_wait "$1" 30
}

tui_start 100 30 --endpoint-url "$URL"
tui_wait "yolo11-train" 20; ok $? "pipelines listed from the fake SageMaker"
tui_keys s; tui_wait "Start execution of yolo11-train"; ok $? "s opens the launch form"
tui_wait "Integer" 10; ok $? "the form lists the definition's parameters with their types"
tui_wait "s3://" 1; ok $? "with their defaults"
tui_keys Down C-u; tui_type "abc"; tui_wait "✗ parameter Epochs"; ok $? "a bad Integer is flagged beside the field"
tui_keys Tab Tab Tab Tab Tab Tab Enter
tui_wait "fix Epochs first" 3; ok $? "Review refuses while a field is wrong (and goes back to it)"
tui_keys C-u; tui_type "3"; tui_gone "✗ parameter Epochs" 3; ok $? "a good value clears the error"
tui_keys Tab Tab Tab Tab; tui_type "tui-launch-1"; tui_keys Tab Tab Enter
tui_wait "Confirm: Start execution of yolo11-train"; ok $? "Review shows the confirmation"
tui_wait '"Value": "3"' 1; ok $? "the request carries the typed parameter"
tui_wait '"PipelineExecutionDisplayName": "tui-launch-1"' 1; ok $? "and the display name"
TOKEN=$(tui_screen | sed -n 's/.*"ClientRequestToken": "\([0-9a-f-]*\)".*/\1/p' | head -1)
[ ${#TOKEN} -ge 32 ]; ok $? "and a ClientRequestToken ($TOKEN)"
tui_wait "> Cancel <" 1; ok $? "the confirmation focuses Cancel"
[ "$(reqs "d['counts'].get('sagemaker.StartPipelineExecution', 0)")" = 0 ]; ok $? "nothing sent before OK"
tui_keys Tab Enter
tui_wait "tui-launch-1" 30; ok $? "the new execution appears in the executions"
n=0
until [ "$(reqs "d['counts'].get('sagemaker.StartPipelineExecution', 0)")" = 1 ] || [ $n -gt 40 ]; do
    sleep 0.1; n=$((n + 1))
done
[ "$(reqs "[r['params'] for r in d['requests'] if r['op'] == 'StartPipelineExecution'][0]['ClientRequestToken']")" = "$TOKEN" ]
ok $? "the server got exactly the token the confirmation showed"
[ "$(reqs "[r['params'] for r in d['requests'] if r['op'] == 'StartPipelineExecution'][0]['PipelineParameters']")" = "[{'Name': 'Epochs', 'Value': '3'}]" ]
ok $? "and the parameter (defaults are not sent)"
# (Filtered to it: which row the cursor is on as rows arrive is not this
# test's business.)
tui_wait "start-execution yolo11-train: done" 20
tui_keys /; tui_type "tui-launch-1"; tui_keys Enter; tui_wait "1/1" 10
tui_keys d; tui_wait "› dag" 5; ok $? "d opens the execution's DAG"
tui_wait "Execution Executing" 20; ok $? "the execution is live"
tui_wait "Epochs=3" 10; ok $? "the execution's parameters head the DAG"
tui_wait "✓ Preprocess" 30; ok $? "steps progress in the DAG (Preprocess succeeded)"
tui_wait "Execution Succeeded" 60; ok $? "the execution succeeds"
tui_wait "✓ RegisterModel" 5; ok $? "the If branch ran"
tui_keys j; tui_wait "Type     Training" 3; tui_keys l
tui_wait "Epoch 1/" 30; ok $? "l on the training step tails its job's logs"
tui_keys Escape k; tui_wait "Type     Processing" 3; tui_keys l
tui_wait "Processing complete" 30; ok $? "l on the processing step tails /aws/sagemaker/ProcessingJobs"
tui_keys Escape Escape Escape Escape; tui_wait "yolo11-train" 5

# Slow motion for this one, so the stop surely lands while it runs.
ctl config '{"time_scale": 0.2}' >/dev/null
launch tui-stop; ok $? "a second launch"
tui_keys x; tui_wait "Confirm: Stop execution"; ok $? "x asks to stop it"
tui_keys Tab Enter; tui_wait "Stopped" 40; ok $? "the execution is Stopped"
ctl config '{"time_scale": 1}' >/dev/null
[ "$(reqs "d['counts'].get('sagemaker.StopPipelineExecution', 0)")" = 1 ]; ok $? "one StopPipelineExecution"
tui_keys Escape; tui_wait "yolo11-train" 5
tui_wait_re "^yolo11-train  *Stopped " 10; ok $? "the pipelines list shows the last execution Stopped"

ctl outcomes '{"kind": "step", "step": "Train", "pipeline": "yolo11-train", "reason": "AlgorithmError: CUDA out of memory (tui test)", "count": 1}' >/dev/null
launch tui-fail; ok $? "a third launch (its Train step will fail)"
tui_keys d; tui_wait "› dag" 5
tui_wait "✗ Train" 60; ok $? "the failed step shows in the DAG"
tui_wait "Execution Failed" 30; ok $? "the execution fails"
tui_keys j; tui_wait "CUDA out of memory" 5; ok $? "the failed step's reason is in its details"
tui_keys Escape Escape; tui_wait_re "^yolo11-train  *Failed " 10; ok $? "and the pipelines list Failed"
launch tui-watch; ok $? "a fourth launch"
tui_keys Escape; tui_wait_re "^yolo11-train  *Executing " 10; ok $? "the pipelines list shows it Executing"
tui_wait_re "^yolo11-train  *Succeeded " 90; ok $? "and, left alone, refreshes itself until it Succeeded"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

ctl requests '' DELETE >/dev/null
tui_start 100 30 --endpoint-url "$URL" --read-only
tui_wait "READ-ONLY" 20; tui_wait "yolo11-train" 20; ok $? "--read-only session"
tui_keys s; tui_wait "read-only mode: 'Start execution' would change the account"; ok $? "s is refused before the form"
tui_gone "Start execution of" 1; ok $? "no form under --read-only"
tui_keys Enter; tui_wait "tui-fail" 10
tui_keys x; tui_wait "read-only mode: 'Stop execution'"; ok $? "x is refused"
tui_keys T; tui_wait "read-only mode: 'Retry execution'"; ok $? "T (retry) is refused"
tui_keys d; tui_wait "› dag" 5; tui_keys x; tui_wait "read-only mode: 'Stop execution'"; ok $? "x in the DAG is refused too"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"
[ "$(reqs "d['total'] > 0 and d['mutating'] == 0")" = True ]; ok $? "the server saw reads and no mutating request"
tui_done
