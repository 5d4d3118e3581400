#!/usr/bin/python3
"""The demo workspace holds objects exactly as the real APIs return them.

SageMaker and S3 objects are checked against the OUTPUT shapes of the
official models (loaded with botocore.model.ServiceModel): member names,
types, enums, lengths, ranges and required members, recursively.  botocore's
own validator only walks input shapes, hence the small checker here.

MLflow objects are checked against the responses recorded from a real
tracking server (../shared/fixtures/mlflow): every field the demo uses must
appear there with the same JSON type, fields the recordings always carry
must be present, ids are strings, times are integer milliseconds, NaN is the
string "NaN" and empty lists are omitted.

Prints TAP."""

import glob
import json
import math
import os
import re
import sys

SRC = os.environ.get("MLDECK_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("MLDECK_SHARED", os.path.join(SRC, "..", "shared"))
DEMO = os.path.join(SRC, "data", "demo")

n = 0
failed = 0


def ok(cond, name, detail=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, name))
    if not cond:
        failed += 1
        for line in (detail or [])[:15]:
            print("#   " + line)
    sys.stdout.flush()


def skip_all(why):
    print("1..0 # SKIP " + why)
    sys.exit(0)


try:
    from botocore.model import ServiceModel
except ImportError:
    skip_all("python3-botocore is not installed")
if not os.path.isdir(os.path.join(SHARED, "aws-models")):
    skip_all("shared data not found at " + SHARED)


def load_model(service):
    with open(os.path.join(SHARED, "aws-models", service, "service-2.json")) as f:
        return ServiceModel(json.load(f), service_name=service)


def iso_ok(s):
    return isinstance(s, str) and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)", s) is not None


def check_shape(shape, value, path, errors, timestamps, iso_times):
    """Appends one line per mismatch between value and a botocore shape."""
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            errors.append("%s: want an object (%s), got %r" % (path, shape.name, type(value).__name__))
            return
        members = shape.members
        for k, v in value.items():
            if k not in members:
                errors.append("%s.%s: no such member in %s" % (path, k, shape.name))
                continue
            check_shape(members[k], v, path + "." + k, errors, timestamps, iso_times)
        for req in shape.required_members:
            if req not in value:
                errors.append("%s: required member %s missing (%s)" % (path, req, shape.name))
    elif t == "list":
        if not isinstance(value, list):
            errors.append("%s: want a list (%s)" % (path, shape.name))
            return
        mn, mx = shape.metadata.get("min"), shape.metadata.get("max")
        if mn is not None and len(value) < mn or mx is not None and len(value) > mx:
            errors.append("%s: list length %d outside [%s, %s]" % (path, len(value), mn, mx))
        for i, el in enumerate(value):
            check_shape(shape.member, el, "%s[%d]" % (path, i), errors, timestamps, iso_times)
    elif t == "map":
        if not isinstance(value, dict):
            errors.append("%s: want a map (%s)" % (path, shape.name))
            return
        for k, v in value.items():
            check_shape(shape.key, k, path + "{key}", errors, timestamps, iso_times)
            check_shape(shape.value, v, "%s[%r]" % (path, k), errors, timestamps, iso_times)
    elif t == "string":
        if not isinstance(value, str):
            errors.append("%s: want a string (%s), got %r" % (path, shape.name, value))
            return
        enum = shape.enum
        if enum and value not in enum:
            errors.append("%s: %r is not one of %s" % (path, value, shape.name))
        mn, mx = shape.metadata.get("min"), shape.metadata.get("max")
        if mn is not None and len(value) < mn or mx is not None and len(value) > mx:
            errors.append("%s: length %d outside [%s, %s] (%s)" % (path, len(value), mn, mx,
                                                                   shape.name))
        pat = shape.metadata.get("pattern")
        if pat:
            try:
                rx = re.compile(pat)
            except re.error:
                rx = None
            if rx is not None and not rx.search(value):
                errors.append("%s: %r does not match %s's pattern %s" % (path, value, shape.name, pat))
    elif t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append("%s: want an integer (%s), got %r" % (path, shape.name, value))
            return
        mn, mx = shape.metadata.get("min"), shape.metadata.get("max")
        if mn is not None and value < mn or mx is not None and value > mx:
            errors.append("%s: %d outside [%s, %s]" % (path, value, mn, mx))
    elif t in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append("%s: want a number (%s), got %r" % (path, shape.name, value))
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append("%s: want a boolean, got %r" % (path, value))
    elif t == "timestamp":
        timestamps.add(path.rsplit(".", 1)[-1].split("[")[0])
        if iso_times:
            if not iso_ok(value):
                errors.append("%s: want an ISO 8601 timestamp, got %r" % (path, value))
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                1.5e9 < value < 2.5e9):
            errors.append("%s: want epoch seconds, got %r" % (path, value))
    elif t == "blob":
        if not isinstance(value, str):
            errors.append("%s: want base64 text" % path)
    else:
        errors.append("%s: unhandled shape type %s" % (path, t))


