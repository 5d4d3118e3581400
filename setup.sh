#!/bin/sh
# Installs what mldeck needs on a Debian 12 machine (Debian packages, and the
# npm packages the tests run beside mldeck), then builds mldeck in this
# folder.  Safe to run again: it only installs what is missing and only
# rebuilds what changed.
set -eu
cd "$(dirname "$0")"

debs="build-essential autoconf automake pkg-config
      libncurses-dev libcurl4-openssl-dev libssl-dev libcjson-dev libsqlite3-dev
      libpng-dev libopenblas-dev libjpeg-dev libexpat1-dev
      tmux curl ca-certificates python3 python3-botocore python3-numpy awscli"
command -v node >/dev/null 2>&1 || debs="$debs nodejs"
command -v npm >/dev/null 2>&1 || debs="$debs npm"

missing=""
for p in $debs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "setup: installing Debian packages:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm peers of the tests (s3rver, onnxruntime-node).  --ignore-scripts: the
# onnxruntime-node install script would try to download GPU libraries.
if [ ! -d tests/node_modules/s3rver ] || [ ! -d tests/node_modules/onnxruntime-node ] \
   || [ tests/package.json -nt tests/node_modules/.package-lock.json ]; then
    echo "setup: installing npm packages for the tests"
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error --prefix tests >/dev/null
fi

if [ ! -x configure ] || [ configure.ac -nt configure ]; then
    ./autogen.sh >/dev/null 2>&1
fi
if [ ! -f config.status ]; then
    ./configure -q ${MLDECK_CONFIGURE_FLAGS:-}
fi
make -s -j"$(nproc)"
echo "setup: mldeck is built ($(./mldeck --version))"
