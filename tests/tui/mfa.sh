#!/bin/sh
# The MFA dialog: a profile whose role needs an MFA code makes the worker
# that first needs credentials hand the question to the screen; the code
# typed there (masked) reaches STS AssumeRole; Esc cancels the fetch.
. "$MLDECK_SRCDIR/tests/tui/lib.sh"
tui_init mfa

shared=${MLDECK_SHARED:-$MLDECK_SRCDIR/../shared}
if [ ! -d "$shared/aws-models/sts" ] || [ ! -x /usr/bin/python3 ]; then
    echo "1..0 # SKIP needs ../shared/aws-models and /usr/bin/python3"
    exit 0
fi

# The local STS (creds_server.py) exits when its stdin closes: hold it open.
mkfifo "$TUI_TMP/sts.in"
sleep 600 > "$TUI_TMP/sts.in" &
holder=$!
/usr/bin/python3 "$MLDECK_SRCDIR/tests/servers/creds_server.py" --shared "$shared" \
    --mfa-serial arn:aws:iam::123456789012:mfa/alice --mfa-code 654321 \
    < "$TUI_TMP/sts.in" > "$TUI_TMP/sts.out" 2> "$TUI_TMP/sts.err" &
server=$!
port=$(tui_port_of "$TUI_TMP/sts.out")
stop_servers() {
    kill "$server" "$holder" 2>/dev/null
    tui_cleanup
}
trap stop_servers EXIT INT TERM

mkdir -p "$TUI_TMP/home/.aws"
cat > "$TUI_TMP/home/.aws/credentials" <<CREDS
[base]
aws_access_key_id = AKIDBASEEXAMPLE
aws_secret_access_key = base/secret/EXAMPLEKEY
CREDS
cat > "$TUI_TMP/home/.aws/config" <<CONF
[profile ops]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = us-east-1
CONF

# SageMaker itself is unreachable (port 9): only the credential step matters.
TUI_ENV="AWS_PROFILE=ops AWS_ENDPOINT_URL_STS=http://127.0.0.1:$port AWS_ENDPOINT_URL_SAGEMAKER=http://127.0.0.1:9 AWS_EC2_METADATA_DISABLED=true AWS_MAX_ATTEMPTS=1"
tui_start 100 24
tui_wait "MFA code:" 15
ok $? "a worker's MFA question opens the code prompt"
tui_screen | grep -qF "mfa/alice"
ok $? "the prompt names the MFA device"
tui_type 654321
tui_wait "MFA code: ******" 5
ok $? "the code is masked while typed"
tui_screen | grep -qF 654321
[ $? -ne 0 ]
ok $? "the code never shows on screen"
tui_keys Enter
n=0
while ! curl -s "http://127.0.0.1:$port/_requests" | grep -q SerialNumber && [ $n -lt 100 ]; do
    sleep 0.1
    n=$((n + 1))
done
curl -s "http://127.0.0.1:$port/_requests" | grep -q '"SerialNumber": "arn:aws:iam::123456789012:mfa/alice"'
ok $? "AssumeRole was sent with the MFA device"
curl -s "http://127.0.0.1:$port/_counts" | grep -q '"AssumeRole": 1'
ok $? "one AssumeRole: the answer was accepted"
tui_wait "refresh pipelines" 15
ok $? "the refresh then goes on (and fails on the unreachable SageMaker, said in the status line)"
tui_keys q
tui_wait "MLDECK-EXITED rc=0" 10
ok $? "quit"

# Esc cancels: the credential fetch fails with a clear message, no AssumeRole.
before=$(curl -s "http://127.0.0.1:$port/_counts" | sed -n 's/.*"AssumeRole": \([0-9]*\).*/\1/p')
tui_start 100 24
tui_wait "MFA code:" 15
ok $? "asked again in a new session"
tui_keys Escape
tui_wait "cancel" 10
ok $? "Esc cancels the credential fetch, said in the status line"
after=$(curl -s "http://127.0.0.1:$port/_counts" | sed -n 's/.*"AssumeRole": \([0-9]*\).*/\1/p')
[ "$before" = "$after" ]
ok $? "nothing was sent to STS after the cancel"
tui_keys q
tui_wait "MLDECK-EXITED rc=0" 10
ok $? "quit after a cancel"
tui_done