def load_demo(kind):
    with open(os.path.join(DEMO, kind + ".json")) as f:
        return json.load(f)


with open(os.path.join(DEMO, "manifest.json")) as f:
    manifest = json.load(f)
kinds = [e["kind"] for e in manifest["files"]]
files = {k: load_demo(k) for k in kinds}

ok(len(kinds) >= 17, "the manifest lists every kind's file (%d)" % len(kinds))
ok(all(len(files[e["kind"]]["rows"]) == e["rows"] for e in manifest["files"]),
   "the manifest's row counts match the files")

# ---- SageMaker and S3 against the official models -------------------------
models = {"sagemaker": load_model("sagemaker"), "s3": load_model("s3"), "logs": load_model("logs")}
for kind in kinds:
    doc = files[kind]
    if doc["api"] not in models:
        continue
    model = models[doc["api"]]
    shape = model.shape_for(doc["shape"])
    errors = []
    stamps = set()
    for i, row in enumerate(doc["rows"]):
        check_shape(shape, row["object"], "%s[%d]" % (kind, i), errors, stamps,
                    iso_times=doc["time_encoding"] == "iso8601")
    ok(not errors and doc["rows"],
       "%s: %d objects match %s in the %s model" % (kind, len(doc["rows"]), doc["shape"], doc["api"]),
       errors)
    missing = sorted(stamps - set(doc["time_keys"]))
    ok(not missing, "%s: every timestamp member is in time_keys (shifted at load)" % kind,
       ["not shifted: " + m for m in missing])

# ---- Model Monitor reports (the documented statistics / violations files) ----
CHECKS = {"data_type_check", "completeness_check", "baseline_drift_check",
          "missing_column_check", "extra_column_check", "categorical_values_check"}
errors = []
for i, row in enumerate(files.get("monitoring-reports", {}).get("rows", [])):
    o, where = row["object"], "monitoring-reports[%d]" % i
    c = o.get("content")
    if o.get("name") == "constraint_violations.json":
        vs = c.get("violations") if isinstance(c, dict) else None
        if not vs or set(c) != {"violations"}:
            errors.append(where + ": violations file without violations")
            continue
        for v in vs:
            if set(v) != {"feature_name", "constraint_check_type", "description"} or \
                    v["constraint_check_type"] not in CHECKS:
                errors.append("%s: bad violation %r" % (where, v))
    elif o.get("name") == "statistics.json":
        if not isinstance(c, dict) or not isinstance(c.get("dataset", {}).get("item_count"), int):
            errors.append(where + ": statistics without dataset.item_count")
            continue
        for f in c.get("features", []):
            ns = f.get("numerical_statistics", {})
            if not {"name", "inferred_type"} <= set(f) or \
                    not {"num_present", "num_missing"} <= set(ns.get("common", {})) or \
                    not {"mean", "std_dev", "min", "max"} <= set(ns):
                errors.append("%s: bad feature %r" % (where, f.get("name")))
    else:
        errors.append(where + ": unknown report %r" % o.get("name"))
