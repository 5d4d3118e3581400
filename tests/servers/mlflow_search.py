"""MLflow's search-filter and order-by language, server side, for the test
MLflow server (mlflow_server.py).  Standard library only.

It follows the semantics of MLflow 2.x's SearchUtils as far as the tests need
them, with error messages worded like the recorded server's (see
../shared/fixtures/mlflow/error_*search*.json):

  filter   := clause (AND clause)*
  clause   := identifier comparator value
  identifier := [type "."] key      key: word, `backticked` or "double quoted"
  type     := metric(s) | param(s) | parameter(s) | tag(s) | attribute(s) | attr | run
              | dataset(s)
  value    := number (metrics, numeric attributes) | 'string' | "string"
              | ( 'a', 'b' )  (IN / NOT IN)

An error raises SearchError(message); the server answers 400
INVALID_PARAMETER_VALUE with that message.
"""

import math
import re


class SearchError(Exception):
    pass


METRIC_CMP = {">", ">=", "!=", "=", "<", "<="}
STRING_CMP = {"!=", "=", "LIKE", "ILIKE"}
STRING_ATTR_CMP = {"!=", "=", "LIKE", "ILIKE", "IN", "NOT IN"}

ENTITY = {
    "metric": "metric", "metrics": "metric",
    "param": "parameter", "params": "parameter", "parameter": "parameter",
    "parameters": "parameter",
    "tag": "tag", "tags": "tag",
    "attribute": "attribute", "attributes": "attribute", "attr": "attribute",
    "run": "attribute",
    "dataset": "dataset", "datasets": "dataset",
}
VALID_TYPES = "['metric', 'parameter', 'tag', 'attribute', 'dataset']"

RUN_NUMERIC_ATTRS = {"start_time", "end_time", "created", "Created"}
RUN_STRING_ATTRS = {"run_id", "run_name", "status", "user_id", "artifact_uri",
                    "run name", "Run name", "Run Name"}
RUN_ORDER_ATTRS = RUN_NUMERIC_ATTRS | {"run_name", "status", "user_id", "artifact_uri",
                                       "run_id", "experiment_id", "run name", "Run name",
                                       "Run Name"}
EXP_NUMERIC_ATTRS = {"creation_time", "last_update_time"}
EXP_STRING_ATTRS = {"name"}
EXP_ORDER_ATTRS = {"name", "experiment_id", "creation_time", "last_update_time"}


# The order CPython printed these sets in on the recorded server.
_SET_ORDER = ["!=", "<", "<=", ">", ">=", "=", "LIKE", "ILIKE", "IN", "NOT IN"]


