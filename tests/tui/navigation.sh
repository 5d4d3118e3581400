#!/bin/sh
# Panes 1..6, drill-in and back with the breadcrumb, describe, the help
# overlay, the command palette with completion, and quit.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init navigation

tui_start 100 30 --demo
tui_wait "yolo11-train" 20; ok $? "demo opens on the pipelines pane"
tui_wait "DEMO" 1; ok $? "header says DEMO"
tui_wait "profile:demo" 1; ok $? "header shows the demo profile"

tui_keys 1; tui_wait " datasets"; ok $? "1 opens the datasets pane"
tui_keys 2; tui_wait " labeling jobs"; ok $? "2 opens the labeling pane"
tui_keys 4; tui_wait " experiments"; ok $? "4 opens the experiments pane"
tui_keys 5; tui_wait " monitoring schedules"; ok $? "5 opens the drift pane"
tui_keys 6; tui_wait " inference"; ok $? "6 opens the inference pane"
tui_keys j k; tui_wait " inference" 1; ok $? "keys on that pane do not crash it"
tui_keys 3; tui_wait "yolo11-train"; ok $? "3 comes back to pipelines"

# Drill in: select yolo11-train with the filter, Enter opens its executions.
tui_keys /; tui_type "yolo11-train"; tui_keys Enter
tui_wait "/yolo11-train"; ok $? "filter shows in the breadcrumb line"
tui_keys Enter; tui_wait "pipelines › yolo11-train › executions"; ok $? "Enter drills into executions (breadcrumb)"
tui_wait "Succeeded" 2; ok $? "executions listed with their status"
tui_keys Enter; tui_wait "› steps"; ok $? "Enter drills into steps"
tui_keys Escape; tui_gone "› steps"; ok $? "Esc goes back to executions"
tui_wait "yolo11-train › executions" 1; ok $? "breadcrumb back to executions"
tui_keys Escape; tui_gone "› executions"; ok $? "Esc goes back to pipelines"

# Describe: the cached object as JSON, search with / and n.
tui_keys d; tui_wait "› describe"; ok $? "d opens describe"
tui_wait '"PipelineArn": "arn:aws:sagemaker:' 2; ok $? "describe shows the API object as indented JSON"
tui_keys /; tui_type "RoleArn"; tui_keys Enter
tui_wait "/RoleArn: line"; ok $? "search in describe finds the line"
tui_keys n; tui_wait "/RoleArn: line"; ok $? "n repeats the search"
tui_keys /; tui_type "no-such-text-anywhere"; tui_keys Enter
tui_wait "not found"; ok $? "a missing search term is reported"
tui_keys Escape; tui_gone "› describe"; ok $? "Esc leaves describe"

# Help overlay from the key table, with the kind's actions.
tui_keys '?'; tui_wait "Help: keys in force"; ok $? "? opens the help overlay"
tui_wait "start-execution" 1; ok $? "help lists the kind's actions"
tui_keys G; tui_wait "Keys file:"; ok $? "G scrolls help to its end"
tui_keys Escape; tui_gone "Help: keys in force"; ok $? "Esc closes help"

# Command palette with completion.
tui_keys :; tui_type "pipeline-e"; tui_keys Tab
tui_wait ":pipeline-executions"; ok $? "Tab completes a unique kind name"
tui_keys Enter; tui_wait " executions"; ok $? ":pipeline-executions opens every execution"
tui_keys :; tui_type "p"; tui_keys Tab
tui_wait "pipeline-executions  pipeline-steps" 2; ok $? "Tab lists the candidates for an ambiguous prefix"
tui_keys C-u; tui_type "runs"; tui_keys Enter
tui_wait " runs"; ok $? ":runs opens the runs"
tui_keys :; tui_type "executions status:Failed"; tui_keys Enter
tui_wait "/Status:Failed"; ok $? ":executions status:Failed opens executions filtered"
tui_gone "Succeeded"; ok $? "only failed executions are listed"
tui_keys r; tui_wait "Executions refreshed"; ok $? "r refreshes and says when it is done"
tui_keys :; tui_type "pl"; tui_keys Enter
tui_wait "yolo11-train"; ok $? ":pl (alias) opens pipelines"
tui_keys :; tui_type "nonsense"; tui_keys Enter
tui_wait "unknown command"; ok $? "an unknown command is reported"
tui_keys :; tui_type "q"; tui_keys Enter
tui_wait "MLDECK-EXITED rc=0"; ok $? ":q quits with status 0"

tui_done
