#!/usr/bin/env bash
# Builds everything (release) and runs every test with ctest. Installs missing Debian
# packages first. Idempotent. Exit status: non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release
# The k6 scripts: k6 itself is not installable here, so they are kept correct by construction:
# syntax-checked, and their shared module unit-tested under Node.
for script in load-tests/*.js load-tests/lib/*.js load-tests/report/*.js; do node --check "$script"; done
node --test load-tests/test/
