#!/bin/sh
# The pipelines pane's detail views on the demo workspace, at 80x24: the
# DAG of an execution (d), its steps' details and failure reasons, Enter to
# the job behind a step, the log tail (l: t, /, G), the metrics (m), the
# lineage to the MLflow run (L), the launch form refused by the demo before
# it opens, retry on T, ASCII and NO_COLOR renderings.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init pipelines_demo

open_execution() {
    tui_keys :; tui_type "executions name:$1"; tui_keys Enter
    tui_wait "1/1" 10
}

tui_start 80 24 --demo
tui_wait "yolo11-train" 20; ok $? "demo opens on the pipelines"
tui_wait "Last status" 1; ok $? "the pipelines list has a last status column at 80 columns"
tui_screen | grep -q "^label-export  *Succeeded "; ok $? "a pipeline's last execution status"
tui_screen | grep -q "^yolo11-train  *Executing "; ok $? "a running one's"
tui_keys s; tui_wait "the demo workspace cannot"; ok $? "s on a pipeline: the demo refuses before any form"
tui_gone "Start execution of" 1; ok $? "no launch form opened"

open_execution yolo11n-320-e50-zgvr; ok $? "a failed yolo11-train execution"
tui_keys T; tui_wait "Confirm: Retry execution"; ok $? "T asks to retry the execution"
tui_keys Escape; tui_wait "Retry execution cancelled"; ok $? "retry cancelled"
tui_keys d; tui_wait "graph derived from the demo"; ok $? "d opens the DAG (derived in the demo)"
tui_wait "✗ Preprocess" 5; ok $? "the failed step shows its glyph"
tui_wait "Failure  AlgorithmError: See job" 2; ok $? "the failed step's reason is in the details"
tui_wait "Execution Failed" 1; ok $? "the execution's status heads the view"
tui_wait "Step failure: One or multiple steps failed." 1; ok $? "the execution's failure reason"
tui_wait "· TrainYOLO" 1; ok $? "steps that did not run are drawn as not started"
tui_keys G; tui_wait "┌ if " 2; ok $? "the condition's If branch is labelled (G: last step)"
tui_wait "┌ else " 1; ok $? "and its Else branch"
tui_keys d; tui_wait '"PipelineExecutionArn"'; ok $? "d in the DAG shows the execution's JSON"
tui_keys Escape; tui_wait "› dag"; ok $? "Esc back to the DAG"
tui_keys J; tui_wait '"PipelineExecutionStatus"'; ok $? "J shows it too"
tui_keys Escape; tui_wait "› dag"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

tui_start 80 24 --demo
tui_wait "yolo11-train" 20
open_execution yolo11n-640-e80-5ewg
tui_keys d; tui_wait "✓ Preprocess"; ok $? "a succeeded execution's DAG"
tui_keys j; tui_wait "Type     Training"; ok $? "j selects the training step"
tui_wait "Enter: job  l: logs  m: metrics" 1; ok $? "the details offer the job's views"
tui_keys Enter; tui_wait "training jobs  /Name:pipelines-"; ok $? "Enter opens the job behind the step"
tui_wait "Completed" 5; ok $? "the job's row is there"
tui_keys Escape Escape; tui_wait "› dag"; ok $? "back to the DAG"
tui_keys j j; tui_wait "Outcome  True"; ok $? "the condition step shows its outcome"
tui_keys Escape; tui_wait "executions" 5
tui_keys Enter; tui_wait "› steps" 5; ok $? "Enter opens the execution's steps"
tui_wait "Ended" 1; ok $? "the steps list shows when each ended"
tui_keys :; tui_type "filter job:preprocess"; tui_keys Enter
tui_wait "1/1" 5; ok $? "job:... finds the step by its processing job (the column's second path)"
tui_screen | grep -q "^Preprocess "; ok $? "the Preprocess step"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

tui_start 80 24 --demo
tui_wait "yolo11-train" 20
tui_keys :; tui_type "training-jobs"; tui_keys Enter
tui_wait "training jobs" 10
tui_keys l; tui_wait "following"; ok $? "l tails the training job's logs"
tui_wait "640: 100%" 5; ok $? "Ultralytics epoch lines"
tui_screen | grep -q "^[01][0-9]-[0-3][0-9] [0-2][0-9]:"; ok $? "lines start with their timestamps"
tui_keys t; tui_wait "timestamps off"; ok $? "t hides the timestamps"
tui_screen | grep -q "^[01][0-9]-[0-3][0-9] [0-2][0-9]:"; [ $? -ne 0 ]; ok $? "no timestamps shown"
tui_keys /; tui_type "Ultralytics"; tui_keys Enter
tui_wait "/Ultralytics: line"; ok $? "/ finds a line"
tui_wait "lines  scrolled" 1; ok $? "a match scrolls away from the tail"
tui_keys G; tui_wait "following new lines"; ok $? "G follows again"
tui_keys w; tui_wait "wrap off"; ok $? "w toggles wrapping"
tui_keys Escape m; tui_wait "metrics/mAP50B"; ok $? "m charts the job's metrics (the MLflow run in the demo)"
tui_wait "(x: epoch)" 2; ok $? "the selected metric is drawn large"
tui_keys Escape L; tui_wait "training jobs › runs  /"; ok $? "L opens the MLflow run the job logged to"
tui_wait "RUNNING" 5; ok $? "the run is there"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

TUI_ENV="$TUI_ENV NO_COLOR=1" tui_start 80 24 --demo --ascii
tui_wait "yolo11-train" 20
open_execution yolo11n-640-e80-5ewg
tui_keys d; tui_wait "| + Preprocess"; ok $? "ASCII + NO_COLOR: status glyphs in ASCII"
tui_wait "+--------v--------+" 1; ok $? "ASCII boxes and arrows"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"
tui_done
