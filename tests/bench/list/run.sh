#!/bin/sh
# Benchmark: list 2,000 training jobs from the local fake SageMaker with
# Debian's AWS CLI (`aws sagemaker list-training-jobs`) and with
# `mldeck ls training-jobs --json`, same server, same run.  The two commands
# alternate (aws, mldeck, aws, mldeck...) so that load from elsewhere on the
# machine falls on both alike; medians and minimums of REPS runs each, and
# the ratio of the medians.  Every mldeck run starts with no cache (the
# folder is removed before the clock starts), so each run fetches every
# page from the server: nothing is reused between runs.  The goal is
# judged on that ratio.  For information it then times mldeck as an
# operator meets it after the first listing: with its cache, listing
# incrementally (the first page, then stopping at one it already had).
# Not part of `make check`.
#
#   tests/bench/list/run.sh            (REPS=9 JOBS=2000 by default)
#   MLDECK_BIN=/path/to/mldeck REPS=15 tests/bench/list/run.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${MLDECK_SRCDIR:-$(cd "$here/../../.." && pwd)}
reps=${REPS:-9}
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
export XDG_CACHE_HOME="$tmp/cache" XDG_STATE_HOME="$tmp/state" XDG_CONFIG_HOME="$tmp/config"

# timed NAME CMD...: runs CMD once, appends its wall time (microseconds) to
# $tmp/NAME.times; stdout to $tmp/NAME.out.
timed() {
    name=$1; shift
    t0=$(date +%s%N)
    "$@" > "$tmp/$name.out" 2>"$tmp/$name.err" || return 1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) >> "$tmp/$name.times"
}

# stats FILE: "median min" in seconds
stats() {
    sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f\n", m/1e6, a[1]/1e6}'
}

count_items() {
    /usr/bin/python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
if isinstance(d, dict):
    d = d.get("TrainingJobSummaries", d.get("items", d.get("rows", [])))
print(len(d))' "$1"
}

# requests_of OP-COUNT-KEY: requests logged since the last reset
requests() {
    curl -s "$url/__control/requests" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])'
}

have_mldeck=
if [ -n "$mldeck" ] && "$mldeck" ls --help >/dev/null 2>&1 && \
   "$mldeck" ls training-jobs --json --endpoint-url "$url" >/dev/null 2>&1; then
    have_mldeck=1
fi

rm -rf "$XDG_CACHE_HOME"
echo "bench/list: $jobs training jobs on awsfake at $url, $reps runs each, alternating"
# one warm-up each (the server builds its cached summaries on the first listing)
"$aws" --endpoint-url "$url" sagemaker list-training-jobs --output json >/dev/null
aws_req=0 md_req=0
r=0
while [ $r -lt "$reps" ]; do
    curl -s -X DELETE "$url/__control/requests" >/dev/null
    timed aws "$aws" --endpoint-url "$url" sagemaker list-training-jobs --output json \
        || { echo "bench/list: aws failed:"; cat "$tmp/aws.err"; exit 1; }
    aws_req=$(requests)
    if [ -n "$have_mldeck" ]; then
        curl -s -X DELETE "$url/__control/requests" >/dev/null
        timed mldeck "$mldeck" ls training-jobs --json --endpoint-url "$url" \
            || { echo "bench/list: mldeck failed:"; cat "$tmp/mldeck.err"; exit 1; }
        md_req=$(requests)
        # removed right after the run, not just before the next one: the
        # file system's own work for the deletion would land in that run
        rm -rf "$XDG_CACHE_HOME"
    fi
    r=$((r + 1))
done

set -- $(stats "$tmp/aws.times")
aws_med=$1 aws_min=$2
echo "aws sagemaker list-training-jobs: median ${aws_med} s, best ${aws_min} s  ($(count_items "$tmp/aws.out") jobs, $aws_req requests per run)"
if [ -z "$have_mldeck" ]; then
    echo "mldeck ls training-jobs --json: pending (no mldeck binary with 'ls training-jobs' yet; set MLDECK_BIN)"
    exit 0
fi
set -- $(stats "$tmp/mldeck.times")
md_med=$1 md_min=$2
md_n=$(count_items "$tmp/mldeck.out")
echo "mldeck ls training-jobs --json (no cache): median ${md_med} s, best ${md_min} s  ($md_n jobs, $md_req requests per run)"
[ "$md_n" = "$(count_items "$tmp/aws.out")" ] || echo "bench/list: WARNING: mldeck listed $md_n jobs, aws $(count_items "$tmp/aws.out")"
awk -v a="$aws_med" -v m="$md_med" -v am="$aws_min" -v mm="$md_min" \
    'BEGIN { printf "ratio aws/mldeck: %.1fx (medians), %.1fx (best runs); goal: >= 30x\n", a / m, am / mm }'

# With the cache of the previous listing (not alternating: aws has no cache).
"$mldeck" ls training-jobs --json --endpoint-url "$url" >/dev/null
curl -s -X DELETE "$url/__control/requests" >/dev/null
"$mldeck" ls training-jobs --json --endpoint-url "$url" >/dev/null
warm_req=$(requests)
r=0
while [ $r -lt "$reps" ]; do
    timed warm "$mldeck" ls training-jobs --json --endpoint-url "$url" \
        || { echo "bench/list: mldeck failed:"; cat "$tmp/warm.err"; exit 1; }
    r=$((r + 1))
done
set -- $(stats "$tmp/warm.times")
[ "$(count_items "$tmp/warm.out")" = "$md_n" ] || echo "bench/list: WARNING: the warm listing has $(count_items "$tmp/warm.out") jobs"
awk -v a="$aws_med" -v w="$1" -v r="$warm_req" \
    'BEGIN { printf "mldeck with its cache (incremental, %d requests): median %.3f s, %.0fx faster than aws (information only)\n", r, w, a / w }'
