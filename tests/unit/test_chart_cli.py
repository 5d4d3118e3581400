#!/usr/bin/python3
"""`mldeck chart`: the PNG it writes for demo runs (one diverged) and for
runs of the MLflow test server, decoded here (zlib + PNG filters, stdlib
only) and checked: size, the series' colours where the data says, legend;
bad arguments exit 2, an unknown run 3."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SRC = os.environ.get("MLDECK_SRCDIR", ".")
BIN = os.environ.get("MLDECK_BIN") or os.path.join(os.environ.get("MLDECK_BUILDDIR", "."), "mldeck")
N = 0
FAILED = 0


def ok(cond, name):
    global N, FAILED
    N += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", N, name))
    if not cond:
        FAILED += 1


def decode_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    w = h = 0
    while pos < len(data):
        ln, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + ln]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype == 2, "8-bit RGB expected"
        elif typ == b"IDAT":
            idat += body
        pos += 12 + ln
    raw = zlib.decompress(idat)
    stride = w * 3
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


def count(rows, rgb, x0, y0, x1, y1):
    n = 0
    for y in range(y0, y1 + 1):
        r = rows[y]
        for x in range(x0, x1 + 1):
            if tuple(r[x * 3:x * 3 + 3]) == rgb:
                n += 1
    return n


BLUE, ORANGE = (31, 119, 180), (255, 127, 14)


def run(args, env_extra=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": TMP, "XDG_CACHE_HOME": TMP + "/cache",
           "XDG_CONFIG_HOME": TMP + "/config", "XDG_STATE_HOME": TMP + "/state",
           "MLDECK_DATA_DIR": os.path.join(SRC, "data")}
    env.update(env_extra or {})
    return subprocess.run([BIN] + args, capture_output=True, text=True, env=env, timeout=60)


if not os.access(BIN, os.X_OK):
    print("1..0 # SKIP no mldeck binary")
    sys.exit(0)
TMP = tempfile.mkdtemp(prefix="mldeck-chart-")
DIVERGED, BASELINE = "c5e9d3c23c35a6915a1a2a374aaa905b", "160fda7ba7bba3479fa77f472a2067b0"

out = TMP + "/loss.png"
p = run(["--demo", "chart", DIVERGED, BASELINE, "--metric", "train/box_loss", "--png", out,
         "--size", "800x400"])
ok(p.returncode == 0, "demo chart exits 0 (%s)" % p.stderr.strip())
ok("2 runs" in p.stdout, "says what it drew: " + p.stdout.strip())
w, h, rows = decode_png(out)
ok((w, h) == (800, 400), "size 800x400")
# plot area 70..(800-190-10), 44..(400-36) (src/data/plot_png.c layout)
px0, py0, px1, py1 = 70, 44, 600, 364
ok(count(rows, BLUE, px0, py0, px1, py1) > 100, "the diverged run's line (blue)")
ok(count(rows, ORANGE, px0, py0, px1, py1) > 300, "the baseline's line (orange)")
# The diverged run stops at step 20 (then NaN): no blue in the right half
# of the plot below the top marker band.
mid = px0 + (px1 - px0) // 2
ok(count(rows, BLUE, mid, py0 + 10, px1, py1) == 0, "no blue line after the run diverged")
ok(count(rows, BLUE, px0, py0, px1, py0 + 8) > 5, "NaN points are crosses along the top")
ok(count(rows, BLUE, 614, 48, 627, 54) > 50 and count(rows, ORANGE, 614, 64, 627, 70) > 50,
   "legend swatches")
# loss falls: the baseline's line is higher on the left than on the right
def first_row(x, rgb):
    for y in range(py0 + 10, py1):
        if tuple(rows[y][x * 3:x * 3 + 3]) == rgb:
            return y
    return None
yl, yr = first_row(px0 + 3, ORANGE), first_row(px1 - 3, ORANGE)
ok(yl is not None and yr is not None and yl < yr, "the baseline's loss falls left to right")

p = run(["--demo", "chart", BASELINE, "--metric", "train/box_loss", "--png", TMP + "/s.png",
         "--x", "relative", "--smooth", "0.9", "--log", "--outliers"])
ok(p.returncode == 0 and os.path.getsize(TMP + "/s.png") > 1000, "every option together")

p = run(["--demo", "chart", BASELINE, "--metric", "train/box_loss"])
ok(p.returncode == 2 and "--png" in p.stderr, "missing --png: exit 2")
p = run(["--demo", "chart", BASELINE, "--metric", "k", "--png", "x.png", "--smooth", "1.5"])
ok(p.returncode == 2 and "0.99" in p.stderr, "--smooth out of range: exit 2")
p = run(["--demo", "chart", BASELINE, "--metric", "k", "--png", "x.png", "--x", "epoch"])
ok(p.returncode == 2, "--x epoch: exit 2")
p = run(["--demo", "chart", "0" * 32, "--metric", "train/box_loss", "--png", TMP + "/n.png"])
ok(p.returncode == 3 and not os.path.exists(TMP + "/n.png"), "unknown run: exit 3, no file")
p = run(["--demo", "chart", BASELINE, "--metric", "train/box_loss", "--png", "/nonexistent/x.png"])
ok(p.returncode == 1 and "nonexistent" in p.stderr, "unwritable path: exit 1 with the path")

# Against the MLflow test server (histories fetched with get-history).
srv = subprocess.Popen(["/usr/bin/python3", os.path.join(SRC, "tests/servers/mlflow_server.py"),
                        "--port", "0", "--synthetic", "3:500"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
try:
    line = srv.stdout.readline()
    port = line.split()[1] if line.startswith("PORT ") else None
    ok(port is not None, "test server started")
    if port:
        uri = {"MLFLOW_TRACKING_URI": "http://127.0.0.1:" + port}
        lsout = run(["ls", "runs", "--experiment", "scale", "--json"], uri).stdout
        ids = [r["info"]["run_id"] for r in json.loads(lsout)]
        ok(len(ids) == 3, "three runs on the server")
        p = run(["chart"] + ids + ["--metric", "metrics/mAP50B", "--png", TMP + "/srv.png"], uri)
        ok(p.returncode == 0 and "1500 points" in p.stdout, "chart of 3 server runs: " + p.stdout.strip())
        w, h, rows = decode_png(TMP + "/srv.png")
        ok((w, h) == (1000, 520), "default size 1000x520")
        ok(count(rows, BLUE, 70, 44, 800, 484) > 100 and count(rows, ORANGE, 70, 44, 800, 484) > 100,
           "two of the three lines found by colour")
        p = run(["chart", ids[0], "--metric", "no/such", "--png", TMP + "/e.png"], uri)
        ok(p.returncode == 0 and "no metric" in p.stderr, "a missing key is reported, empty series")
finally:
    srv.kill()
    srv.wait()

shutil.rmtree(TMP, ignore_errors=True)
print("1..%d" % N)
sys.exit(1 if FAILED else 0)
