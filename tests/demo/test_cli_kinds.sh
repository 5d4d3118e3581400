#!/bin/sh
# `mldeck kinds`: the kind table as text, JSON and Markdown; unknown kinds
# exit 3, bad options 2.  Prints TAP.
BIN=${MLDECK_BIN:-./mldeck}
if [ ! -x "$BIN" ]; then echo "1..0 # SKIP $BIN not built"; exit 0; fi
n=0; fail=0
t() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=$((fail + 1)); fi; }

out=$("$BIN" kinds)
t "text lists pipelines with its aliases" 'echo "$out" | grep -q "^pipelines .*pipeline pl pp"'
t "text lists 17 kinds" '[ "$(echo "$out" | tail -n +2 | wc -l)" -ge 17 ]'
json=$("$BIN" kinds --json)
t "--json is a JSON array of kinds with columns and actions" \
  'echo "$json" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); assert len(d) >= 17; k={x[\"name\"]: x for x in d}; assert k[\"pipeline-executions\"][\"actions\"][1][\"key\"] == \"T\"; assert k[\"runs\"][\"time_encoding\"] == \"epoch-ms\""'
one=$("$BIN" kinds pe --json)
t "one kind by alias" 'echo "$one" | grep -q "\"name\":[[:space:]]*\"pipeline-executions\""'
t "one kind as text shows its actions" '"$BIN" kinds training-jobs | grep -q "stop-training-job"'
t "--md prints the docs table" '"$BIN" kinds --md | grep -q "^| \`pipelines\` |"'
"$BIN" kinds no-such-kind >/dev/null 2>&1; rc=$?
t "unknown kind exits 3" '[ $rc -eq 3 ]'
"$BIN" kinds --bogus >/dev/null 2>&1; rc=$?
t "bad option exits 2" '[ $rc -eq 2 ]'
echo "1..$n"
[ $fail -eq 0 ]
