#!/bin/sh
# Replays the corpora of the MLflow fuzz targets (filter parser, meta.yaml
# reader, metric-file reader, chart series) through their MD_FUZZ_MAIN builds: each file
# must be handled without a crash.  TAP.
B=${MLDECK_BUILDDIR:-.}/tests/fuzz
S=${MLDECK_SRCDIR:-.}/tests/fuzz/corpus
n=0
fail=0
for t in mlflow_filter mlruns_yaml mlruns_metrics mlflow_series; do
    for f in "$S/$t"/*; do
        n=$((n + 1))
        if "$B/replay_$t" "$f"; then
            echo "ok $n - $t $(basename "$f")"
        else
            echo "not ok $n - $t $(basename "$f")"
            fail=1
        fi
    done
done
echo "1..$n"
exit $fail
