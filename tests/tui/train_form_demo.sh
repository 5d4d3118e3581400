#!/bin/sh
# The job describe on the demo workspace at 80x24: a completed training
# job's timeline (each secondary status with its bar, fitted to 80
# columns) and final metrics, a failed job's failure reason, a processing
# job's inputs and outputs; the ASCII fallback and NO_COLOR; `n` and
# `:train` are refused by the demo before any form opens.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init train_form_demo

# open_job FILTER: the training jobs filtered, the first row described.
open_job() {
    tui_keys :; tui_type "training-jobs $1"; tui_keys Enter
    tui_wait "Training jobs" 5 >/dev/null || tui_wait "training jobs" 5
    tui_keys d
}

tui_start 80 24 --demo
tui_wait "pipelines" 10
open_job "status:Completed"
tui_wait "✓ Completed" 5; ok $? "a completed demo job: its status with a glyph"
tui_screen | grep -q "Spot .*saved [0-9]*%\|Spot .*on-demand"; ok $? "spot or on-demand, with the saving"
tui_keys /; tui_type "Timeline"; tui_keys Enter
tui_wait "Timeline (secondary status" 5; ok $? "a timeline"
tui_wait "Training image download completed" 3; ok $? "the transitions with their status messages"
tui_screen | grep -q "^  Training  *[0-9:]* [0-9:]*  *[0-9hms]*  [·█]*█[·█]*$"
ok $? "a Training row: start, end, duration, a bar that fits 80 columns"
tui_screen | grep -q "^  Downloading "; ok $? "a Downloading row"
tui_keys /; tui_keys C-u; tui_type "Final metrics"; tui_keys Enter
tui_wait "mAP50-95" 3; ok $? "the final metrics"
tui_keys /; tui_keys C-u; tui_type "FinalMetricDataList"; tui_keys Enter
tui_wait "/FinalMetricDataList: line" 3; ok $? "the raw JSON is below and searchable"
tui_keys Escape Escape
open_job "status:Failed"
tui_wait "✗ Failed" 5; ok $? "a failed demo job"
tui_screen | grep -q "^Failure  *[A-Za-z]"; ok $? "shows its failure reason near the top"
tui_keys Escape
tui_keys n; tui_wait "the demo workspace cannot create training job" 5; ok $? "n is refused in the demo"
tui_gone "New training job" 1; ok $? "before the form opens"
tui_keys j; tui_gone "the demo workspace cannot" 3
tui_keys :; tui_type "train"; tui_keys Enter
tui_wait "the demo workspace cannot create training job" 5; ok $? ":train is refused in the demo too"
tui_keys Escape
tui_keys :; tui_type "processing-jobs"; tui_keys Enter
tui_wait "Processing jobs" 5 >/dev/null || true
tui_keys d
tui_wait "Instances" 5; ok $? "a processing job's describe"
tui_keys /; tui_keys C-u; tui_type "Timeline"; tui_keys Enter
tui_wait "Timeline (from the job's times" 5; ok $? "its times as a timeline"
tui_keys /; tui_keys C-u; tui_type "Inputs"; tui_keys Enter
tui_wait "← s3://" 3; ok $? "its inputs"
tui_keys /; tui_keys C-u; tui_type "Outputs"; tui_keys Enter
tui_wait "→ s3://" 3; ok $? "and outputs"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

tui_start 80 24 --demo --ascii
tui_wait "pipelines" 10
open_job "status:Completed"
tui_wait "+ Completed" 5; ok $? "--ascii: the status glyph is ASCII"
tui_keys /; tui_type "Timeline"; tui_keys Enter
tui_wait "Timeline (secondary status" 5; ok $? "--ascii: the timeline"
tui_wait "Training image download completed" 3
tui_screen | grep -q "^  Training  *[0-9:]* [0-9:]*  *[0-9hms]*  [.#]*#[.#]*$"; ok $? "--ascii: the bars are # and ."
! tui_screen | grep -q "█\|·\|✓"; ok $? "--ascii: no UTF-8 glyphs"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"

TUI_ENV="NO_COLOR=1"
tui_start 80 24 --demo
tui_wait "pipelines" 10
open_job "status:Failed"
tui_wait "✗ Failed" 5; ok $? "NO_COLOR: the status glyph carries the meaning"
tui_keys /; tui_type "Timeline"; tui_keys Enter
tui_wait "Timeline (secondary status" 3; ok $? "NO_COLOR: the timeline"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"
tui_done