def _py_set(s):
    order = sorted(s, key=lambda c: (_SET_ORDER.index(c) if c in _SET_ORDER else 99, c))
    return "{" + ", ".join("'%s'" % c for c in order) + "}"


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<lp>\()|(?P<rp>\))|(?P<comma>,)|
      (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|
      (?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.`]))|
      (?P<op>[<>=!]+)|
      (?P<ident>(?:[A-Za-z_][\w]*\.)?(?:`[^`]*`|"[^"]*"|[\w.\-:]+)(?:[^\s<>=!(),'"]*))
    )""", re.X)


def _tokens(s):
    pos, out = 0, []
    s = s.strip()
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m or m.end() == pos:
            raise SearchError("Invalid filter '%s'. Could not be parsed." % s)
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(s) and s[pos].isspace():
            pos += 1
    return out


def _split_identifier(tok):
    """'metrics.`a/b`' -> ('metrics', 'a/b'); a bare word is an attribute."""
    m = re.fullmatch(r'(?:([A-Za-z_]\w*)\.)?(`[^`]*`|"[^"]*"|[\w.\-:]+)', tok)
    if not m:
        raise SearchError("Invalid comparison clause. Expected 'Identifier' found '%s'" % tok)
    etype, key = m.group(1), m.group(2)
    if etype is None and "." in key and not key.startswith(("`", '"')):
        etype, key = key.split(".", 1)
    if key[:1] in "`\"" and key[-1:] == key[:1] and len(key) >= 2:
        key = key[1:-1]
    if etype is None:
        etype = "attribute"
    if etype not in ENTITY:
        raise SearchError("Invalid entity type '%s'. Valid values are %s" % (etype, VALID_TYPES))
    return ENTITY[etype], key


def _unquote(v):
    body = v[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def parse_filter(s, what="runs"):
    """Returns a list of clauses (etype, key, comparator, value)."""
    if s is None or not s.strip():
        return []
    toks = _tokens(s)
    clauses, i = [], 0
    while True:
        if i >= len(toks) or toks[i][0] != "ident":
            found = toks[i][1] if i < len(toks) else ""
            raise SearchError("Invalid comparison clause. Expected 'Identifier' found '%s'" % found)
        ident = toks[i][1]
        i += 1
        # An unquoted key with a slash or other junk ends up glued to the identifier.
        if i < len(toks) and toks[i][0] == "ident" and toks[i][1].upper() not in ("LIKE", "ILIKE", "IN", "NOT"):
            raise SearchError("Invalid comparison clause. Expected 'Identifier' found '%s'" % ident)
        etype, key = _split_identifier(ident)
        if i >= len(toks):
            raise SearchError("Invalid filter '%s'. Could not be parsed." % s)
        kind, op = toks[i]
        i += 1
        if kind == "ident":
            op = op.upper()
            if op == "NOT" and i < len(toks) and toks[i][1].upper() == "IN":
                op, i = "NOT IN", i + 1
        valid = _valid_comparators(etype, key, what)
        if op not in valid and op not in ("IN", "NOT IN"):
            # The recorded server checks the value's type before the comparator.
            if i < len(toks):
                _check_value(etype, key, what, toks[i])
            raise SearchError("Invalid comparator '%s' not one of '%s" % (op, _py_set(valid)))
        if op not in valid:
            raise SearchError("Invalid comparator '%s' not one of '%s" % (op, _py_set(valid)))
        if op in ("IN", "NOT IN"):
            if i >= len(toks) or toks[i][0] != "lp":
                raise SearchError("While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.")
            i += 1
            vals = []
            while i < len(toks) and toks[i][0] == "str":
                vals.append(_unquote(toks[i][1]))
                i += 1
                if i < len(toks) and toks[i][0] == "comma":
                    i += 1
            if i >= len(toks) or toks[i][0] != "rp" or not vals:
                raise SearchError("While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.")
            i += 1
            value = vals
        else:
            if i >= len(toks):
                raise SearchError("Invalid filter '%s'. Could not be parsed." % s)
            value = _check_value(etype, key, what, toks[i])
            i += 1
        clauses.append((etype, key, op, value))
        if i >= len(toks):
            return clauses
        if toks[i][0] != "ident" or toks[i][1].upper() != "AND":
            raise SearchError("Invalid clause(s) in filter string: '%s'" % toks[i][1])
        i += 1


def _check_value(etype, key, what, tok):
    vkind, raw = tok
    numeric = etype == "metric" or (etype == "attribute" and key in _numeric_attrs(what))
    if numeric:
        if vkind != "num":
            raise SearchError("Expected numeric value type for %s. Found %s" %
                              ("metric" if etype == "metric" else "numeric attribute", raw))
        return float(raw)
    if vkind != "str":
        raise SearchError("Parameter value is either not quoted or unidentified quote types "
                          "used for string value %s. Use either single or double quotes." % raw)
    return _unquote(raw)


def _numeric_attrs(what):
    return EXP_NUMERIC_ATTRS if what == "experiments" else RUN_NUMERIC_ATTRS


def _valid_comparators(etype, key, what):
    if etype == "metric":
        return METRIC_CMP
    if etype in ("parameter", "tag"):
        return STRING_CMP
    if etype == "dataset":
        return STRING_ATTR_CMP
    if what == "experiments":
        if key in EXP_NUMERIC_ATTRS:
            return METRIC_CMP
        if key in EXP_STRING_ATTRS:
            return STRING_CMP
        raise SearchError("Invalid attribute key '%s' specified. Valid keys are '%s'" %
                          (key, _py_set(EXP_NUMERIC_ATTRS | EXP_STRING_ATTRS)))
    if what == "models":
        return STRING_CMP | {"IN", "NOT IN"}
    if key in RUN_NUMERIC_ATTRS:
        return METRIC_CMP
    if key in RUN_STRING_ATTRS:
        return STRING_ATTR_CMP if key == "run_id" else STRING_CMP
    raise SearchError("Invalid attribute key '%s' specified. Valid keys are '%s'" %
                      (key, _py_set(RUN_NUMERIC_ATTRS | RUN_STRING_ATTRS)))


def like_match(pattern, s, icase):
    rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, s, re.S | (re.I if icase else 0)) is not None


def compare(op, lhs, rhs):
    if lhs is None:
        return False
    if op == "=":
        return lhs == rhs
    if op == "!=":
        return lhs != rhs
    if op == ">":
        return lhs > rhs
    if op == ">=":
        return lhs >= rhs
    if op == "<":
        return lhs < rhs
    if op == "<=":
        return lhs <= rhs
    if op == "LIKE":
        return like_match(rhs, lhs, False)
    if op == "ILIKE":
        return like_match(rhs, lhs, True)
    if op == "IN":
        return lhs in rhs
    if op == "NOT IN":
        return lhs not in rhs
    return False


def metric_float(v):
    if isinstance(v, str):
        return float("nan") if v.lower() == "nan" else float(v)
    return float(v)


def _kv(lst, key):
    for e in lst or []:
        if e.get("key") == key:
            return e.get("value")
    return None


ATTR_ALIAS = {"created": "start_time", "Created": "start_time", "run name": "run_name",
              "Run name": "run_name", "Run Name": "run_name"}


def run_value(run, etype, key):
    """The value a clause or an order-by compares for one run (REST shape)."""
    info, data = run.get("info", {}), run.get("data", {})
    if etype == "metric":
        v = _kv(data.get("metrics"), key)
        return None if v is None else metric_float(v)
    if etype == "parameter":
        return _kv(data.get("params"), key)
    if etype == "tag":
        return _kv(data.get("tags"), key)
    if etype == "dataset":
        return None
    key = ATTR_ALIAS.get(key, key)
    return info.get(key)


def run_matches(run, clauses):
    for etype, key, op, value in clauses:
        if etype == "dataset":
            found = False
            for di in (run.get("inputs") or {}).get("dataset_inputs", []):
                ds = di.get("dataset", {})
                if key in ("name", "digest") and compare(op, ds.get(key), value):
                    found = True
            if not found:
                return False
            continue
        if not compare(op, run_value(run, etype, key), value):
            return False
    return True


def experiment_matches(exp, clauses):
    for etype, key, op, value in clauses:
        if etype == "tag":
            lhs = _kv(exp.get("tags"), key)
        elif etype == "attribute":
            lhs = exp.get(key)
        else:
            raise SearchError("Invalid entity type '%s'. Valid values are ['tag', 'attribute']" % etype)
        if not compare(op, lhs, value):
            return False
    return True


def parse_order_by(clauses, what="runs"):
    """['metrics.`m` DESC', ...] -> [(etype, key, ascending)]."""
    out = []
    for c in clauses or []:
        m = re.fullmatch(r'\s*(.+?)(?:\s+(ASC|DESC|asc|desc))?\s*', c)
        ident = m.group(1) if m else ""
        try:
            if re.search(r"\s", ident.strip().strip("`").strip('"')) and not re.fullmatch(
                    r'(?:[A-Za-z_]\w*\.)?(`[^`]*`|"[^"]*")', ident.strip()):
                raise SearchError("")
            etype, key = _split_identifier(ident.strip())
        except SearchError:
            raise SearchError("Invalid ordering key in order_by clause '%s'." % c)
        asc = not (m.group(2) and m.group(2).upper() == "DESC")
        if what == "experiments":
            if etype != "attribute" or key not in EXP_ORDER_ATTRS:
                raise SearchError("Invalid order_by entity: %s" % c)
        elif etype == "attribute" and key not in RUN_ORDER_ATTRS:
            raise SearchError("Invalid attribute key '%s' specified. Valid keys are '%s'" %
                              (key, _py_set(RUN_ORDER_ATTRS)))
        out.append((etype, key, asc))
    return out


def sort_runs(runs, order):
    """Orders like MLflow's SQL store: per clause values first, then NaN, then
    missing (whatever the direction), then start_time DESC, then run_id."""
    def sort_key_parts(run):
        parts = []
        for etype, key, asc in order:
            v = run_value(run, etype, key)
            if v is None:
                parts.append((2, 0))
            elif isinstance(v, float) and math.isnan(v):
                parts.append((1, 0))
            else:
                parts.append((0, _Dir(v, asc)))
        if not any(e == "attribute" and ATTR_ALIAS.get(k, k) == "start_time" for e, k, _ in order):
            parts.append((0, _Dir(run["info"].get("start_time") or 0, False)))
        parts.append((0, _Dir(run["info"]["run_id"], True)))
        return parts
    return sorted(runs, key=sort_key_parts)


class _Dir:
    __slots__ = ("v", "asc")

    def __init__(self, v, asc):
        self.v, self.asc = v, asc

    def __lt__(self, other):
        return self.v < other.v if self.asc else self.v > other.v

    def __eq__(self, other):
        return self.v == other.v


def sort_experiments(exps, order):
    parts_order = list(order)
    if not parts_order:
        parts_order = [("attribute", "creation_time", False)]
    if not any(k == "experiment_id" for _, k, _ in parts_order):
        parts_order.append(("attribute", "experiment_id", True))

    def k(e):
        out = []
        for _, key, asc in parts_order:
            v = e.get(key)
            if key == "experiment_id":
                v = int(v) if str(v).isdigit() else v
            out.append(_Dir(v, asc))
        return out
    return sorted(exps, key=k)
