"""Differential test: mldeck's AWS config parser against botocore's.

Writes hand-picked and randomly generated ~/.aws/config files, reads each
with botocore (Debian's python3-botocore: configloader.raw_config_parse,
plus build_profile_map as botocore 1.3x+ does it, with [services x]) and
with tests/creds/awsconfig_dump, and requires the same result, or an error
from both.  TAP output."""
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

try:
    import botocore.configloader as cl
    import botocore.exceptions as bex
except ImportError:
    print("1..0 # SKIP python3-botocore not installed")
    sys.exit(0)

BUILD = os.environ.get("MLDECK_BUILDDIR", ".")
DUMP = os.path.join(BUILD, "tests", "creds", "awsconfig_dump")
if not os.path.exists(DUMP):
    print("1..0 # SKIP %s not built" % DUMP)
    sys.exit(0)


def parse_section(key, values, out):
    try:
        parts = shlex.split(key)
    except ValueError:
        return
    if len(parts) == 2:
        out[parts[1]] = values


def profile_map(raw):
    """botocore configloader.build_profile_map (2023+, with services)."""
    profiles, sso, services, final = {}, {}, {}, {}
    for key, values in raw.items():
        if key.startswith("profile"):
            parse_section(key, values, profiles)
        elif key.startswith("sso-session"):
            parse_section(key, values, sso)
        elif key.startswith("services"):
            parse_section(key, values, services)
        elif key == "default":
            profiles[key] = values
        else:
            final[key] = values
    final["profiles"] = profiles
    final["sso_sessions"] = sso
    final["services"] = services
    return final


def botocore_view(path, raw):
    try:
        r = cl.raw_config_parse(path)
    except bex.ConfigParseError:
        return "error"
    return r if raw else profile_map(r)


def mldeck_view(path, raw):
    args = [DUMP] + (["--raw"] if raw else []) + [path]
    p = subprocess.run(args, capture_output=True, text=True)
    out = json.loads(p.stdout)
    if p.returncode != 0:
        return "error"
    return out


CASES = [
    "[default]\nregion = us-west-2\noutput=json\n",
    "[default]\nregion=eu-west-1\n[profile dev]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n",
    "[profile a b]\nx=1\n",
    "[profile \"a b\"]\nx=1\n",
    "[profile 'unterminated]\nx=1\n",
    "[profilefoo bar]\nx=1\n",
    "[profile]\nx=1\n",
    "[profile x y z]\nx=1\n",
    "[default]\na=1\n[profile default]\na=2\n",
    "[profile default]\na=2\n[default]\na=1\n",
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n  addressing_style = path\nsagemaker =\n  endpoint_url = http://127.0.0.1:8080\n",
    "[default]\ns3 =\n\n  addressing_style = path\n\n",
    "[default]\ns3 =\n  bad line without equals\n",
    "[default]\nkey = value # not a comment\n; comment\n# comment\n",
    "[default]\n  # indented comment\nregion = x\n",
    "[default]\nkey: value\nother : v2\n",
    "[default]\nk = a:b=c\n",
    "[default]\nk : a=b\n",
    "[default]\nno delimiter here\n",
    "region = x\n[default]\n",
    "  \n# c\n[default]\nx=1\n",
    "[default]\nx=1\n[default]\ny=2\n",
    "[default]\nx=1\nX=2\n",
    "[default]\nRegion = Us-East-1\n",
    "[DEFAULT]\nregion = from-default\n[profile a]\nx=1\n[profile b]\nregion=own\n",
    "[default]\nmulti = first\n  second\n\tthird\n",
    "[default]\nmulti = first\n\n  after blank\n",
    "[default]\nmulti = first\n# comment inside\n  continued\n",
    "[default]\n  indented = 1\n  also = 2\n     cont\n",
    "[default]\r\nregion = x\r\n[profile y]\r\nk=v\r\n",
    "[default]\rregion = x\r",
    "[a]]\nx=1\n",
    "[a] trailing\nx=1\n",
    "[]\nx=1\n",
    "[ spaced ]\nx=1\n",
    "[default]\n= novalue\n",
    "[default]\nempty =\n",
    "[default]\nempty =\n[x]\n",
    "[default]\nx = 1\n  y = 2\n  z\n",
    "[default]\ns3 =\n  a = 1\n  a = 2\n",
    "[default]\ns3 =\n  A = 1\n",
    "[default]\nkey\t=\tvalue\t\n",
    "[default]\n[profile p]\n[sso-session s]\n[services v]\n[other]\nk=v\n",
    "[profile a\\ b]\nx=1\n",
    "[services]\nx=1\n[sso-session]\ny=2\n",
    "[default]\nk = v\n    \n  more\n",
    "",
    "\n\n",
    "; only comments\n# here\n",
]


def random_config(rng):
    names = ["default", "DEFAULT", "profile dev", "profile 'q x'", "sso-session s", "services loc",
             "other", "profile p", "Profile p", "profile  p2"]
    keys = ["region", "Region", "output", "s3", "endpoint_url", "x", "k k", "role_arn"]
    lines = []
    for _ in range(rng.randint(0, 14)):
        kind = rng.random()
        ind = rng.choice(["", "", "", " ", "  ", "\t"])
        if kind < 0.18:
            lines.append(ind + "[" + rng.choice(names) + "]" + rng.choice(["", "", " x"]))
        elif kind < 0.6:
            lines.append(ind + rng.choice(keys) + rng.choice(["=", " = ", ":", " : "]) +
                         rng.choice(["", "v", "a=b", "http://h:1", " spaced  ", "# x"]))
        elif kind < 0.72:
            lines.append(ind + rng.choice(["#", ";"]) + " c")
        elif kind < 0.84:
            lines.append("")
        else:
            lines.append(rng.choice(["  ", "    ", "\t"]) + rng.choice(["sub = 1", "cont", "a = b = c"]))
    return rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"])


def main():
    rng = random.Random(20261126)
    texts = [(c, "case %d" % i) for i, c in enumerate(CASES)]
    texts += [(random_config(rng), "random %d" % i) for i in range(250)]
    n = 0
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "config")
        for text, label in texts:
            with open(path, "w", newline="") as f:
                f.write(text)
            for raw in (True, False):
                want = botocore_view(path, raw)
                got = mldeck_view(path, raw)
                n += 1
                ok = want == got
                print("%s %d - %s %s" % ("ok" if ok else "not ok", n, label,
                                        "raw" if raw else "profiles"))
                if not ok:
                    failed += 1
                    print("#   input: %r" % text)
                    print("#   botocore: %s" % json.dumps(want))
                    print("#   mldeck:   %s" % json.dumps(got))
    print("1..%d" % n)
    return 1 if failed else 0


sys.exit(main())
