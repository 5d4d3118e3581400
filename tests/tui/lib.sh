# Shared by the terminal tests: runs the real mldeck inside a private tmux
# server (its own socket, a temporary HOME and XDG folders) at a fixed
# size, sends keys and polls capture-pane until the expected text shows.
# Never sleeps a fixed long time: every wait is a poll with a timeout.
#
#   . "$MLDECK_SRCDIR/tests/tui/lib.sh"
#   tui_init NAME              (skips the whole file when tmux is missing)
#   tui_start W H [ARGS...]    mldeck ARGS in a W x H window
#   tui_keys KEY...            tmux send-keys (key names: Enter Escape C-c...)
#   tui_type TEXT              literal text
#   tui_wait TEXT [SECONDS]    0 when TEXT appears on screen in time
#   tui_gone TEXT [SECONDS]    0 when TEXT has left the screen in time
#   tui_screen                 the screen as text
#   ok COND_STATUS NAME        TAP line from the last command's status
#   tui_done                   plan line, cleanup, exit status

TUI_N=0
TUI_FAILED=0

tui_init() {
    TUI_NAME=$1
    if ! command -v tmux >/dev/null 2>&1; then
        echo "1..0 # SKIP tmux is not installed"
        exit 0
    fi
    : "${MLDECK_BIN:=${MLDECK_BUILDDIR:-.}/mldeck}"
    if [ ! -x "$MLDECK_BIN" ]; then
        echo "1..0 # SKIP no mldeck binary at $MLDECK_BIN"
        exit 0
    fi
    : "${MLDECK_DATA_DIR:=${MLDECK_SRCDIR:-.}/data}"
    TUI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mldeck-tui.XXXXXX")
    mkdir -p "$TUI_TMP/home" "$TUI_TMP/config/mldeck" "$TUI_TMP/cache" "$TUI_TMP/state"
    TUI_SOCK="mldeck-$TUI_NAME-$$"
    trap tui_cleanup EXIT INT TERM
}

tui_cleanup() {
    tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1
    [ -n "$TUI_TMP" ] && rm -rf "$TUI_TMP"
}

tmx() {
    tmux -L "$TUI_SOCK" "$@"
}

# Extra environment for the next tui_start: TUI_ENV="NO_COLOR=1 TERM=screen"
tui_start() {
    w=$1
    h=$2
    shift 2
    tmx kill-server >/dev/null 2>&1
    # Wait for the old server to be gone before starting the next one.
    n=0
    while tmx has-session >/dev/null 2>&1 && [ $n -lt 50 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    args=""
    for a in "$@"; do
        args="$args '$a'"
    done
    tmx -f /dev/null new-session -d -x "$w" -y "$h" \
        "env -i PATH=/usr/bin:/bin HOME='$TUI_TMP/home' XDG_CONFIG_HOME='$TUI_TMP/config' \
XDG_CACHE_HOME='$TUI_TMP/cache' XDG_STATE_HOME='$TUI_TMP/state' LANG=C.UTF-8 LC_ALL=C.UTF-8 \
TERM=tmux-256color MLDECK_DATA_DIR='$MLDECK_DATA_DIR' $TUI_ENV '$MLDECK_BIN' $args; \
echo \"MLDECK-EXITED rc=\$?\"; stty -a | tr ' ' '\n' | grep -x -e icanon -e -icanon; sleep 600"
    tmx set-option -g remain-on-exit on >/dev/null 2>&1
}

tui_keys() {
    tmx send-keys "$@"
}

tui_type() {
    tmx send-keys -l -- "$1"
}

tui_screen() {
    tmx capture-pane -p
}

tui_wait() {
    limit=$(( ${2:-10} * 20 ))
    n=0
    while [ $n -lt $limit ]; do
        if tmx capture-pane -p 2>/dev/null | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.05
        n=$((n + 1))
    done
    echo "# timed out waiting for: $1"
    tmx capture-pane -p 2>/dev/null | sed 's/^/#   | /'
    return 1
}

tui_gone() {
    limit=$(( ${2:-10} * 20 ))
    n=0
    while [ $n -lt $limit ]; do
        if ! tmx capture-pane -p 2>/dev/null | grep -qF -- "$1"; then
            return 0
        fi
        sleep 0.05
        n=$((n + 1))
    done
    echo "# still on screen: $1"
    tmx capture-pane -p 2>/dev/null | sed 's/^/#   | /'
    return 1
}

ok() {
    st=$1
    shift
    TUI_N=$((TUI_N + 1))
    if [ "$st" -eq 0 ]; then
        echo "ok $TUI_N - $*"
    else
        echo "not ok $TUI_N - $*"
        TUI_FAILED=$((TUI_FAILED + 1))
    fi
}

tui_done() {
    echo "1..$TUI_N"
    [ "$TUI_FAILED" -eq 0 ]
    exit $?
}
