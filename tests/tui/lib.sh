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
#   tui_mlflow_server ARGS...  the MLflow test server (BASE = its URL)
#   tui_aws_server ARGS...     the fake AWS server (URL = its URL); then
#   ctl PATH [BODY [METHOD]]   its control endpoint, and reqs EXPR over
#                              its request log `d`

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
    [ -n "$TUI_SERVER_PID" ] && kill "$TUI_SERVER_PID" 2>/dev/null
    [ -n "$TUI_TMP" ] && rm -rf "$TUI_TMP"
}

# tui_wait_file FILE: polls up to 10 s for FILE to be non-empty.
tui_wait_file() {
    n=0
    while [ ! -s "$1" ] && [ $n -lt 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    [ -s "$1" ]
}

# tui_port_of FILE: the N of the first "PORT N" line a test server writes to
# FILE, waiting up to 10 s for it; empty when none came.
tui_port_of() {
    n=0
    while ! grep -q "^PORT " "$1" 2>/dev/null && [ $n -lt 200 ]; do
        sleep 0.05
        n=$((n + 1))
    done
    sed -n 's/^PORT \([0-9]*\).*/\1/p' "$1" 2>/dev/null | head -n 1
}

# The MLflow test server (tests/servers/mlflow_server.py --port 0 ARGS) in
# the background, stopped at exit; BASE is its URL.  The whole test is
# skipped when it does not start.
tui_mlflow_server() {
    /usr/bin/python3 "${MLDECK_SRCDIR:-.}/tests/servers/mlflow_server.py" --port 0 "$@" \
        >"$TUI_TMP/server.out" 2>"$TUI_TMP/server.err" &
    TUI_SERVER_PID=$!
    PORT=$(tui_port_of "$TUI_TMP/server.out")
    if [ -z "$PORT" ]; then
        echo "1..0 # SKIP the MLflow test server did not start"
        exit 0
    fi
    BASE="http://127.0.0.1:$PORT"
}

# The fake AWS server (tests/servers/aws_server.py ARGS, which checks every
# request against the official models in MLDECK_SHARED) in the background;
# URL is its URL.  Skipped without the models or /usr/bin/python3.
tui_aws_server() {
    SHARED=${MLDECK_SHARED:-${MLDECK_SRCDIR:-.}/../shared}
    if [ ! -d "$SHARED/aws-models" ] || [ ! -x /usr/bin/python3 ]; then
        echo "1..0 # SKIP no aws-models under $SHARED (or no /usr/bin/python3)"
        exit 0
    fi
    MLDECK_SHARED=$SHARED /usr/bin/python3 "${MLDECK_SRCDIR:-.}/tests/servers/aws_server.py" \
        --port-file "$TUI_TMP/port" "$@" >/dev/null 2>"$TUI_TMP/server.err" &
    TUI_SERVER_PID=$!
    if ! tui_wait_file "$TUI_TMP/port"; then
        echo "1..0 # SKIP the fake AWS server did not start: $(head -c 300 "$TUI_TMP/server.err")"
        exit 0
    fi
    URL="http://127.0.0.1:$(cat "$TUI_TMP/port")"
}

# ctl PATH [BODY [METHOD]]: the fake AWS server's control endpoint, JSON out.
ctl() {
    /usr/bin/python3 - "$URL/__control/$1" "${2:-}" "${3:-}" <<'PY'
import sys, urllib.request
url, body, method = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, data=body.encode() if body else None,
                             method=method or ('POST' if body else 'GET'))
print(urllib.request.urlopen(req).read().decode())
PY
}

# reqs EXPR: a Python expression over the fake AWS server's request log `d`.
reqs() {
    ctl requests | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
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
    tui_wait_grep -F "$@"
}

# The same for an extended regular expression ("^name  *Failed ").
tui_wait_re() {
    tui_wait_grep -E "$@"
}

tui_wait_grep() {
    how=$1
    shift
    limit=$(( ${2:-10} * 20 ))
    n=0
    while [ $n -lt $limit ]; do
        if tmx capture-pane -p 2>/dev/null | grep -q "$how" -- "$1"; then
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