ok("monitoring-reports" in files and not errors,
   "Model Monitor reports have the statistics/violations file layout", errors)

# ---- MLflow against the recorded responses ----------------------------------
FIX = os.path.join(SHARED, "fixtures", "mlflow")


def fixture(name):
    with open(os.path.join(FIX, name)) as f:
        return json.load(f)["response"]


def samples(pattern, pick):
    out = []
    for path in sorted(glob.glob(os.path.join(FIX, pattern))):
        name = os.path.basename(path)
        if name.startswith(("error_", "quirk_")):
            continue
        resp = fixture(name)
        out.extend(pick(resp))
    return out


def jtype(v):
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float" if math.isfinite(v) else "nonfinite"
    if isinstance(v, str):
        return "str"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return "null"


def collect(obj, prefix, types, counts):
    """types: path -> set of JSON types; counts: path -> times present."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = prefix + "." + k
            types.setdefault(p, set()).add(jtype(v))
            counts[p] = counts.get(p, 0) + 1
            collect(v, p, types, counts)
    elif isinstance(obj, list):
        for el in obj:
            p = prefix + "[]"
            types.setdefault(p, set()).add(jtype(el))
            counts[p] = counts.get(p, 0) + 1
            collect(el, p, types, counts)


def reference(objs):
    types, counts = {}, {}
    parents = {}
    for o in objs:
        collect(o, "$", types, counts)
    # a field is "always there" when present in every parent that exists
    return types, counts


def numeric_types(ts):
    s = set(ts)
    if "int" in s or "float" in s:
        s |= {"int", "float"}
    return s


def empty_lists(obj, path, out):
    if isinstance(obj, dict):
        for k, v in obj.items():
            empty_lists(v, path + "." + k, out)
    elif isinstance(obj, list):
        if not obj:
            out.append(path)
        for el in obj:
            empty_lists(el, path + "[]", out)


def check_mlflow(kind, objs, refs, always, optional, ms_fields, id_fields):
    types, counts = reference(refs)
    errors = []
    for i, o in enumerate(objs):
        got_t, got_c = {}, {}
        collect(o, "$", got_t, got_c)
        for p, ts in got_t.items():
            if p not in types:
                errors.append("%s[%d]: %s never appears in the recorded responses" % (kind, i, p))
            elif not ts <= numeric_types(types[p]):
                errors.append("%s[%d]: %s is %s, recorded as %s" % (kind, i, p, sorted(ts),
                                                                     sorted(types[p])))
        for p in always:
            if p not in got_t and p not in optional:
                errors.append("%s[%d]: %s is missing" % (kind, i, p))
        el = []
        empty_lists(o, "$", el)
        for p in el:
            errors.append("%s[%d]: empty list at %s (MLflow omits them)" % (kind, i, p))
    ok(not errors and objs, "%s: %d objects match the recorded MLflow responses (%d samples)"
       % (kind, len(objs), len(refs)), errors)
    # Ids are strings, times integer milliseconds, metric values numbers or "NaN".
    bad = []
    for i, o in enumerate(objs):
        flat_t, _ = {}, {}
        vals = []

        def walk(x, p):
            if isinstance(x, dict):
                for k, v in x.items():
                    vals.append((p + "." + k, k, v))
                    walk(v, p + "." + k)
            elif isinstance(x, list):
                for el in x:
                    walk(el, p + "[]")
        walk(o, "$")
        for p, k, v in vals:
            if k in ms_fields and not (isinstance(v, int) and not isinstance(v, bool)
                                       and 1.5e12 < v < 2.5e12):
                bad.append("%s[%d]: %s = %r is not integer epoch ms" % (kind, i, p, v))
            if k in id_fields and not isinstance(v, str):
                bad.append("%s[%d]: %s = %r is not a string id" % (kind, i, p, v))
            if k == "value" and ".metrics[]" in p and not (
                    (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
                    or v in ("NaN", "Infinity", "-Infinity")):
                bad.append("%s[%d]: metric value %r" % (kind, i, v))
    ok(not bad, "%s: string ids, integer ms timestamps, NaN as \"NaN\"" % kind, bad)


MS = {"creation_time", "last_update_time", "start_time", "end_time", "timestamp",
      "creation_timestamp", "last_updated_timestamp"}
IDS = {"experiment_id", "run_id", "run_uuid", "version"}

exp_refs = samples("experiments_search_*.json", lambda r: r.get("experiments", [])) + \
    samples("experiments_get*.json", lambda r: [r["experiment"]] if "experiment" in r else [])
run_refs = samples("runs_search_*.json", lambda r: r.get("runs", [])) + \
    samples("runs_get_*.json", lambda r: [r["run"]] if "run" in r else [])
hist_refs = samples("metrics_get_history*.json", lambda r: [r] if "metrics" in r else [])
model_refs = samples("registered_models_search*.json", lambda r: r.get("registered_models", [])) + \
    samples("registered_models_get.json", lambda r: [r["registered_model"]])
version_refs = samples("model_versions_get.json", lambda r: [r["model_version"]]) + \
    samples("model_versions_search*.json", lambda r: r.get("model_versions", [])) + \
    samples("registered_models_alias_get.json", lambda r: [r["model_version"]])

objs = lambda kind: [r["object"] for r in files[kind]["rows"]]
check_mlflow("experiments", objs("experiments"), exp_refs,
             ["$.experiment_id", "$.name", "$.artifact_location", "$.lifecycle_stage",
              "$.last_update_time", "$.creation_time"], {"$.tags"}, MS, IDS)
check_mlflow("runs", objs("runs"), run_refs,
             ["$.info", "$.info.run_uuid", "$.info.experiment_id", "$.info.run_name",
              "$.info.user_id", "$.info.status", "$.info.start_time", "$.info.artifact_uri",
              "$.info.lifecycle_stage", "$.info.run_id", "$.data", "$.inputs"],
             {"$.info.end_time"}, MS, IDS)
check_mlflow("metric-histories", objs("metric-histories"), hist_refs,
             ["$.metrics", "$.metrics[].key", "$.metrics[].value", "$.metrics[].timestamp",
              "$.metrics[].step"], set(), MS, IDS)
check_mlflow("registered-models", objs("registered-models"), model_refs,
             ["$.name", "$.creation_timestamp", "$.last_updated_timestamp"], set(), MS, IDS)
check_mlflow("model-versions", objs("model-versions"), version_refs,
             ["$.name", "$.version", "$.creation_timestamp", "$.last_updated_timestamp",
              "$.current_stage", "$.source", "$.run_id", "$.status"], set(), MS, IDS)

# ---- the kinds' files agree with the C table -----------------------------------
kinds_c = open(os.path.join(SRC, "src", "kind", "kinds.c")).read()
enc_c = {"epoch_s": "MD_TIME_EPOCH_S", "epoch_ms": "MD_TIME_EPOCH_MS", "iso8601": "MD_TIME_ISO8601"}
bad = []
for kind in kinds:
    if files[kind].get("table") is False:
        continue        # served by its own call (log events), not a kind
    m = re.search(r'\.name = "%s",(.*?)\.source = ' % re.escape(kind), kinds_c, re.S)
    if not m:
        bad.append("%s: not in kinds.c" % kind)
    elif enc_c[files[kind]["time_encoding"]] not in m.group(1):
        bad.append("%s: time encoding differs from kinds.c" % kind)
ok(not bad, "every demo kind is in kinds.c with the same time encoding", bad)

print("1..%d" % n)
sys.exit(1 if failed else 0)
