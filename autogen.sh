#!/bin/sh
# Regenerates the build system.  automake does not install its TAP driver on
# its own, so copy it from the automake that is running.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux m4
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
autoreconf -fi
