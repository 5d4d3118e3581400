#!/bin/sh
# mldeck whoami / mldeck config against tests/servers/creds_server.py (STS
# validated against the official model, signatures checked with botocore).
# TAP output.
SRC=${MLDECK_SRCDIR:-.}
BIN=${MLDECK_BIN:-./mldeck}
SHARED=${MLDECK_SHARED:-}
if [ ! -x "$BIN" ] || [ ! -x /usr/bin/python3 ] || [ -z "$SHARED" ] || \
   [ ! -f "$SHARED/aws-models/sts/service-2.json" ]; then
    echo "1..0 # SKIP needs the mldeck binary, /usr/bin/python3 and MLDECK_SHARED"
    exit 0
fi
T=$(mktemp -d /tmp/mldeck-whoami-XXXXXX)
mkfifo "$T/in"
/usr/bin/python3 "$SRC/tests/servers/creds_server.py" --shared "$SHARED" \
    --external-id ext-42 --mfa-serial arn:aws:iam::123456789012:mfa/alice \
    <"$T/in" >"$T/port" 2>"$T/server.log" &
SRV=$!
exec 3>"$T/in"
cleanup() { exec 3>&-; wait $SRV 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
i=0
while [ $i -lt 100 ] && ! grep -q PORT "$T/port" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
PORT=$(sed -n 's/^PORT //p' "$T/port")
if [ -z "$PORT" ]; then echo "1..0 # SKIP creds_server.py did not start: $(cat "$T/server.log")"; exit 0; fi
URL=http://127.0.0.1:$PORT

# A clean AWS environment with a temporary HOME.
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY ALL_PROXY all_proxy
export HOME="$T/home" AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL_STS=$URL
export XDG_CONFIG_HOME="$T/xdg" MLDECK_CONFIG=/dev/null
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/config" <<CFG
[default]
region = eu-west-1
[profile deploy]
role_arn = arn:aws:iam::123456789012:role/deploy
source_profile = dev
external_id = ext-42
role_session_name = clitest
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile corp]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
[profile local]
services = local
region = us-west-2
[services local]
sagemaker =
  endpoint_url = http://127.0.0.1:8080
CFG
cat >"$HOME/.aws/credentials" <<CRED
[dev]
aws_access_key_id = AKIDBASEEXAMPLE
aws_secret_access_key = base/secret/EXAMPLEKEY
[wrong]
aws_access_key_id = AKIDBASEEXAMPLE
aws_secret_access_key = wrong-secret
[local]
aws_access_key_id = AKIDBASEEXAMPLE
aws_secret_access_key = base/secret/EXAMPLEKEY
CRED

