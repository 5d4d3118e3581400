#!/bin/sh
# The inference pane (6 / :inference) on the demo workspace: the shipped
# model runs on the first demo image on a worker, the detection list is the
# one `mldeck infer` prints for the same image, TP/FP/miss agree with an
# independent matching of that output against the YOLO labels, n/p, c/C
# (post-processing only), Enter highlight, the file prompt with Tab
# completion, the pickers, help, resizes, and the colour modes.
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init infer_pane

esc=$(printf '\033')
PY=/usr/bin/python3
DATA=$MLDECK_DATA_DIR
MODEL=$DATA/models/aerial4_yolo11n_320.onnx
VAL=$DATA/demo/images/images/val
if [ ! -f "$MODEL" ] || [ ! -d "$VAL" ] || [ ! -x "$PY" ]; then
    echo "1..0 # SKIP no shipped model, demo images or python3"
    exit 0
fi

# What the screen must show for IMAGE at CONF: the list rows as the pane
# formats them and the TP/FP/miss counts, computed here from the CLI's JSON
# and the label file with a matcher of our own (greedy by confidence,
# class-aware, IoU >= 0.5).
expect() {
    "$MLDECK_BIN" infer "$MODEL" "$1" --json --conf "$2" --threads 1 >"$TUI_TMP/cli.json" || return 1
    "$PY" - "$TUI_TMP/cli.json" "$3" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
W, H = r["width"], r["height"]
labels = []
try:
    for line in open(sys.argv[2]):
        f = line.split()
        if len(f) == 5:
            c, cx, cy, w, h = int(f[0]), *map(float, f[1:])
            labels.append((c, max(0, (cx - w / 2) * W), max(0, (cy - h / 2) * H),
                           min(W, (cx + w / 2) * W), min(H, (cy + h / 2) * H)))
except OSError:
    pass
def iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0]); ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0: return 0
    i = iw * ih
    return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i)
dets = r["detections"]
used = [False] * len(labels); state = {}
for k in sorted(range(len(dets)), key=lambda k: -dets[k]["confidence"]):
    d = dets[k]; best = -1; bi = 0.5
    for j, l in enumerate(labels):
        if used[j] or l[0] != d["class_id"]: continue
        v = iou(d["box"], l[1:])
        if v >= bi and (best < 0 or v > bi): best, bi = j, v
    state[k] = "TP" if best >= 0 else "FP"
    if best >= 0: used[best] = True
for k, d in enumerate(dets):
    print("ROW %-11.11s %.3f %5.0f %5.0f %5.0f %5.0f %s" % ((d["class_name"], d["confidence"]) + tuple(d["box"]) + (state[k] if labels else "",)))
print("COUNT %d" % len(dets))
if labels:
    print("TPFP TP %d  FP %d  miss %d" % (sum(v == "TP" for v in state.values()), sum(v == "FP" for v in state.values()), used.count(False)))
EOF
}

# Every expected row on screen (the list is wide enough at 120 columns).
rows_on_screen() {
    missing=0
    tui_screen >"$TUI_TMP/screen.txt"
    grep '^ROW ' "$TUI_TMP/expect.txt" | head -n "${2:-12}" | sed 's/^ROW //; s/ *$//' >"$TUI_TMP/rows.txt"
    while IFS= read -r row; do
        grep -qF -- "$row" "$TUI_TMP/screen.txt" || { echo "# missing row: $row"; missing=1; }
    done <"$TUI_TMP/rows.txt"
    [ -s "$TUI_TMP/rows.txt" ] && [ $missing -eq 0 ]
}

IMG0=$VAL/val_0000.jpg
LAB0=$DATA/demo/images/labels/val/val_0000.txt
expect "$IMG0" 0.25 "$LAB0" >"$TUI_TMP/expect.txt"; ok $? "mldeck infer --json on val_0000.jpg (reference)"
n0=$(sed -n 's/^COUNT //p' "$TUI_TMP/expect.txt")

tui_start 120 36 --demo
tui_wait "yolo11-train" 20
tui_keys 6
tui_wait "inference" 5; ok $? "6 opens the inference pane"
tui_wait "Detections: $n0 " 30; ok $? "the shipped model runs on the first demo image ($n0 detections)"
tui_wait "model aerial4_yolo11n_320.onnx (320x320, 4 classes)" 1; ok $? "model name, input size and classes shown"
tui_wait "image val_0000.jpg 320x320 [1/" 1; ok $? "image name, size and place in the folder shown"
tui_wait "latency: preprocess" 1; ok $? "latency shown"
tui_wait "inference " 1 && tui_wait " ms  postprocess " 1; ok $? "inference and postprocess times shown"
rows_on_screen; ok $? "the detection list is the CLI's (class, confidence, box in image pixels, TP/FP)"
tpfp=$(sed -n 's/^TPFP //p' "$TUI_TMP/expect.txt")
tui_wait "$tpfp" 1; ok $? "TP/FP/miss against the labels: $tpfp"
tui_wait "IoU 0.5" 1; ok $? "the IoU threshold is shown"
tui_screen | grep -q " miss$"; ok $? "missed labels are listed"
tmx capture-pane -e -p | grep -q "${esc}\[38;5;[0-9]*m${esc}\[48;5;[0-9]*m▀"; ok $? "256 colours: half blocks with palette fg/bg"
tui_screen | grep -q "building"; ok $? "class names drawn"

