#!/bin/sh
# Benchmark: list 2,000 training jobs from the local fake SageMaker with
# Debian's AWS CLI (`aws sagemaker list-training-jobs`) and with
# `mldeck ls training-jobs --json`, same server, same run; medians of REPS
# runs each, and the ratio.  Not part of `make check`.
#
#   tests/bench/list/run.sh            (REPS=5 JOBS=2000 by default)
#   MLDECK_BIN=/path/to/mldeck REPS=9 tests/bench/list/run.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${MLDECK_SRCDIR:-$(cd "$here/../../.." && pwd)}
reps=${REPS:-5}
jobs=${JOBS:-2000}
aws=${AWS_CLI:-/usr/bin/aws}
mldeck=${MLDECK_BIN:-}
if [ -z "$mldeck" ]; then
    for c in "$srcdir/mldeck" /work/build/*/mldeck; do
        [ -x "$c" ] && { mldeck=$c; break; }
    done
fi

[ -x "$aws" ] || { echo "bench/list: $aws not found (apt-get install awscli)"; exit 1; }

tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

printf '{"training_jobs": {"count": %d}}\n' "$jobs" > "$tmp/seed.json"
/usr/bin/python3 "$srcdir/tests/servers/aws_server.py" --seed "$tmp/seed.json" \
    --port-file "$tmp/port" >/dev/null 2>"$tmp/server.err" &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
    i=$((i + 1)); [ $i -gt 300 ] && { echo "bench/list: server did not start"; cat "$tmp/server.err"; exit 1; }
    sleep 0.1
done
port=$(cat "$tmp/port")
url="http://127.0.0.1:$port"

export AWS_ACCESS_KEY_ID=AKIDEXAMPLE
export AWS_SECRET_ACCESS_KEY='wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_PAGER=
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ENDPOINT_URL="$url"

# run_timed NAME CMD...: run CMD REPS times after one warm-up, print the
# median wall time in seconds; each run's stdout goes to $tmp/NAME.out.
run_timed() {
    name=$1; shift
    "$@" > "$tmp/$name.out" 2>"$tmp/$name.err" || return 1
    : > "$tmp/$name.times"
    r=0
    while [ $r -lt "$reps" ]; do
        t0=$(date +%s%N)
        "$@" > "$tmp/$name.out" 2>"$tmp/$name.err" || return 1
        t1=$(date +%s%N)
        echo $(( (t1 - t0) / 1000 )) >> "$tmp/$name.times"
        r=$((r + 1))
    done
    sort -n "$tmp/$name.times" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f\n", m/1e6}'
}

count_items() {
    /usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
if isinstance(d, dict):
    d = d.get("TrainingJobSummaries", d.get("items", d.get("rows", [])))
print(len(d))' "$1"
}

requests_since_reset() {
    curl -s "$url/__control/requests" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}

echo "bench/list: $jobs training jobs on awsfake at $url, $reps runs each (median)"

curl -s -X DELETE "$url/__control/requests" >/dev/null
aws_med=$(run_timed aws "$aws" --endpoint-url "$url" sagemaker list-training-jobs --output json) \
    || { echo "bench/list: aws failed:"; cat "$tmp/aws.err"; exit 1; }
aws_n=$(count_items "$tmp/aws.out")
aws_req=$(( $(requests_since_reset) / (reps + 1) ))
echo "aws sagemaker list-training-jobs: ${aws_med} s  ($aws_n jobs, $aws_req requests per run)"

if [ -n "$mldeck" ] && "$mldeck" ls --help >/dev/null 2>&1 && \
   "$mldeck" ls training-jobs --json --endpoint-url "$url" >/dev/null 2>&1; then
    export XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"
    curl -s -X DELETE "$url/__control/requests" >/dev/null
    md_med=$(run_timed mldeck sh -c 'rm -rf "$XDG_CACHE_HOME"; exec "$0" ls training-jobs --json --endpoint-url "$1"' "$mldeck" "$url") \
        || { echo "bench/list: mldeck failed:"; cat "$tmp/mldeck.err"; exit 1; }
    md_n=$(count_items "$tmp/mldeck.out")
    md_req=$(( $(requests_since_reset) / (reps + 1) ))
    echo "mldeck ls training-jobs --json (cold cache): ${md_med} s  ($md_n jobs, $md_req requests per run)"
    [ "$md_n" = "$aws_n" ] || echo "bench/list: WARNING: mldeck listed $md_n jobs, aws $aws_n"
    awk -v a="$aws_med" -v m="$md_med" 'BEGIN { printf "ratio aws/mldeck: %.1fx (goal: >= 30x)\n", a / m }'
else
    echo "mldeck ls training-jobs --json: pending (no mldeck binary with 'ls training-jobs' yet; set MLDECK_BIN)"
fi
