#!/bin/sh
# The experiments pane on the demo workspace: runs table, the column picker
# (kept per experiment), marks, the metric chart with two runs (one of them
# diverged: NaN markers, not zeros), x axis / smoothing / log keys, p writes
# a PNG, the compare view, F evaluated over the cache (a bad expression is
# an error), L to the training job, and model version -> run.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init experiments_demo

# j, then wait for the screen to change (slow builds lag behind the keys).
step_down() {
    before=$(tui_screen)
    tui_keys j
    n=0
    while [ "$(tui_screen)" = "$before" ] && [ $n -lt 100 ]; do
        sleep 0.02
        n=$((n + 1))
    done
}

tui_start 120 34 --demo
tui_wait "yolo11-train" 20; ok $? "demo opens"
tui_keys 4; tui_wait "drone-detection-ablation"; ok $? "4 opens the experiments"
tui_screen | grep -q "Lifecycle Runs"; ok $? "experiments show a Runs column"
tui_screen | grep "drone-detection-yolo11 " | grep -q "active  *44 "; ok $? "run count of the main experiment (44 active runs)"
tui_keys :; tui_type "filter name:ablation"; tui_keys Enter
tui_wait "1/1"; ok $? "one experiment: drone-detection-ablation"
tui_keys Enter; tui_wait "drone-detection-ablation › runs"; ok $? "Enter opens its runs"
tui_wait "ablate-lr0-0.1" 5; ok $? "runs listed (the diverged run among them)"
tui_screen | grep -q "mAP50-95"; ok $? "metric columns of the kind shown"

# Column picker: add the param lr0 and the metric val/cls_loss.
tui_keys c; tui_wait "Columns: Space toggles"; ok $? "c opens the column picker"
tui_screen | grep -q "metric  train/box_loss"; ok $? "picker lists metric keys of the cached runs"
tui_screen | grep -q "param   amp"; ok $? "picker lists param keys"
# walk to "param   lr0" and toggle it
i=0
while [ $i -lt 80 ]; do
    sel=$(tmux -L "$TUI_SOCK" capture-pane -p -e | grep "param   lr0 " | grep -c "\[7m\|\[48")
    [ "$sel" -gt 0 ] && break
    step_down
    i=$((i + 1))
done
tui_keys Space
tui_wait "[x] param   lr0"; ok $? "Space toggles lr0 on"
tui_keys c; tui_gone "Columns: Space toggles"; ok $? "c applies and closes"
tui_wait "kept for this experiment"; ok $? "the choice is kept"
tui_screen | sed -n 4p | grep -q "lr0"; ok $? "lr0 is a column now"
tui_screen | grep "ablate-lr0-0.1" | grep -q "0\.1"; ok $? "the run's lr0 value shows (0.1)"
tui_keys Escape; tui_wait "experiments"; tui_keys Enter
tui_wait "ablate-baseline" 5; tui_screen | sed -n 4p | grep -q "lr0"; ok $? "leaving and coming back keeps the column"
tui_keys :; tui_type "sort lr0"; tui_keys Enter
tui_wait "sort:lr0↑"; ok $? "sort by the chosen column"
tui_screen | sed -n 10p | grep -q "ablate-lr0-0.1"; ok $? "ascending: lr0 0.1 comes last"
tui_keys R; tui_wait "sort:lr0↓"
tui_screen | sed -n 5p | grep -q "ablate-lr0-0.1"; ok $? "R: lr0 0.1 comes first"
tui_keys '?'; tui_wait "Help: keys in force"
i=0
while [ $i -lt 10 ] && ! tui_screen | grep -q "server-filter"; do
    tui_keys NPage; sleep 0.1; i=$((i + 1))
done
tui_screen | grep -q "MLflow runs (before Lists) keys"; ok $? "? lists the runs keys"
tui_screen | grep -q "F          server-filter"; ok $? "? shows F (server-filter)"
tui_keys Escape; tui_gone "Help: keys in force"

# Marks and the chart of train/box_loss for the diverged run and the baseline.
tui_keys /; tui_type "ablate-lr0-0.1"; tui_keys Enter; tui_wait "1/1"
tui_keys Space; tui_wait "1 run marked"; ok $? "Space marks a run"
tui_keys Escape; tui_wait "ablate-baseline"
tui_keys /; tui_type "ablate-baseline"; tui_keys Enter; tui_wait "1/1"
tui_keys Space; tui_wait "2 runs marked"; ok $? "a second run marked"
tui_keys Escape; tui_wait "(2 marked)"; ok $? "the breadcrumb counts the marks"
tui_screen | grep -q "●"; ok $? "marked rows show a mark"
tui_keys m; tui_wait "Pick a metric"; ok $? "m opens the metric picker"
i=0
while [ $i -lt 40 ]; do
    tmux -L "$TUI_SOCK" capture-pane -p -e | grep "train/box_loss" | grep -q "\[7m\|\[48" && break
    step_down
    i=$((i + 1))
