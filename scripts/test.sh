#!/usr/bin/env bash
# Builds everything (release) and runs every test with ctest. Installs missing Debian
# packages first. Idempotent. Exit status: non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release
