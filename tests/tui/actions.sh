#!/bin/sh
# Kind actions: one confirmation dialog (Cancel by default), the demo's
# refusal, --read-only's refusal, the keys file (remapping and its errors
# with line numbers) and y (OSC 52 copy).
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init actions

open_executions() {
    tui_wait "yolo11-train" 20 || return 1
    tui_keys :; tui_type "filter name:yolo11-train"; tui_keys Enter
    tui_wait "1/1" || return 1
    tui_keys Enter
    tui_wait "yolo11-train › executions"
}

tui_start 100 30 --demo
open_executions; ok $? "executions of yolo11-train"
tui_keys x; tui_wait "Confirm: Stop execution"; ok $? "x asks for confirmation"
tui_wait "> Cancel <" 1; ok $? "the dialog focuses Cancel"
tui_wait "[ OK ]" 1; ok $? "OK is not focused"
tui_keys Enter; tui_wait "Stop execution cancelled"; ok $? "Enter right away cancels"
tui_gone "Confirm: Stop execution" 1; ok $? "the dialog is gone"
tui_keys x; tui_wait "Confirm: Stop execution"; tui_keys Escape
tui_wait "Stop execution cancelled"; ok $? "Esc cancels"
tui_keys x; tui_wait "Confirm: Stop execution"; tui_keys Tab
tui_wait "> OK <"; ok $? "Tab moves the focus to OK"
tui_keys Enter; tui_wait "the demo workspace cannot"; ok $? "OK in the demo: the provider's refusal is shown"
tmx set-option -g set-clipboard on
tui_keys y; tui_wait "copied arn:aws:sagemaker:"; ok $? "y copies the execution ARN (OSC 52)"
n=0
until tmx show-buffer 2>/dev/null | grep -q "^arn:aws:sagemaker:eu-west-1:111122223333:pipeline/yolo11-train/execution/" || [ $n -gt 100 ]; do
    sleep 0.05
    n=$((n + 1))
done
tmx show-buffer 2>/dev/null | grep -q "^arn:aws:sagemaker:eu-west-1:111122223333:pipeline/yolo11-train/execution/"
ok $? "the OSC 52 sequence reached the terminal's clipboard (tmux buffer)"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

tui_start 100 30 --demo --read-only --insecure
tui_wait "READ-ONLY" 20; ok $? "header shows READ-ONLY"
tui_wait "INSECURE TLS" 1; ok $? "header warns about --insecure"
open_executions; ok $? "executions of yolo11-train (read-only)"
tui_keys x; tui_wait "read-only mode: 'Stop execution' would change the account"; ok $? "--read-only refuses with a clear message"
tui_gone "Confirm:" 1; ok $? "no dialog under --read-only"
tui_keys '?'; tui_wait "refused: read-only"; ok $? "help marks refused actions"
tui_keys Escape q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"

cat >"$TUI_TMP/config/mldeck/keys" <<'KEYS'
# operators inside tmux move keys around
bind J down
unbind j
bind C-t stop-execution
frobnicate the keys
bind K nosuchaction
KEYS
tui_start 100 30 --demo
tui_wait "keys:5: unknown directive 'frobnicate'" 20; ok $? "keys file errors name the line (5)"
tui_wait "yolo11-train" 1; ok $? "the screen still opens"
tui_keys J; tui_wait "2/4"; ok $? "J (bound) moves down"
tui_keys j; sleep 0.2; tui_wait "2/4" 1; ok $? "j (unbound) does nothing"
tui_keys '?'; tui_wait "unbound in the keys file"; ok $? "help shows the unbound key"
tui_keys G; tui_wait "line 6: unknown action 'nosuchaction'"; ok $? "help lists every bad line (6)"
tui_keys Escape
tui_keys :; tui_type "filter name:yolo11-train"; tui_keys Enter; tui_wait "1/1"
tui_keys Enter; tui_wait "yolo11-train › executions"
tui_keys C-t; tui_wait "Confirm: Stop execution"; ok $? "C-t (bound to stop-execution) opens the dialog"
tui_keys Escape q; tui_wait "MLDECK-EXITED rc=0"; ok $? "quit"
tui_done