done
tui_keys Enter
tui_wait "train/box_loss  x:step"; ok $? "the chart of train/box_loss"
tui_wait "■ ablate-lr0-0.1 (2 NaN ×)" 5; ok $? "legend: the diverged run with its NaN count"
tui_screen | grep -q "■ ablate-baseline"; ok $? "legend: the baseline"
tui_screen | grep -q "⠁\|⠉\|⠒\|⠤\|⣀"; ok $? "braille lines drawn"
tui_screen | sed -n 5,8p | grep -q "×"; ok $? "NaN points are markers on the top row"
tui_screen | grep -q "└┬"; ok $? "x axis with ticks"
tui_keys x; tui_wait "x:wall time"; ok $? "x: wall time"
tui_keys x; tui_wait "x:relative time"; ok $? "x: relative time"
tui_keys x; tui_wait "x:step"; ok $? "x: back to step"
tui_keys s s s; tui_wait "smooth:0.30"; ok $? "s raises the smoothing"
tui_keys L; tui_wait "log y"; ok $? "L: log y"
tui_keys o; tui_wait "outliers:p5-p95"; ok $? "o: ignore outliers"
tui_keys + ; tui_wait "zoom"; ok $? "+ zooms in"
tui_keys 0 ; tui_gone "  zoom"; ok $? "0 resets the zoom"
tui_keys p; tui_wait "chart written to"; ok $? "p writes a PNG"
f=$(ls "$TUI_TMP"/state/mldeck/charts/*.png 2>/dev/null | head -1)
[ -n "$f" ] && [ "$(head -c 4 "$f" | tail -c 3)" = "PNG" ]; ok $? "the PNG is under XDG_STATE_HOME/mldeck/charts"

# Compare.
tui_keys Escape; tui_wait "(2 marked)"
tui_keys x; tui_wait "compare"; ok $? "x opens the comparison"
tui_screen | grep -q "≠ lr0"; ok $? "lr0 differs and is marked"
tui_screen | grep "batch" | grep -vq "≠"; ok $? "equal params are not marked"
tui_keys D; tui_wait "(differences only)"; ok $? "D shows differences only"
tui_gone " batch "; ok $? "equal rows hidden"
tui_keys Escape

# F over the cache (demo), bad expressions.
tui_keys F; tui_type 'params.lr0 = "0.1"'; tui_keys Enter
tui_wait "1 run match (evaluated over the cached runs)"; ok $? "F evaluates the expression"
tui_wait '[F: params.lr0 = "0.1"]'; ok $? "the breadcrumb shows the search"
tui_keys Escape; tui_wait "ablate-baseline"; ok $? "Esc clears the search"
tui_keys F; tui_type 'metrics.train/box_loss > 1'; tui_keys Enter
tui_wait "nothing sent"; ok $? "a bad expression is an error"

# L: run -> training job (yolo11 experiment), model version -> run.
tui_keys :; tui_type "runs yolo11n-640-e60-rl7a"; tui_keys Enter
tui_wait "1/1" 5
tui_keys L; tui_wait "training jobs"; ok $? "L on a run opens its training job"
tui_wait "pipelines-0i7udt88fqpy-TrainYOLO" 5; ok $? "the job named by the run's tag"
tui_keys :; tui_type "models"; tui_keys Enter; tui_wait "drone-yolo11" 5
tui_keys Enter; tui_wait "versions" 5; ok $? "a model's versions"
tui_keys G L; tui_wait "runs" 5; tui_wait "1/1" 5; ok $? "L on a version opens its source run"

tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "q quits"

# Monochrome in the C locale: one marker character per run, NaN as '!'.
TUI_ENV="NO_COLOR=1 LANG=C LC_ALL=C"
tui_start 100 30 --demo
tui_wait "yolo11-train" 20
tui_keys :; tui_type "runs ablate"; tui_keys Enter; tui_wait "/6" 5
tui_keys Space Space Space; tui_wait "3 runs marked"
tui_keys m; tui_wait "Pick a metric"
tui_keys G; tui_wait "> 3 runs > chart"
i=0
while [ $i -lt 40 ] && ! tmux -L "$TUI_SOCK" capture-pane -p -e | grep "train/box_loss" | grep -q "\[7m"; do
    before=$(tui_screen); tui_keys k
    n=0; while [ "$(tui_screen)" = "$before" ] && [ $n -lt 100 ]; do sleep 0.02; n=$((n + 1)); done
    i=$((i + 1))
done
tui_keys Enter; tui_wait "train/box_loss  x:step"; ok $? "chart in monochrome"
tui_wait "* ablate-baseline  o ablate-lr0-0.1 (2 NaN !)  + ablate-mixup" 5; ok $? "legend: one marker per run, NaN count"
tui_screen | grep -q "[*]" && tui_screen | grep -q "[+]" && tui_screen | grep -q "o"; ok $? "the lines are drawn with the markers"
tui_screen | grep -q "++---"; ok $? "ASCII axes"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"
tui_done