# c / C: the threshold moves and only the post-processing runs again.
expect "$IMG0" 0.3 "$LAB0" >"$TUI_TMP/expect.txt"
n3=$(sed -n 's/^COUNT //p' "$TUI_TMP/expect.txt")
tui_keys c
tui_wait "Detections: $n3  (conf >= 0.30)" 5; ok $? "c raises the threshold to 0.30 ($n3 detections, as the CLI with --conf 0.3)"
rows_on_screen; ok $? "c: the list is the CLI's at --conf 0.3"
tui_wait "$(sed -n 's/^TPFP //p' "$TUI_TMP/expect.txt")" 1; ok $? "c: TP/FP/miss recomputed"
tui_keys C C
expect "$IMG0" 0.2 "$LAB0" >"$TUI_TMP/expect.txt"
n2=$(sed -n 's/^COUNT //p' "$TUI_TMP/expect.txt")
tui_wait "Detections: $n2  (conf >= 0.20)" 5; ok $? "C C lowers it to 0.20 ($n2 detections)"
rows_on_screen; ok $? "C: the list is the CLI's at --conf 0.2"
tui_keys c

# Selection and highlight.
tui_keys j Enter
tui_wait "building 0.846 at 250,79-274,113" 3; ok $? "j then Enter highlights the second detection (status line)"
tui_screen | grep -q "^.*\* building    0.846"; ok $? "the highlighted row is marked"
tui_keys Enter

# n / p walk the folder.
IMG1=$VAL/val_0010.jpg
expect "$IMG1" 0.25 "$DATA/demo/images/labels/val/val_0010.txt" >"$TUI_TMP/expect.txt"
n1=$(sed -n 's/^COUNT //p' "$TUI_TMP/expect.txt")
tui_keys n
tui_wait "image val_0010.jpg 320x320 [2/" 20; ok $? "n opens the next image"
tui_wait "Detections: $n1 " 20; ok $? "n: $n1 detections"
rows_on_screen; ok $? "n: the list is the CLI's for val_0010.jpg"
tui_keys p
tui_wait "image val_0000.jpg 320x320 [1/" 20; ok $? "p goes back"
tui_keys p
tui_wait "[8/8]" 20; ok $? "p from the first wraps to the last"

# r re-runs.
tui_keys r
tui_wait "detections in" 20; ok $? "r runs the model again"

# i: the prompt with file-name completion.
tui_keys i
tui_wait "image>" 3; ok $? "i opens the image prompt"
tui_wait "Tab completes" 1; ok $? "the prompt says Tab completes"
tui_keys C-u
tui_type "$DATA/demo/images/images/tr"
tui_keys Tab
tui_wait "images/train/" 3; ok $? "Tab completes a folder"
tui_keys Tab
tui_wait "train_0000.jpg  train_0016.jpg" 3; ok $? "Tab again lists the folder's files"
tui_type "000"
tui_keys Tab Enter
tui_wait "image train_0000.jpg" 20; ok $? "Enter opens the typed image"
tui_wait "detections in" 20; ok $? "and runs the model on it"
tui_keys i C-u
tui_type "/nonexistent/x.jpg"
tui_keys Enter
tui_wait "/nonexistent/x.jpg: no such file" 3; ok $? "a missing file is reported"
tui_keys i Escape
tui_gone "image>" 3; ok $? "Esc closes the prompt"

# Leaving the pane while a job runs and coming back: the result arrives.
tui_keys i C-u
tui_type "$VAL/val_0040.jpg"
tui_keys Enter 3 6
tui_wait "image val_0040.jpg 320x320" 20; ok $? "a job started before leaving the pane reports to the pane opened again"

# o: empty = the shipped model.
tui_keys o C-u Enter
tui_wait "model aerial4_yolo11n_320.onnx" 20; ok $? "o + Enter (empty) loads the shipped model"

