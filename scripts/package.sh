#!/usr/bin/env bash
# Builds the Debian package: dist/archibald-realtime_<version>_amd64.deb (both binaries, the
# hardened systemd unit, /etc/archibald-realtime/archibald-realtime.env as a conffile).
# Installs missing build dependencies first. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target archibald-realtime archibald-load
mkdir -p dist
(cd build/release && cpack -G DEB -B "$OLDPWD/dist" >/dev/null)
rm -rf dist/_CPack_Packages
ls dist/archibald-realtime_*_amd64.deb
