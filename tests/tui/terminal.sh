#!/bin/sh
# Terminal behaviour: resize down to 40x10 and below, quit / Ctrl-C / a
# crash signal all restore the terminal, NO_COLOR, 8 colours, ASCII.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init terminal

esc=$(printf '\033')

tui_start 80 24 --demo
tui_wait "yolo11-train" 20; ok $? "80x24: pipelines shown"
tui_wait "Description" 1; ok $? "80x24: all pipeline columns fit"
tmx resize-window -x 40 -y 10
tui_gone "Description"; ok $? "40x10: wide columns dropped"
tui_wait "yolo11-train" 2; ok $? "40x10: rows still shown"
tui_wait "mldeck" 1; ok $? "40x10: header kept"
tui_keys j; tui_wait "2/4"; ok $? "40x10: keys still work"
tmx resize-window -x 30 -y 8
tui_wait "too small: 30x8, need 40x10"; ok $? "30x8: says the terminal is too small"
tmx resize-window -x 80 -y 24
tui_wait "Description"; ok $? "back to 80x24: full table again"
tui_wait "2/4" 1; ok $? "selection kept across resizes"
tui_keys j; tui_wait "3/4"; ok $? "keys work after the resizes"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "q quits with status 0"
[ "$(tmx display -p '#{alternate_on}')" = 0 ]; ok $? "q leaves the alternate screen"
tui_wait "icanon" 2; ok $? "q restores canonical mode (stty icanon)"

tui_start 80 24 --demo
tui_wait "yolo11-train" 20
tui_keys C-c; tui_wait "MLDECK-EXITED"; ok $? "Ctrl-C quits"
[ "$(tmx display -p '#{alternate_on}')" = 0 ]; ok $? "Ctrl-C leaves the alternate screen"
tui_screen | grep -qx "icanon"; ok $? "Ctrl-C restores the terminal modes"

tui_start 80 24 --demo
tui_wait "yolo11-train" 20
# The pane runs sh -c '...mldeck...'; mldeck is its child (no pgrep needed).
ppid=$(tmx display -p '#{pane_pid}')
pid=""
for st in /proc/[0-9]*/status; do
    if grep -q "^PPid:[[:space:]]*$ppid\$" "$st" 2>/dev/null && grep -q "^Name:[[:space:]]*mldeck" "$st" 2>/dev/null; then
        pid=$(basename "$(dirname "$st")")
    fi
done
[ -n "$pid" ] && kill -SEGV "$pid"
tui_wait "MLDECK-EXITED rc=139"; ok $? "SIGSEGV: the process dies of the signal (status 139)"
[ "$(tmx display -p '#{alternate_on}')" = 0 ]; ok $? "SIGSEGV: alternate screen left"
tui_screen | grep -qx "icanon"; ok $? "SIGSEGV: terminal modes restored"

# Colours: present by default, none under NO_COLOR or --no-color.
tui_start 80 24 --demo
tui_wait "yolo11-train" 20
tmx capture-pane -e -p | grep -q "${esc}\[\(3[0-7]\|4[0-7]\|38;5;\|48;5;\)"; ok $? "256 colours: colour escapes on screen"
tui_keys q
TUI_ENV="NO_COLOR=1" tui_start 80 24 --demo
tui_wait "yolo11-train" 20; ok $? "NO_COLOR: screen shown"
! tmx capture-pane -e -p | grep -q "${esc}\[\(3[0-7]\|4[0-7]\|38;5;\|48;5;\|[0-9;]*;3[0-7]m\|[0-9;]*;4[0-7]m\)"; ok $? "NO_COLOR: no colour escapes"
tmx capture-pane -e -p | grep -q "${esc}\[7m"; ok $? "NO_COLOR: the selection is reverse video"
tui_keys q
tui_start 80 24 --demo --no-color
tui_wait "yolo11-train" 20
! tmx capture-pane -e -p | grep -q "${esc}\[\(3[0-7]\|4[0-7]\|38;5;\|48;5;\)"; ok $? "--no-color: no colour escapes"
tui_keys q
TUI_ENV="TERM=screen" tui_start 80 24 --demo
tui_wait "yolo11-train" 20; ok $? "TERM=screen (8 colours): screen shown"
! tmx capture-pane -e -p | grep -q "38;5;"; ok $? "8 colours: no 256-colour escapes"
tmx capture-pane -e -p | grep -q "${esc}\[\(3[0-7]\|4[0-7]\)"; ok $? "8 colours: basic colour escapes"
tui_keys q

# Box drawing: UTF-8 by default, ASCII with --ascii or a non-UTF-8 locale.
tui_start 80 24 --demo
tui_wait "yolo11-train" 20
tui_keys Enter; tui_wait "executions"
tui_wait "› executions" 1; ok $? "UTF-8: breadcrumb separator ›"
tui_keys q
tui_start 80 24 --demo --ascii
tui_wait "yolo11-train" 20
tui_keys Enter; tui_wait "executions"
tui_wait " > executions" 1; ok $? "--ascii: breadcrumb separator >"
tui_keys '?'; tui_wait "+- Help"; ok $? "--ascii: boxes drawn with + and -"
tui_keys Escape q
TUI_ENV="LANG=C LC_ALL=C" tui_start 80 24 --demo
tui_wait "yolo11-train" 20
tui_keys Enter; tui_wait "executions"
tui_wait " > executions" 1; ok $? "C locale: ASCII separators"
tui_keys q; tui_wait "MLDECK-EXITED rc=0"; ok $? "C locale: quits"
tui_done
