#!/bin/sh
# Inference benchmark: the same model and input through ONNX Runtime
# (onnxruntime-node, CPU provider) and mldeck, at 1 and 2 threads, in the
# same run.  Rounds alternate the two engines so machine noise hits both;
# each round reports a median over REPS forward passes, the table shows the
# median of the round medians and the peak RSS.
#
#   tests/bench/infer/run.sh [MODEL] [INPUT_F32]
#   env: MLDECK_BUILDDIR (bench_yolo lives there), ROUNDS (5), REPS (20),
#        WARMUP (3), THREADS ("1 2"), BEFORE (another build's bench_yolo, e.g.
#        of an older commit: run in the same rounds and compared in a
#        second table)
set -e
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../.." && pwd)
shared=${MLDECK_SHARED:-$src/../shared}
model=${1:-$shared/models/yolo11n_nc80_randbn_640.onnx}
input=${2:-$shared/models/refs/yolo11n_nc80_randbn_640/test_06_png/input_f32.bin}
build=${MLDECK_BUILDDIR:-$PWD}
bench=$build/tests/bench/infer/bench_yolo
rounds=${ROUNDS:-5}
reps=${REPS:-20}
warmup=${WARMUP:-3}
threads=${THREADS:-1 2}

[ -x "$bench" ] || { echo "build it first: make tests/bench/infer/bench_yolo (in $build)"; exit 2; }
[ -d "$src/tests/node_modules/onnxruntime-node" ] ||
    { echo "install it first: npm install --ignore-scripts --prefix $src/tests"; exit 2; }
node -e "
const ort = require('$src/tests/node_modules/onnxruntime-node');
const b = ort.listSupportedBackends ? ort.listSupportedBackends() : [];
if (!b.some(x => x.name === 'cpu')) { console.error('onnxruntime-node has no CPU backend'); process.exit(1); }
console.log('onnxruntime-node backends: ' + b.map(x => x.name).join(', '));
"
echo "model: $model"
echo "input: $input"
echo "cpu:   $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$rounds rounds x $reps runs (after $warmup warm-up runs) per engine and thread count"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
    for t in $threads; do
        node "$here/ort_bench.js" "$model" "$input" "$t" "$warmup" "$reps" >>"$out"
        # as mldeck itself runs (ui/main.c): OpenBLAS single-threaded, no idle pool
        OPENBLAS_NUM_THREADS=1 "$bench" "$model" "$input" "$t" "$warmup" "$reps" >>"$out"
        if [ -n "$BEFORE" ]; then
            OPENBLAS_NUM_THREADS=1 "$BEFORE" "$model" "$input" "$t" "$warmup" "$reps" |
                sed 's/"engine": "mldeck"/"engine": "mldeck-before"/' >>"$out"
        fi
    done
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def eng(r): return r["engine"] if r["engine"].startswith("mldeck") else "ort"
agg = {}
for r in rows:
    a = agg.setdefault((eng(r), r["threads"]), {"med": [], "min": [], "rss": 0, "base": 0})
    a["med"].append(r["median_ms"]); a["min"].append(r["min_ms"])
    a["rss"] = max(a["rss"], r["peak_rss_kb"]); a["base"] = max(a["base"], r["base_rss_kb"])
print()
print("| threads | ONNX Runtime ms (median / best) | mldeck ms (median / best) | mldeck/ORT | ORT peak RSS MiB (node baseline) | mldeck peak RSS MiB |")
print("|---|---|---|---|---|---|")
for t in sorted({k[1] for k in agg}):
    o, m = agg[("ort", t)], agg[("mldeck", t)]
    om, mm = statistics.median(o["med"]), statistics.median(m["med"])
    print(f"| {t} | {om:.1f} / {min(o['min']):.1f} | {mm:.1f} / {min(m['min']):.1f} | {mm/om:.2f} "
          f"(best {min(m['min'])/min(o['min']):.2f}) | {o['rss']/1024:.0f} ({o['base']/1024:.0f}) | {m['rss']/1024:.0f} |")
if any(k[0] == "mldeck-before" for k in agg):
    print()
    print("| threads | before ms (median / best) | before/ORT | after ms (median / best) | after/before | peak RSS MiB before / after |")
    print("|---|---|---|---|---|---|")
    for t in sorted({k[1] for k in agg}):
        o, b, m = agg[("ort", t)], agg[("mldeck-before", t)], agg[("mldeck", t)]
        om, bm, mm = (statistics.median(x["med"]) for x in (o, b, m))
        print(f"| {t} | {bm:.1f} / {min(b['min']):.1f} | {bm/om:.2f} (best {min(b['min'])/min(o['min']):.2f}) | "
              f"{mm:.1f} / {min(m['min']):.1f} | {mm/bm:.2f} (best {min(m['min'])/min(b['min']):.2f}) | "
              f"{b['rss']/1024:.0f} / {m['rss']/1024:.0f} |")
PY
