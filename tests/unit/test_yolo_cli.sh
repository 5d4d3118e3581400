#!/bin/sh
# mldeck infer: output formats, options, exit codes, --out / --raw-output,
# bad input.  Uses the demo model shipped in data/models and the shared
# test images.
BIN=${MLDECK_BIN:-./mldeck}
MODEL=${MLDECK_DATA_DIR:-data}/models/aerial4_yolo11n_320.onnx
IMG=${MLDECK_SHARED:-../shared}/models/images
if [ ! -f "$IMG/test_00.png" ] || [ ! -x "$BIN" ] || [ ! -f "$MODEL" ]; then
    echo "1..0 # SKIP needs \$MLDECK_SHARED images, the mldeck binary and data/models"
    exit 0
fi
T=$(mktemp -d /tmp/mldeck-infer-XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

"$BIN" infer >"$T/o" 2>"$T/e"; rc=$?
check "no arguments: usage, exit 2" "[ $rc -eq 2 ] && grep -q 'usage: mldeck infer' '$T/e'"
"$BIN" infer "$MODEL" "$IMG/test_00.png" --conf 2 >"$T/o" 2>"$T/e"; rc=$?
check "--conf 2 is a usage error (exit 2)" "[ $rc -eq 2 ] && grep -q 'invalid value' '$T/e'"
"$BIN" infer "$MODEL" "$IMG/test_00.png" --bogus >"$T/o" 2>"$T/e"; rc=$?
check "unknown option: exit 2" "[ $rc -eq 2 ]"
"$BIN" infer "$T/missing.onnx" "$IMG/test_00.png" >"$T/o" 2>"$T/e"; rc=$?
check "missing model: exit 3 with the path" "[ $rc -eq 3 ] && grep -q 'missing.onnx' '$T/e'"
"$BIN" infer "$IMG/test_00.png" "$IMG/test_00.png" >"$T/o" 2>"$T/e"; rc=$?
check "an image given as the model: exit 1, not ONNX" "[ $rc -eq 1 ] && grep -q 'not a valid ONNX' '$T/e'"

"$BIN" infer "$MODEL" "$IMG/test_00.png" >"$T/o" 2>"$T/e"; rc=$?
check "text output: exit 0" "[ $rc -eq 0 ]"
check "text output: 9 detections on test_00" "[ \$(wc -l <'$T/o') -eq 9 ]"
check "text output: 'class conf x1 y1 x2 y2' lines" \
    "! grep -vqE '^[a-z]+ [01]\.[0-9]{4} [0-9]+\.[0-9] [0-9]+\.[0-9] [0-9]+\.[0-9] [0-9]+\.[0-9]\$' '$T/o'"
check "text output: the best detection is Ultralytics' (boat 0.8954 at 180.4 190.1 194.2 211.9)" \
    "head -1 '$T/o' | grep -qx 'boat 0.8954 180.4 190.1 194.2 211.9'"

"$BIN" infer "$MODEL" "$IMG/test_00.png" "$IMG/test_06.jpg" --json --threads 1 >"$T/j1" 2>"$T/e"; rc=$?
check "--json: exit 0" "[ $rc -eq 0 ]"
check "--json: one line per image" "[ \$(wc -l <'$T/j1') -eq 2 ]"
cat >"$T/check.py" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for line in lines:
    o = json.loads(line)
    assert list(o) == ["image", "width", "height", "detections", "timing_ms"], list(o)
    assert isinstance(o["width"], int) and isinstance(o["height"], int)
    assert list(o["timing_ms"]) == ["preprocess", "inference", "postprocess"]
    for d in o["detections"]:
        assert list(d) == ["class_id", "class_name", "confidence", "box"], list(d)
        x1, y1, x2, y2 = d["box"]
        assert 0 <= x1 <= x2 <= o["width"] and 0 <= y1 <= y2 <= o["height"], d
        assert d["class_name"] in ("vehicle", "person", "building", "boat")
        assert 0.25 < d["confidence"] <= 1
a, b = json.loads(lines[0]), json.loads(lines[1])
assert a["width"] == 320 and b["width"] == 640 and b["height"] == 360
assert len(a["detections"]) == 9, len(a["detections"])
PY
check "--json: the documented keys, in order; boxes inside the image" "/usr/bin/python3 '$T/check.py' '$T/j1'"
"$BIN" infer "$MODEL" "$IMG/test_00.png" "$IMG/test_06.jpg" --json --threads 2 >"$T/j2" 2>/dev/null
# Splitting the work differently changes the float summation order, so the
# numbers may differ in the last printed digit, never more.
cat >"$T/same.py" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert len(a) == len(b)
for x, y in zip(a, b):
    assert len(x["detections"]) == len(y["detections"])
    for d, e in zip(x["detections"], y["detections"]):
        assert d["class_id"] == e["class_id"] and abs(d["confidence"] - e["confidence"]) < 1e-5
        assert all(abs(p - q) < 1e-2 for p, q in zip(d["box"], e["box"]))
PY
check "--threads 1 and 2 give the same detections" "/usr/bin/python3 '$T/same.py' '$T/j1' '$T/j2'"

"$BIN" infer "$MODEL" "$IMG/test_00.png" --max-det 3 >"$T/o" 2>/dev/null
check "--max-det 3: three lines" "[ \$(wc -l <'$T/o') -eq 3 ]"
"$BIN" infer "$MODEL" "$IMG/test_00.png" --conf 0.85 >"$T/o" 2>/dev/null
check "--conf 0.85: only the five above 0.85" "[ \$(wc -l <'$T/o') -eq 5 ]"
"$BIN" infer "$MODEL" "$IMG/test_00.png" --conf 0.001 --iou 0.3 >"$T/o" 2>/dev/null
"$BIN" infer "$MODEL" "$IMG/test_00.png" --conf 0.001 >"$T/o2" 2>/dev/null
check "--iou 0.3 suppresses more than 0.7" "[ \$(wc -l <'$T/o') -lt \$(wc -l <'$T/o2') ]"

"$BIN" infer "$MODEL" "$IMG/test_06.png" --out "$T/ann.png" --raw-output "$T/raw.bin" >/dev/null 2>"$T/e"; rc=$?
check "--out/--raw-output: exit 0" "[ $rc -eq 0 ]"
check "--out writes a 640x360 PNG" \
    "/usr/bin/python3 -c 'import struct,sys; d=open(sys.argv[1],\"rb\").read(24); assert d[:8]==b\"\\x89PNG\\r\\n\\x1a\\n\" and struct.unpack(\">II\", d[16:24])==(640,360)' '$T/ann.png'"
check "--raw-output holds [1, 8, 2100] float32" "[ \$(wc -c <'$T/raw.bin') -eq 67200 ]"
mkdir "$T/outdir"
"$BIN" infer "$MODEL" "$IMG/test_00.png" "$IMG/test_01.jpg" --out "$T/outdir" >/dev/null 2>&1
check "--out DIR with several images writes DIR/<name>.png" "[ -s '$T/outdir/test_00.png' ] && [ -s '$T/outdir/test_01.png' ]"
"$BIN" infer "$MODEL" "$IMG/test_00.png" "$IMG/test_01.jpg" --out "$T/x.png" >/dev/null 2>&1; rc=$?
check "--out FILE with several images: usage error" "[ $rc -eq 2 ]"

head -c 9000 "$IMG/test_00.jpg" >"$T/trunc.jpg"
"$BIN" infer "$MODEL" "$T/trunc.jpg" "$IMG/test_00.png" >"$T/o" 2>"$T/e"; rc=$?
check "truncated JPEG: exit 1 with a clear message" "[ $rc -eq 1 ] && grep -q 'trunc.jpg: corrupt or truncated JPEG' '$T/e'"
check "the other image is still processed, lines prefixed by its path" "[ \$(grep -c '^$IMG/test_00.png boat' '$T/o') -ge 1 ]"

# a SageMaker-style model.tar.gz
mkdir -p "$T/pkg/weights" "$T/tmp"
cp "$MODEL" "$T/pkg/weights/best.onnx"
echo "epochs: 1" >"$T/pkg/args.yaml"
tar -czf "$T/model.tar.gz" -C "$T/pkg" .
"$BIN" infer "$MODEL" "$IMG/test_00.png" >"$T/plain" 2>/dev/null
TMPDIR="$T/tmp" "$BIN" infer "$T/model.tar.gz" "$IMG/test_00.png" >"$T/o" 2>"$T/e"; rc=$?
check "model.tar.gz: the .onnx inside is used" "[ $rc -eq 0 ] && cmp -s '$T/o' '$T/plain'"
check "model.tar.gz: the unpacked copy is removed" "[ -z \"\$(ls -A '$T/tmp')\" ]"
echo "not a tar" | gzip >"$T/bad.tar.gz"
"$BIN" infer "$T/bad.tar.gz" "$IMG/test_00.png" >"$T/o" 2>"$T/e"; rc=$?
check "a .tar.gz without a model: exit 1, clear message" "[ $rc -eq 1 ] && grep -q 'no .onnx file in the archive' '$T/e'"

# OpenBLAS is loaded by the engine when a model is, not by every command.
LD_DEBUG=libs "$BIN" --version >/dev/null 2>"$T/ld"
check "a command that runs no model does not load OpenBLAS" "! grep -q 'libopenblas' '$T/ld'"
LD_DEBUG=bindings "$BIN" infer "$MODEL" "$IMG/test_00.png" --threads 1 >/dev/null 2>"$T/ld"
check "OpenBLAS reads its thread count from mldeck's own globals (no thread pool)" \
    "grep -q \"libopenblas.*to .*mldeck.*symbol .blas_num_threads'\" '$T/ld'"
MLDECK_OPENBLAS="$T/no-such-openblas.so" "$BIN" infer "$MODEL" "$IMG/test_00.png" >"$T/o" 2>"$T/e"; rc=$?
check "OpenBLAS missing: exit 1, says what to install" \
    "[ $rc -eq 1 ] && grep -q 'cannot load OpenBLAS' '$T/e' && grep -q 'libopenblas0' '$T/e' && [ ! -s '$T/o' ]"

echo "1..$n"
[ $fails -eq 0 ]