# Pickers: a dataset image (the demo's local copy), a training job's model.
tui_keys I
tui_wait "(Enter chooses)" 10; ok $? "I lists the dataset objects to choose from"
tui_wait "datasets/aerial4/images/" 20; ok $? "I: image objects listed"
tui_keys Enter
tui_wait "image " 5 && tui_wait "detections in" 20; ok $? "I + Enter opens the object (demo: its local copy)"
tui_gone "(Enter chooses)" 3; ok $? "the picker closes"
tui_gone "running..." 20
tui_keys m
tui_wait "(Enter chooses)" 10; ok $? "m lists training jobs"
tui_wait "Completed" 20
tui_keys Enter
tui_wait "downloads need an AWS account" 5; ok $? "m + Enter in the demo: downloads need an account"
tui_wait "model aerial4_yolo11n_320.onnx" 3; ok $? "the shipped model stays loaded"

# Help and the palette.
# The help lists every context: page down to the pane's section.
help_find() {
    k=0
    while [ $k -lt 12 ]; do
        tui_screen | grep -qF -- "$1" && return 0
        tui_keys PageDown
        sleep 0.1
        k=$((k + 1))
    done
    tui_wait "$1" 1
}
tui_keys '?'
help_find "Inference pane keys"; ok $? "? has an inference section"
help_find "open-model" && help_find "conf-up" && help_find "highlight"; ok $? "? lists the pane's keys"
tui_keys q
tui_keys 3
tui_wait "yolo11-train" 5
tui_keys :
tui_type "inference"
tui_keys Enter
tui_wait "Detections: " 10; ok $? ":inference comes back to the pane, result kept"

# Resizes while an image is shown.
tmx resize-window -x 80 -y 24
tui_wait "Detections:" 5; ok $? "80x24: the list moves under the image"
tui_screen | grep -q "▀"; ok $? "80x24: image still drawn"
tmx resize-window -x 40 -y 10
tui_wait "model" 5; ok $? "40x10: pane still drawn"
tmx resize-window -x 30 -y 8
tui_wait "too small" 5; ok $? "30x8: too small"
tmx resize-window -x 120 -y 36
tui_wait "Detections:" 5; ok $? "back to 120x36"
tui_keys n
tui_wait "detections in" 20; ok $? "keys work after the resizes"
tui_keys q
tui_wait "MLDECK-EXITED rc=0" 10; ok $? "q quits with status 0"

# Truecolor: 24-bit colour written after curses' frame.
TUI_ENV="COLORTERM=truecolor" tui_start 100 30 --demo
tui_wait "yolo11-train" 20
tui_keys 6
tui_wait "Detections:" 30
sleep 0.3
tmx capture-pane -e -p | grep -q "${esc}\[38;2;[0-9]*;[0-9]*;[0-9]*;48;2;[0-9]*;[0-9]*;[0-9]*m▀\|${esc}\[38:2::[0-9]*:[0-9]*:[0-9]*m${esc}\[48:2::\|${esc}\[38;2;[0-9]*;[0-9]*;[0-9]*m${esc}\[48;2;"
ok $? "COLORTERM=truecolor: 24-bit colour half blocks"
tui_keys '?'
tui_wait "Help: keys" 3
tui_keys q
tui_gone "Help: keys" 3
tui_wait "Detections:" 3; ok $? "truecolor: help over the image and back"
# Every image cell is 24-bit again, after the help and after c/C/j moved
# things beside and on the image (curses rewrote those lines in 256 colours).
pal256() { tmx capture-pane -e -p | grep -o "38;5;[0-9]*m${esc}\[48;5;[0-9]*m▀" | wc -l; }
sleep 0.3
[ "$(pal256)" -eq 0 ]; ok $? "truecolor: no 256-colour image cell left after the help"
tui_keys c; tui_wait "conf >= 0.30" 3; sleep 0.3
tui_keys j; sleep 0.3
[ "$(pal256)" -eq 0 ]; ok $? "truecolor: none left after c and j either"

# 8 colours and monochrome: a luminance ramp.
TUI_ENV="TERM=screen" tui_start 100 30 --demo
tui_wait "yolo11-train" 20
tui_keys 6
tui_wait "Detections:" 30; ok $? "TERM=screen (8 colours): pane shown"
! tmx capture-pane -e -p | grep -q "38;5;\|▀"; ok $? "8 colours: no 256-colour escapes, no half blocks"
tui_screen | grep -q '[-:=+*#%@]\{8\}'; ok $? "8 colours: the image as a character ramp"
TUI_ENV="NO_COLOR=1" tui_start 100 30 --demo
tui_wait "yolo11-train" 20
tui_keys 6
tui_wait "Detections:" 30; ok $? "NO_COLOR: pane shown"
! tmx capture-pane -e -p | grep -q "${esc}\[\(3[0-7]\|4[0-7]\|38;\|48;\)"; ok $? "NO_COLOR: no colour escapes"
tui_screen | grep -q '[-:=+*#%@]\{8\}'; ok $? "NO_COLOR: the image as a character ramp"

tui_done
