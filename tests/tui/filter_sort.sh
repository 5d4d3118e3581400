#!/bin/sh
# The / filter (substring over visible columns, column:value) and the sort
# keys (< > R, :sort), with the sort shown in the header.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init filter_sort

# Row n (1-based) of the table body: line 4 is the column titles at 100x30.
row() {
    tui_screen | sed -n "$((4 + $1))p"
}

tui_start 100 30 --demo
tui_wait "yolo11-train" 20; ok $? "demo opens"
tui_wait "sort:Last run↓" 1; ok $? "header shows the default sort (last run, descending)"

tui_keys '>'; tui_wait "sort:Created↓"; ok $? "> moves the sort to the next visible column"
tui_keys R; tui_wait "sort:Created↑"; ok $? "R reverses it"
tui_keys '<'; tui_wait "sort:Last run↑"; ok $? "< moves back"
tui_keys :; tui_type "sort name"; tui_keys Enter
tui_wait "sort:Name↑"; ok $? ":sort name sorts by name ascending"
row 1 | grep -q "^data-preprocess"; ok $? "first row is data-preprocess"
row 4 | grep -q "^yolo11-train"; ok $? "last row is yolo11-train"
tui_keys :; tui_type "sort Name"; tui_keys Enter
tui_wait "sort:Name↓"; ok $? "the same column again reverses"
row 1 | grep -q "^yolo11-train"; ok $? "first row is now yolo11-train"

# Substring filter over the visible columns.
tui_keys /; tui_type "nightly"; tui_keys Enter
tui_wait "1/1"; ok $? "/nightly leaves one row"
row 1 | grep -q "^nightly-eval"; ok $? "the row is nightly-eval"
tui_keys Escape; tui_wait "1/4"; ok $? "Esc clears the filter"

# column:value on the executions of yolo11-train.
tui_keys :; tui_type "filter name:yolo11-train"; tui_keys Enter
tui_wait "1/1"; ok $? ":filter name:... picks one pipeline"
tui_keys Enter; tui_wait "yolo11-train › executions"; ok $? "drill into its executions"
tui_wait "Succeeded" 5; ok $? "executions shown"
tui_keys /; tui_type "status:Failed"; tui_keys Enter
tui_wait "/Status:Failed"; ok $? "the column filter shows in the breadcrumb line"
tui_gone "Succeeded"; ok $? "status:Failed hides the succeeded executions"
row 1 | grep -q "Failed"; ok $? "first row is a failed execution"
tui_keys / C-u; tui_type "st:x"; tui_keys Enter
tui_wait "ambiguous"; ok $? "an ambiguous column prefix is reported"
tui_keys /; tui_keys C-u; tui_type "no-such-execution"; tui_keys Enter
tui_wait 'No Executions match "no-such-execution"'; ok $? "an empty result says so"
tui_keys Escape; tui_wait "Succeeded"; ok $? "Esc clears it again"

tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "q quits"
tui_done