n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
notok() { n=$((n+1)); fail=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() { # name, command status (0 = pass), diagnostics...
    name=$1; st=$2; shift 2
    if [ "$st" -eq 0 ]; then ok "$name"; else notok "$name" "$@"; fi
}
run() { "$BIN" "$@" >"$T/out" 2>"$T/err"; echo $? >"$T/rc"; }
rc() { cat "$T/rc"; }
has() { grep -q -- "$1" "$T/$2"; }

run --profile dev whoami
has "Account  123456789012" out && has "Arn      arn:aws:iam::123456789012:user/alice" out
check "whoami: account and ARN of a static profile" $? "$(cat "$T/out" "$T/err")"
check "whoami exits 0" $([ "$(rc)" = 0 ]; echo $?)

run --profile dev whoami --json
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["Account"]=="123456789012" and d["Arn"].endswith(":user/alice") and d["UserId"] and d["CredentialSource"]=="shared-credentials-file"' "$T/out"
check "whoami --json has Account, Arn, UserId, CredentialSource" $? "$(cat "$T/out")"

AWS_PROFILE=deploy run whoami
has "assumed-role/deploy/clitest" out
check "whoami through AssumeRole (AWS_PROFILE, source_profile, external_id)" $? "$(cat "$T/out" "$T/err")"

run --profile wrong whoami
[ "$(rc)" = 4 ] && has SignatureDoesNotMatch err
check "a wrong secret: exit 4 and the AWS error code" $? "rc=$(rc)" "$(cat "$T/err")"

echo 123456 | "$BIN" --profile mfa whoami >"$T/out" 2>"$T/err"
has "assumed-role/admin/" out && has "Enter MFA code for arn:aws:iam::123456789012:mfa/alice" err
check "MFA: the code is asked for and sent" $? "$(cat "$T/out" "$T/err")"

echo 999999 | "$BIN" --profile mfa whoami >"$T/out" 2>"$T/err"
[ $? = 4 ] && has AccessDenied err
check "MFA: a wrong code is refused" $? "$(cat "$T/err")"

# A SageMaker-managed MLflow tracking server signs with the same profile: its
# MFA code is asked on the terminal too (SageMaker itself is unreachable
# here, port 9: only the credential step matters).
SMARN=arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/drone
echo 123456 | AWS_ENDPOINT_URL_SAGEMAKER=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 \
    "$BIN" --profile mfa --mlflow "$SMARN" ls experiments >"$T/out" 2>"$T/err"
has "Enter MFA code for arn:aws:iam::123456789012:mfa/alice" err && ! has "needs an MFA" err
check "MLflow on SageMaker: the profile's MFA code is asked for" $? "$(cat "$T/err")"

AWS_ENDPOINT_URL_STS= run --endpoint-url "$URL" --profile dev whoami
has "user/alice" out
check "--endpoint-url sends whoami to that URL" $? "$(cat "$T/out" "$T/err")"

run --profile nosuch whoami
[ "$(rc)" = 3 ] && has "could not be found" err
check "an unknown profile: exit 3" $? "rc=$(rc)" "$(cat "$T/err")"

HOME="$T/empty" run whoami
[ "$(rc)" = 4 ] && has "no AWS credentials" err
check "no credentials at all: exit 4 with advice" $? "rc=$(rc)" "$(cat "$T/err")"

AWS_ACCESS_KEY_ID=AKIDBASEEXAMPLE AWS_SECRET_ACCESS_KEY=base/secret/EXAMPLEKEY AWS_PROFILE=wrong run whoami
has "user/alice" out
check "environment keys beat a profile chosen by AWS_PROFILE" $? "$(cat "$T/out" "$T/err")"

AWS_ACCESS_KEY_ID=AKIDNOPE AWS_SECRET_ACCESS_KEY=x run --profile dev whoami
has "user/alice" out
check "--profile beats environment keys" $? "$(cat "$T/out" "$T/err")"

AWS_PROFILE=local run config
has "profile           local  (AWS_PROFILE)" out && has "region            us-west-2  (profile local in $HOME/.aws/config)" out && \
    has "sagemaker         http://127.0.0.1:8080  (\[services local\] sagemaker.endpoint_url" out && \
    has "s3                https://s3.us-west-2.amazonaws.com  (default)" out && \
    has "sts               $URL  (AWS_ENDPOINT_URL_STS)" out && \
    has "credentials       shared-credentials-file: profile local in $HOME/.aws/credentials" out && \
    has "access key \*\*\*\*\*\*\*\*\*\*\*\*\*\*\*\*MPLE, does not expire" out
check "config: profile, region, credentials and endpoints with their sources" $? "$(cat "$T/out" "$T/err")"

AWS_PROFILE=deploy AWS_REGION=ap-south-1 run config --json
/usr/bin/python3 - "$T/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["profile"] == {"name": "deploy", "source": "AWS_PROFILE"}, d["profile"]
assert d["region"] == {"name": "ap-south-1", "source": "AWS_REGION"}, d["region"]
c = d["credentials"]
assert c["method"] == "assume-role" and "via source_profile dev" in c["detail"], c
assert c["access_key"].startswith("****************") and c["expiration"].endswith("Z"), c
eps = {e["service"]: e for e in d["endpoints"]}
assert set(eps) >= {"sagemaker", "s3", "logs", "monitoring", "events", "sts", "sagemaker-mlflow"}
assert eps["logs"]["url"] == "https://logs.ap-south-1.amazonaws.com" and eps["logs"]["source"] == "default"
assert eps["monitoring"]["signing_name"] == "monitoring"
assert eps["sagemaker-mlflow"]["url"] == "https://ap-south-1.experiments.sagemaker.aws"
PY
check "config --json: assume-role source, masked key, expiry, endpoints" $? "$(cat "$T/out" "$T/err")"

grep -q -e "EXAMPLEKEY" -e "TOKEN" "$T/out" "$T/err"
check "config never prints the secret or the session token" $([ $? -ne 0 ]; echo $?)

before=$(/usr/bin/python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/_counts")).get("AssumeRole",0))' "$URL")
AWS_PROFILE=deploy run config --no-fetch --json
after=$(/usr/bin/python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/_counts")).get("AssumeRole",0))' "$URL")
[ "$before" = "$after" ] && ! has access_key out && has '"expiration":	null' out
check "config --no-fetch makes no call" $? "before=$before after=$after" "$(cat "$T/out")"

mkdir -p "$HOME/.aws/sso/cache"
printf '{"accessToken": "old", "expiresAt": "2020-01-01T00:00:00Z"}' \
    >"$HOME/.aws/sso/cache/$(printf %s corp | sha1sum | cut -c1-40).json"
run --profile corp config
[ "$(rc)" = 0 ] && has "credentials       sso: role ReadOnly in account 111122223333 via sso-session corp" out && \
    has "error: the SSO session has expired: run aws sso login --profile corp" out
check "config with an expired SSO token says to run aws sso login" $? "$(cat "$T/out" "$T/err")"
run --profile corp whoami
[ "$(rc)" = 4 ] && has "run aws sso login --profile corp" err
check "whoami with an expired SSO token: exit 4 and the hint" $? "rc=$(rc)" "$(cat "$T/err")"

HOME="$T/empty" run config
[ "$(rc)" = 0 ] && has "region            none: no AWS region" out && has "credentials       none" out && \
    has "sagemaker         none:" out
check "config with nothing configured says so (exit 0)" $? "$(cat "$T/out" "$T/err")"

echo "1..$n"
exit $fail
