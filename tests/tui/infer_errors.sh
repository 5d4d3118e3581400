#!/bin/sh
# The inference pane with bad input: a corrupt and a truncated image, a
# corrupt model, a model that does not exist, malformed labels.  Each gives
# a clear message and the pane stays usable (the next key still works).
. "${MLDECK_SRCDIR:-.}/tests/tui/lib.sh"
tui_init infer_errors

DATA=$MLDECK_DATA_DIR
VAL=$DATA/demo/images/images/val
if [ ! -f "$DATA/models/aerial4_yolo11n_320.onnx" ] || [ ! -d "$VAL" ]; then
    echo "1..0 # SKIP no shipped model or demo images"
    exit 0
fi

# A folder of images in name order: a_bad.jpg (garbage), b_good.jpg,
# c_trunc.jpg (cut in half), d_labels.jpg with a malformed label file.
IMG=$TUI_TMP/imgs
mkdir -p "$IMG"
head -c 3000 /dev/urandom >"$IMG/a_bad.jpg"
printf '\377\330\377\340garbage after a JPEG header' >>"$IMG/a_bad.jpg"
cp "$VAL/val_0000.jpg" "$IMG/b_good.jpg"
size=$(wc -c <"$VAL/val_0010.jpg")
head -c $((size / 2)) "$VAL/val_0010.jpg" >"$IMG/c_trunc.jpg"
cp "$VAL/val_0020.jpg" "$IMG/d_labels.jpg"
printf '0 0.5 0.5 0.1\n' >"$IMG/d_labels.txt"
head -c 5000 /dev/urandom >"$TUI_TMP/broken.onnx"

tui_start 120 36 --demo
tui_wait "yolo11-train" 20
tui_keys 6
tui_wait "Detections:" 30; ok $? "pane open, shipped model ran"

tui_keys i C-u
tui_type "$IMG/a_bad.jpg"
tui_keys Enter
tui_wait "image a_bad.jpg:" 20; ok $? "a corrupt image: the error names the image"
tui_screen | grep -q "image a_bad.jpg: .*\(JPEG\|corrupt\|Not a\)"; ok $? "a corrupt image: the error says why"
tui_wait "(no image: see the error above)" 2; ok $? "no stale image is drawn for it"
tui_keys n
tui_wait "image b_good.jpg 320x320 [2/4]" 20; ok $? "n still works after the error"
tui_wait "detections in" 20; ok $? "the next image runs"

tui_keys n
tui_wait "image c_trunc.jpg:" 20; ok $? "a truncated JPEG: clear error"
tui_keys p
tui_wait "image b_good.jpg 320x320" 20; ok $? "p back to a good image"

tui_keys n n
tui_wait "image d_labels.jpg 320x320" 20; ok $? "an image with malformed labels still runs"
tui_wait "labels: " 5 && tui_wait "line 1" 2; ok $? "the label file's error is shown (names the line)"

tui_keys o C-u
tui_type "$TUI_TMP/broken.onnx"
tui_keys Enter
tui_wait "still using aerial4_yolo11n_320.onnx: model " 20; ok $? "a corrupt model: error, the previous model stays"
tui_screen | grep -q "broken.onnx"; ok $? "the error names the model file"
tui_keys r
tui_wait "detections in" 20; ok $? "r still runs the previous model"

tui_keys o C-u
tui_type "$TUI_TMP/none.onnx"
tui_keys Enter
tui_wait "none.onnx: no such file" 5; ok $? "a missing model file is reported before any job"

tui_keys M
tui_wait "(Enter chooses)" 10; ok $? "M lists registry versions"
tui_wait "champion" 20
tui_keys Enter
tui_wait "downloads need an AWS account" 5; ok $? "M + Enter in the demo: downloads need an account"

tui_keys q
tui_wait "MLDECK-EXITED rc=0" 10; ok $? "q quits with status 0"
tui_done
